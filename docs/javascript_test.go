package docs

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

// docAliases are the aliases the examples of javascript.md use.
var docAliases = []string{"press", "tF", "name", "running", "obj"}

// TestJavaScriptTable compiles every example of the construct table in javascript.md
// and checks the kind, engine and fallback reason it states (or rewrites them with
// -update): the page cannot drift from the compiler.
func TestJavaScriptTable(t *testing.T) {
	const path = "javascript.md"
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	table, replace := section(t, string(text), "constructs")

	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	require.Greater(t, len(lines), 2)
	require.Equal(t, []string{"Construct", "Example", "Kind", "Engine", "Fallback reason"}, tableRow(lines[0]))
	out := append([]string{}, lines[:2]...)
	engines := map[string]int{}
	for _, line := range lines[2:] {
		cells := tableRow(line)
		require.Len(t, cells, 5, "row %q", line)
		src := codeSpan(cells[1])
		require.NotEmpty(t, src, "the example of row %q is not code", line)
		prog, err := compiler.Compile(src, docAliases)
		require.NoError(t, err, "example %q", src)
		cells[2] = prog.Kind().String()
		cells[3], cells[4] = "expr", ""
		if !prog.Fast() {
			cells[3], cells[4] = "goja", prog.FallbackReason()
		}
		engines[cells[3]]++
		out = append(out, formatRow(cells))
	}
	require.NotZero(t, engines["expr"])
	require.NotZero(t, engines["goja"])
	checkGenerated(t, path, table, strings.Join(out, "\n")+"\n", replace)
}
