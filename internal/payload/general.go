package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bytedance/sonic"

	"github.com/unsproc/unsproc/value"
)

// decodeGeneral finds the fields of any payload with sonic, which validates the whole
// document like encoding/json. The value is left as text for check to decode.
func decodeGeneral(b []byte, f *fields) {
	// Rejected without building a decoder's error: bad input must be cheap. sonic's
	// validator lets some invalid escapes pass (`"0\0"` in an ignored member), so a
	// payload with a backslash is also checked by encoding/json's.
	if !sonic.ConfigStd.Valid(b) || bytes.IndexByte(b, '\\') >= 0 && !json.Valid(b) {
		f.invalid, f.notObject = true, opensOther(b)
		return
	}
	var members map[string]json.RawMessage
	if err := sonic.ConfigStd.Unmarshal(b, &members); err != nil {
		f.invalid, f.notObject, f.detail = true, opensOther(b), firstLine(err.Error())
		return
	}
	if members == nil {
		f.notObject = true // top-level null
		return
	}
	if raw, ok := members["value"]; ok {
		f.hasValue, f.rawValue = true, raw
	}
	if raw, ok := members["timestamp_ms"]; ok {
		size, isNumber := scanNumber(raw, &f.ts)
		f.hasTs, f.tsIsNumber, f.tsTok = true, isNumber && size == len(raw), raw
	}
}

// decodeValue decodes a payload's value as encoding/json would into an any. sonic
// decodes the integer token -0 as +0 once its compiled decoders are in use (the first
// decode in a process still gives -0), so a value that may hold one (its text has
// "-0" anywhere, a string's included) keeps its numbers as text and has them
// converted by numbersToFloats, the same way whatever was decoded before.
func decodeValue(raw []byte) (value.Value, error) {
	var v any
	if !bytes.Contains(raw, []byte("-0")) {
		if err := sonic.ConfigStd.Unmarshal(raw, &v); err != nil {
			return value.Value{}, errors.New(firstLine(err.Error()))
		}
		return value.FromAny(v), nil
	}
	if err := numberDecoder.Unmarshal(raw, &v); err != nil {
		return value.Value{}, errors.New(firstLine(err.Error()))
	}
	v, err := numbersToFloats(v)
	if err != nil {
		return value.Value{}, err
	}
	return value.FromAny(v), nil
}

// numberDecoder is sonic.ConfigStd with numbers kept as their text (json.Number), for
// decodeValue.
var numberDecoder = sonic.Config{
	EscapeHTML: true, SortMapKeys: true, CompactMarshaler: true, CopyString: true, ValidateString: true, // as sonic.ConfigStd
	UseNumber: true,
}.Froze()

// numbersToFloats replaces every json.Number in v, a value decoded by numberDecoder,
// with its float64 as encoding/json gives it (correctly rounded, the sign of zero
// kept; a number beyond float64 range is an error, as there). Objects and arrays are
// updated in place.
func numbersToFloats(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, fmt.Errorf("number %s is out of range", x)
		}
		return f, nil
	case []any:
		for i, el := range x {
			el, err := numbersToFloats(el)
			if err != nil {
				return nil, err
			}
			x[i] = el
		}
	case map[string]any:
		for k, el := range x {
			el, err := numbersToFloats(el)
			if err != nil {
				return nil, err
			}
			x[k] = el
		}
	}
	return v, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
