package processor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bytedance/sonic"

	"github.com/unsproc/unsproc/vm"
)

// PayloadError says why an input payload was rejected (spec §14.8). The message is
// skipped and the state is left unchanged.
type PayloadError struct {
	Reason string
}

// Error implements error.
func (e *PayloadError) Error() string { return "invalid timeseries payload: " + e.Reason }

var (
	errInvalidJSON  = &PayloadError{Reason: "invalid JSON"}
	errNotObject    = &PayloadError{Reason: `not a JSON object (expected {"value": …, "timestamp_ms": …})`}
	errValueMissing = &PayloadError{Reason: `"value" is missing`}
	errValueNull    = &PayloadError{Reason: `"value" is null`}
	errTsMissing    = &PayloadError{Reason: `"timestamp_ms" is missing`}
	errTsInvalid    = &PayloadError{Reason: `"timestamp_ms" must be an integral JSON number greater than 0 and below 2^63`}
)

// decodePayload decodes a timeseries payload {"value": <any non-null JSON>,
// "timestamp_ms": <integral number in (0, 2^63)>}. Keys match exactly, other keys are
// ignored and a repeated key keeps its last value. The value comes back as
// encoding/json would decode it into an any, a number unboxed. The canonical layout
// (see decodeCanonical) also gives its tail, `,"timestamp_ms":<ts>}`, which outputs
// can copy; tail is nil for other layouts. The usual flat shape takes an
// allocation-free path (a string value costs its copy); anything else goes through
// sonic.
func decodePayload(b []byte) (v vm.Value, ts int64, tail []byte, err error) {
	if v, ts, tail, ok := decodeCanonical(b); ok {
		return v, ts, tail, nil
	}
	if v, ts, err, ok := decodeFlat(b); ok {
		return v, ts, nil, err
	}
	if !sonic.ConfigStd.Valid(b) {
		// Rejected without building a decoder's error: bad input must be cheap.
		if len(b) > 0 && b[firstNonSpace(b)] != '{' {
			return vm.Value{}, 0, nil, errNotObject
		}
		return vm.Value{}, 0, nil, errInvalidJSON
	}
	v, ts, err = decodeGeneral(b)
	return v, ts, nil, err
}

// decodeGeneral handles every payload with sonic, which validates the whole document
// like encoding/json.
func decodeGeneral(b []byte) (vm.Value, int64, error) {
	var fields map[string]json.RawMessage
	if err := sonic.ConfigStd.Unmarshal(b, &fields); err != nil {
		if len(b) > 0 && b[firstNonSpace(b)] != '{' {
			return vm.Value{}, 0, errNotObject
		}
		return vm.Value{}, 0, &PayloadError{Reason: "invalid JSON: " + firstLine(err.Error())}
	}
	if fields == nil {
		return vm.Value{}, 0, errNotObject // top-level null
	}
	rawValue, ok := fields["value"]
	if !ok {
		return vm.Value{}, 0, errValueMissing
	}
	rawTs, ok := fields["timestamp_ms"]
	if !ok {
		return vm.Value{}, 0, errTsMissing
	}
	ts, valid := parseTimestamp(rawTs)
	if !valid {
		return vm.Value{}, 0, errTsInvalid
	}
	v, err := decodeValue(rawValue)
	if err != nil {
		return vm.Value{}, 0, &PayloadError{Reason: `invalid "value": ` + err.Error()}
	}
	if v == nil {
		return vm.Value{}, 0, errValueNull
	}
	return vm.FromAny(v), ts, nil
}

// decodeValue decodes a payload's value as encoding/json would into an any. sonic
// decodes the integer token -0 as +0 once its compiled decoders are in use (the first
// decode in a process still gives -0), so a value that may hold one (its text has
// "-0" anywhere, a string's included) keeps its numbers as text and has them
// converted by numbersToFloats, the same way whatever was decoded before.
func decodeValue(raw []byte) (any, error) {
	var v any
	if !bytes.Contains(raw, []byte("-0")) {
		if err := sonic.ConfigStd.Unmarshal(raw, &v); err != nil {
			return nil, errors.New(firstLine(err.Error()))
		}
		return v, nil
	}
	if err := numberDecoder.Unmarshal(raw, &v); err != nil {
		return nil, errors.New(firstLine(err.Error()))
	}
	return numbersToFloats(v)
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

// unclosedObject reports whether b opens a JSON object but does not end with '}' (a
// payload cut off in transit, typically): invalid JSON, found without scanning it.
func unclosedObject(b []byte) bool {
	i, j := 0, len(b)-1
	for i <= j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j]) {
		j--
	}
	if i > j || b[i] != '{' {
		return false
	}
	return i == j || b[j] != '}'
}

func firstNonSpace(b []byte) int {
	i := 0
	for i < len(b)-1 && isSpace(b[i]) {
		i++
	}
	return i
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
