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

// update rewrites the command outputs shown in docs/tools.md instead of comparing them.
var update = flag.Bool("update", false, "rewrite the command outputs in docs/tools.md")

// outputBlockRe matches a marker naming a command and the fenced block after it that
// holds the command's output.
var outputBlockRe = regexp.MustCompile("<!-- output of: (.+?)(?: \\(exit (\\d+)\\))? -->\n```(\\w*)\n((?s:.*?))```")

// TestToolsDoc runs every command shown in docs/tools.md from the repository root and
// checks that the page shows its current output and exit status.
func TestToolsDoc(t *testing.T) {
	t.Chdir("../..")
	const path = "docs/tools.md"
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	// The page shows what happens without these variables.
	t.Setenv("tF", "")
	require.NoError(t, os.Unsetenv("tF"))

	doc := string(text)
	matches := outputBlockRe.FindAllStringSubmatchIndex(doc, -1)
	require.NotEmpty(t, matches)
	var rewritten strings.Builder
	last := 0
	for _, m := range matches {
		args := strings.Fields(doc[m[2]:m[3]])
		wantCode := 0
		if m[4] >= 0 {
			wantCode, err = strconv.Atoi(doc[m[4]:m[5]])
			require.NoError(t, err)
		}
		res := runCLI(t, args...)
		assert.Equal(t, wantCode, res.code, "%v: %s", args, res.stderr)
		if !*update {
			assert.Equal(t, res.stdout, doc[m[8]:m[9]], "the output of %v in %s is stale: run go test ./cmd/unsproc -run TestToolsDoc -update", args, path)
		}
		rewritten.WriteString(doc[last:m[8]])
		rewritten.WriteString(res.stdout)
		last = m[9]
	}
	rewritten.WriteString(doc[last:])
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(rewritten.String()), 0o644))
	}
}
