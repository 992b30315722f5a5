package compiler

import (
	"fmt"
	"strings"
)

// Error is a problem found while compiling one expression.
type Error struct {
	Source string // the expression as written
	Offset int    // byte offset in Source where the problem is, -1 when unknown
	Msg    string // what is wrong
	Hint   string // how to fix it; may be empty
}

// Error renders the problem with its position (line:column within the expression) and hint.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid expression ")
	b.WriteString(quoteShort(e.Source))
	if pos := e.Position(); pos != "" {
		b.WriteString(" at " + pos)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (hint: ")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func newError(src string, offset int, hint, format string, args ...any) *Error {
	return &Error{Source: src, Offset: offset, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// Position is where the problem is within the expression, "line:column" (1-based,
// columns in characters), or "" when unknown.
func (e *Error) Position() string {
	if e.Offset < 0 {
		return ""
	}
	line, col := position(e.Source, e.Offset)
	return fmt.Sprintf("%d:%d", line, col)
}

// position converts a byte offset into a 1-based line and column (in runes).
func position(src string, offset int) (line, col int) {
	if offset > len(src) {
		offset = len(src)
	}
	line, col = 1, 1
	for _, r := range src[:offset] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return line, col
}

// quoteShort quotes src for an error message, eliding the middle of long sources.
func quoteShort(src string) string {
	const max = 80
	if len(src) > max {
		cut := max / 2
		for cut > 0 && !isRuneStart(src[cut]) {
			cut--
		}
		end := len(src) - max/2
		for end < len(src) && !isRuneStart(src[end]) {
			end++
		}
		src = src[:cut] + "…" + src[end:]
	}
	return fmt.Sprintf("%q", src)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
