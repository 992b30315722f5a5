package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/unsproc/unsproc/internal/editdistance"
	"github.com/unsproc/unsproc/vm"
)

// unknownNamePrefix starts the message of an unknown-name error.
const unknownNamePrefix = "unknown name "

// UnknownName returns the name an "unknown name" error is about (neither a source alias
// nor a JavaScript global), or "" for any other error.
func UnknownName(e *Error) string {
	if !strings.HasPrefix(e.Msg, unknownNamePrefix) || e.Offset < 0 || e.Offset > len(e.Source) {
		return ""
	}
	end := e.Offset
	for end < len(e.Source) && isIdentChar(e.Source[end]) {
		end++
	}
	return e.Source[e.Offset:end]
}

// unknownNameHint says what the unknown name at offset in src was probably meant to
// be: an alias written with '-' (which JavaScript reads as a subtraction), an alias
// or global with a typo, or text to quote.
func unknownNameHint(src string, offset int, name string, aliases []string) string {
	var hints []string
	if word := dashedWord(src, offset, len(name)); word != "" {
		hints = append(hints, fmt.Sprintf("%s reads as %s, a subtraction: a name cannot contain '-'; rename the alias, e.g. to %s, under sources and in the mappings",
			word, strings.ReplaceAll(word, "-", " - "), strings.ReplaceAll(word, "-", "_")))
	} else if close := Suggest(name, append(slices.Clone(aliases), vm.Globals()...)); len(close) > 0 {
		hints = append(hints, "did you mean "+strings.Join(close, " or ")+"?")
	}
	hints = append(hints, fmt.Sprintf(`to emit the text %q, quote it inside the YAML value: '"%s"'`, name, name))
	if len(aliases) > 0 {
		hints = append(hints, fmt.Sprintf("the aliases are %v", slices.Sorted(slices.Values(aliases))))
	}
	return strings.Join(hints, "; ")
}

// dashedWord returns the words joined by '-' around the name at src[offset:offset+n]
// (run-state around run or state), or "" when no '-' joins it to another word.
func dashedWord(src string, offset, n int) string {
	start, end := offset, offset+n
	for start >= 2 && src[start-1] == '-' && isIdentChar(src[start-2]) {
		start -= 2
		for start > 0 && isIdentChar(src[start-1]) {
			start--
		}
	}
	for end+1 < len(src) && src[end] == '-' && isIdentChar(src[end+1]) {
		end += 2
		for end < len(src) && isIdentChar(src[end]) {
			end++
		}
	}
	if start == offset && end == offset+n {
		return ""
	}
	return src[start:end]
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Suggest returns the candidates close enough to name to be what was meant, closest
// first: at most one edit (a letter added, removed, changed, or two swapped) for names
// of up to four letters, two up to eight, three beyond. A difference of case alone
// counts as one edit. name itself is never suggested.
func Suggest(name string, candidates []string) []string {
	limit := 3
	switch {
	case len(name) <= 4:
		limit = 1
	case len(name) <= 8:
		limit = 2
	}
	type scored struct {
		name string
		dist int
	}
	var found []scored
	for _, c := range candidates {
		if c == name || slices.ContainsFunc(found, func(s scored) bool { return s.name == c }) {
			continue
		}
		d := editdistance.Distance(name, c)
		if strings.EqualFold(name, c) {
			d = 1
		}
		if d <= limit {
			found = append(found, scored{c, d})
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]string, 0, len(found))
	for _, s := range found {
		out = append(out, s.name)
	}
	return out
}
