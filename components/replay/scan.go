package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects in a line, so that a hostile line
// cannot exhaust the stack.
const maxDepth = 512

// syntaxError is a JSON syntax error at a byte offset of the scanned text.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.offset+1, e.msg)
}

// errAt returns a syntaxError for b at i: the end of the text, or the byte found.
func errAt(b []byte, i int, want string) error {
	if i >= len(b) {
		return &syntaxError{offset: i, msg: "unexpected end of line, expected " + want}
	}
	return &syntaxError{offset: i, msg: fmt.Sprintf("unexpected %q, expected %s", b[i], want)}
}

// skipSpace returns the index of the first byte at or after i that is not JSON
// whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// field is one member of a JSON object: its key, without the quotes, and its value's
// text, both slices of the scanned text. escaped tells whether the key holds escape
// sequences (and so differs from its decoded form).
type field struct {
	key, value []byte
	escaped    bool
}

// walkObject checks that b holds a JSON object at i (after whitespace) and calls fn
// for each member in order, stopping at fn's first error. It returns the index just
// past the object. Values are checked for well-formedness but not decoded.
func walkObject(b []byte, i int, fn func(field) error) (int, error) {
	return walkNested(b, i, 1, fn)
}

// walkNested is walkObject for an object at nesting level depth.
func walkNested(b []byte, i, depth int, fn func(field) error) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != '{' {
		return i, errAt(b, i, "a JSON object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, errAt(b, i, "a string key")
		}
		end, escaped, err := scanString(b, i)
		if err != nil {
			return end, err
		}
		f := field{key: b[i+1 : end-1], escaped: escaped}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return i, errAt(b, i, "':'")
		}
		start := skipSpace(b, i+1)
		if i, err = skipValue(b, start, depth+1); err != nil {
			return i, err
		}
		f.value = b[start:i]
		if err := fn(f); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		return i, errAt(b, i, "',' or '}'")
	}
}

// skipValue checks the JSON value starting at b[i] and returns the index just past
// it. depth is the nesting level of the value.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, errAt(b, i, "a value")
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := scanString(b, i)
		return end, err
	case c == '{':
		if depth > maxDepth {
			return i, &syntaxError{offset: i, msg: "nested too deeply"}
		}
		return walkNested(b, i, depth, ignoreField)
	case c == '[':
		if depth > maxDepth {
			return i, &syntaxError{offset: i, msg: "nested too deeply"}
		}
		return skipArray(b, i, depth)
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	}
	return i, errAt(b, i, "a value")
}

// ignoreField is the walkNested callback of objects whose members are not needed.
func ignoreField(field) error { return nil }

// skipArray checks the JSON array starting at b[i] and returns the index past it.
func skipArray(b []byte, i, depth int) (int, error) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = skipValue(b, i, depth+1); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		return i, errAt(b, i, "',' or ']'")
	}
}

// scanString checks the JSON string starting at the quote b[i] and returns the index
// past its closing quote and whether it holds escape sequences.
func scanString(b []byte, i int) (end int, escaped bool, err error) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(b) {
				return i, escaped, errAt(b, i, "an escape sequence")
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					i++
					if i >= len(b) || !isHex(b[i]) {
						return i, escaped, errAt(b, i, "a hexadecimal digit")
					}
				}
			default:
				return i, escaped, errAt(b, i, "an escape sequence")
			}
		case c < 0x20:
			return i, escaped, &syntaxError{offset: i, msg: "control character in string"}
		}
	}
	return i, escaped, errAt(b, i, "'\"'")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber checks the JSON number starting at b[i] and returns the index past it.
func scanNumber(b []byte, i int) (int, error) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && isDigit(b[i]):
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return i, errAt(b, i, "a digit")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, errAt(b, i, "a digit")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, errAt(b, i, "a digit")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, nil
}

// scanLiteral checks that b holds lit at i and returns the index past it.
func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, &syntaxError{offset: i, msg: "invalid literal, expected " + lit}
	}
	return i + len(lit), nil
}

// errNotString is returned by unquote for a value that is not a JSON string.
var errNotString = errors.New("not a string")

// unquote returns the contents of the JSON string s (quotes included, already checked
// by scanString): a slice of s when it holds no escape sequences and is valid UTF-8,
// else its form decoded by encoding/json (invalid UTF-8 replaced by U+FFFD) in new
// memory.
func unquote(s []byte) ([]byte, error) {
	if len(s) < 2 || s[0] != '"' {
		return nil, errNotString
	}
	inner := s[1 : len(s)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return inner, nil
	}
	var text string
	if err := json.Unmarshal(s, &text); err != nil {
		return nil, err
	}
	return []byte(text), nil
}
