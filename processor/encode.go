package processor

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bytedance/sonic"

	"github.com/unsproc/unsproc/compat"
)

// NonEmittableError says why a mapping's result produced no output (docs/behaviour.md#results-that-are-not-emitted):
// JSON has no form for it.
type NonEmittableError struct {
	// What describes the result, e.g. "undefined or null", "NaN", "a function".
	What string
}

// Error implements error.
func (e *NonEmittableError) Error() string {
	return "result is " + e.What + ", which cannot be emitted as JSON"
}

var (
	errNullResult = &NonEmittableError{What: "undefined or null"}
	errNaNResult  = &NonEmittableError{What: "NaN"}
	errInfResult  = &NonEmittableError{What: "Infinity or -Infinity"}
	errFuncResult = &NonEmittableError{What: "a function"}
)

// dateLayout renders Date results like JavaScript's toISOString: UTC, milliseconds.
const dateLayout = "2006-01-02T15:04:05.000Z"

// encoder appends JSON for mapping results. Map keys are sorted like encoding/json
// does, using keys as reusable scratch space, so encoding does not allocate.
type encoder struct {
	keys []string
}

// appendValue appends v, a mapping result (goja's Export types: float64, int64,
// string, bool, nil, map[string]any, []any, time.Time, functions…), as JSON. A result
// JSON cannot hold (nil at the top level, NaN, ±Inf, functions, anywhere) returns a
// *NonEmittableError; dst then holds partial output the caller must discard.
func (e *encoder) appendValue(dst []byte, v any) ([]byte, error) {
	if v == nil {
		return dst, errNullResult
	}
	return e.appendJSON(dst, v)
}

func (e *encoder) appendJSON(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case float64:
		dst, ok := compat.AppendJSONNumber(dst, x)
		if !ok {
			return dst, nonFinite(x)
		}
		return dst, nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case string:
		return appendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case time.Time:
		dst = append(dst, '"')
		dst = x.UTC().AppendFormat(dst, dateLayout)
		return append(dst, '"'), nil
	case []any:
		dst = append(dst, '[')
		for i, el := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = e.appendJSON(dst, el); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		return e.appendObject(dst, x)
	}
	return appendOther(dst, v)
}

// appendObject writes m with its keys in byte-wise order, as encoding/json does.
func (e *encoder) appendObject(dst []byte, m map[string]any) ([]byte, error) {
	start := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	keys := e.keys[start:]
	slices.Sort(keys)
	defer func() { e.keys = e.keys[:start] }()

	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = e.appendJSON(dst, m[k]); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendOther handles result types the fast cases do not know (other numeric kinds,
// goja's exports of Map or RegExp…) through sonic, which follows encoding/json.
func appendOther(dst []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Func:
		return dst, errFuncResult
	case reflect.Float32, reflect.Float64:
		if f := rv.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return dst, nonFinite(f)
		}
	}
	b, err := sonic.ConfigStd.Marshal(v)
	if err != nil {
		return dst, &NonEmittableError{What: "not encodable as JSON (" + err.Error() + ")"}
	}
	return append(dst, b...), nil
}

// nonFinite is the error for a NaN or infinite f.
func nonFinite(f float64) error {
	if math.IsNaN(f) {
		return errNaNResult
	}
	return errInfResult
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string exactly like encoding/json: HTML-sensitive
// characters, U+2028 and U+2029 are escaped, invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
