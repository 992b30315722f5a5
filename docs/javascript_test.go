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

// builtinsTable renders the fast path's built-ins as javascript.md lists them.
func builtinsTable() string {
	code := func(s string) string {
		if s == "" {
			return ""
		}
		return "`" + s + "`"
	}
	lines := []string{
		formatRow([]string{"Built-in", "Arguments", "Operands", "Helper", "Machines", "Other operands: fallback reason"}),
		"|---|---|---|---|---|---|",
	}
	for _, b := range compiler.Builtins() {
		lines = append(lines, formatRow([]string{code(b.Name), b.Arity, strings.Join(b.Operands, ", "),
			code(b.Helper), strings.Join(b.Machines, ", "), b.Fallback}))
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestJavaScriptBuiltins checks the list of fast-path built-ins in javascript.md against
// the compiler's table (or rewrites it with -update).
func TestJavaScriptBuiltins(t *testing.T) {
	const path = "javascript.md"
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	current, replace := section(t, string(text), "builtins")
	checkGenerated(t, path, current, builtinsTable(), replace)
}

// TestArchitectureBuiltins requires architecture.md's summary of the fast-path subset
// (the paragraph that begins "The subset covers") to name every function and method of
// the compiler's built-in table.
func TestArchitectureBuiltins(t *testing.T) {
	text, err := os.ReadFile("architecture.md")
	require.NoError(t, err)
	const start = "The subset covers"
	i := strings.Index(string(text), start)
	require.GreaterOrEqual(t, i, 0, "architecture.md has no paragraph beginning %q", start)
	paragraph := string(text[i:])
	if j := strings.Index(paragraph, "\n\n"); j >= 0 {
		paragraph = paragraph[:j]
	}
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(paragraph, func(r rune) bool {
		return !(r == '_' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		words[strings.TrimSuffix(w, ".")] = true
		words[w[strings.LastIndex(w, ".")+1:]] = true
	}
	for _, b := range compiler.Builtins() {
		if b.Arity == "" && !strings.HasPrefix(b.Name, ".") {
			continue // the Math constants, which the page names as a group
		}
		name := b.Name[strings.LastIndex(b.Name, ".")+1:]
		require.True(t, words[name], "architecture.md's fast-path subset does not name %s", b.Name)
	}
}
