package main

import (
	"flag"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites the command outputs shown in the docs instead of comparing them.
var update = flag.Bool("update", false, "rewrite the command outputs shown in the docs")

// outputBlockRe matches a marker naming a command and the fenced block after it that
// holds the command's output ("output of") or what it prints on stderr ("stderr of").
var outputBlockRe = regexp.MustCompile("<!-- (output|stderr) of: (.+?)(?: \\(exit (\\d+)\\))? -->\n```(\\w*)\n((?s:.*?))```")

// docsWithOutputs are the pages whose command outputs TestToolsDoc keeps current. A page
// other than the first may have no markers.
var docsWithOutputs = []string{"docs/tools.md", "README.md"}

// TestToolsDoc runs every command shown with an "output of" marker in the docs, from
// the repository root, and checks that the page shows its current output and exit
// status.
func TestToolsDoc(t *testing.T) {
	t.Chdir("../..")
	// The pages show what happens without these variables.
	t.Setenv("tF", "")
	require.NoError(t, os.Unsetenv("tF"))
	for i, path := range docsWithOutputs {
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		doc, found := checkOutputs(t, path, string(text))
		require.True(t, found || i > 0, "%s shows no command output", path)
		if *update && found {
			require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
		}
	}
}

// checkOutputs compares every marked output block of doc with the command's output, and
// returns doc with the blocks replaced by the current outputs.
func checkOutputs(t *testing.T, path, doc string) (string, bool) {
	t.Helper()
	matches := outputBlockRe.FindAllStringSubmatchIndex(doc, -1)
	var rewritten strings.Builder
	last := 0
	for _, m := range matches {
		args := strings.Fields(doc[m[4]:m[5]])
		wantCode := 0
		if m[6] >= 0 {
			var err error
			wantCode, err = strconv.Atoi(doc[m[6]:m[7]])
			require.NoError(t, err)
		}
		res := runCaptured(t, args...)
		assert.Equal(t, wantCode, res.code, "%s: %v: %s", path, args, res.stderr)
		shown := res.stdout
		if doc[m[2]:m[3]] == "stderr" {
			shown = res.stderr
		}
		if !*update {
			assert.Equal(t, shown, doc[m[10]:m[11]], "the output of %v in %s is stale: run go test ./cmd/unsproc -run TestToolsDoc -update", args, path)
		}
		rewritten.WriteString(doc[last:m[10]])
		rewritten.WriteString(shown)
		last = m[11]
	}
	rewritten.WriteString(doc[last:])
	return rewritten.String(), len(matches) > 0
}
