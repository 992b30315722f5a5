package docs

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// update rewrites the generated parts of the docs instead of comparing them.
var update = flag.Bool("update", false, "rewrite the generated parts of the docs")

// section returns the text of doc between the markers <!-- name:begin --> and
// <!-- name:end -->, and a function that puts new text in its place.
func section(t *testing.T, doc, name string) (string, func(string) string) {
	t.Helper()
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	require.True(t, i >= 0 && j > i, "the markers of section %s are missing", name)
	i += len(begin)
	return doc[i:j], func(s string) string { return doc[:i] + s + doc[j:] }
}

// checkGenerated compares a generated file or section with what the code gives now, or
// rewrites it with -update.
func checkGenerated(t *testing.T, path, current, want string, replace func(string) string) {
	t.Helper()
	if current == want {
		return
	}
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(replace(want)), 0o644))
		return
	}
	require.Equal(t, want, current, "%s is stale: run go test ./docs -update and review the diff", path)
}

// tableRow is one row of a Markdown table, its cells trimmed, with `\|` unescaped.
func tableRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(strings.TrimSuffix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// formatRow renders cells as a Markdown table row, escaping `|`.
func formatRow(cells []string) string {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		if c != "" {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`))
		}
		b.WriteString(" |")
	}
	return b.String()
}

// codeSpan returns the text of a Markdown code span: one backtick on each side, or two
// and a space when the code holds a backtick.
func codeSpan(cell string) string {
	for _, fence := range []string{"`` ", "`"} {
		closing := fence
		if fence == "`` " {
			closing = " ``"
		}
		if strings.HasPrefix(cell, fence) && strings.HasSuffix(cell, closing) && len(cell) >= len(fence)+len(closing) {
			return cell[len(fence) : len(cell)-len(closing)]
		}
	}
	return ""
}
