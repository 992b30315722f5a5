// Package payload decodes UNS timeseries payloads, {"value": <any non-null JSON>,
// "timestamp_ms": <integral number in (0, 2^63)>}, under the payload rules of
// docs/behaviour.md#payload-rules.
//
// Three decoders read a payload, each for the layouts it can read quickly: the
// canonical one (exactly {"value":<number>,"timestamp_ms":<digits>}), the flat one
// (one object of scalars, no escapes) and the general one (sonic, anything). A decoder
// only finds the fields: whether the document is an object, the value and the
// timestamp token each present or not, the last of duplicate keys winning. One
// method, check, then applies every rule in one fixed order, so a payload is
// accepted or rejected for the same reason whichever decoder read it. The first rule
// broken gives the reason: a document that does not start with an object; invalid
// JSON; "value" missing, holding a number beyond the float64 range, or null;
// "timestamp_ms" missing, or not an integral JSON number in (0, 2^63).
package payload

import (
	"strconv"

	"github.com/unsproc/unsproc/value"
)

// Error says why a payload was rejected. The message is skipped and the state is left
// unchanged.
type Error struct {
	// Reason says what is wrong, e.g. `"value" is missing`.
	Reason string
	rule   rule // which rule refused the payload (ruleNone when built by other code)
}

// Error implements error.
func (e *Error) Error() string { return "invalid timeseries payload: " + e.Reason }

// rule names each payload rule, in the order check applies them.
type rule uint8

const (
	ruleNone rule = iota
	ruleInvalidJSON
	ruleNotObject
	ruleValueMissing
	ruleValueInvalid
	ruleValueNull
	ruleTsMissing
	ruleTsInvalid
)

var (
	errInvalidJSON  = &Error{Reason: "invalid JSON", rule: ruleInvalidJSON}
	errNotObject    = &Error{Reason: `not a JSON object (expected {"value": …, "timestamp_ms": …})`, rule: ruleNotObject}
	errValueMissing = &Error{Reason: `"value" is missing`, rule: ruleValueMissing}
	errValueNull    = &Error{Reason: `"value" is null`, rule: ruleValueNull}
	errTsMissing    = &Error{Reason: `"timestamp_ms" is missing`, rule: ruleTsMissing}
	errTsInvalid    = &Error{Reason: `"timestamp_ms" must be an integral JSON number greater than 0 and below 2^63`, rule: ruleTsInvalid}
)

// Decode decodes a timeseries payload. Keys match exactly, other keys are ignored and
// a repeated key keeps its last value. The value comes back as encoding/json would
// decode it into an any, a number unboxed. For the canonical layout (its usual
// form, see decodeCanonical), tail is the end of b that AppendTail would write for ts,
// which outputs can copy; it is nil for other layouts. The usual flat shapes take allocation-free paths (a string value costs its
// copy); anything else goes through sonic. A rejection is an *Error.
func Decode(b []byte) (v value.Value, ts int64, tail []byte, err error) {
	if num, ts, tail := decodeCanonical(b); tail != nil {
		return value.Num(num), ts, tail, nil // every rule accepts a canonical payload
	}
	var f fields
	if !decodeFlat(b, &f) {
		f = fields{}
		decodeGeneral(b, &f)
	}
	if ts, err = f.check(); err != nil {
		return value.Value{}, 0, nil, err
	}
	return f.value, ts, nil, nil
}

// tailPrefix starts the tail of every canonical payload.
const tailPrefix = `,"timestamp_ms":`

// AppendTail appends `,"timestamp_ms":<ts>}`, the end of a canonical payload, to dst.
func AppendTail(dst []byte, ts int64) []byte {
	return append(strconv.AppendInt(append(dst, tailPrefix...), ts, 10), '}')
}

// fields is what a decoder found in a payload, for check to judge.
type fields struct {
	// invalid is set when the document is not one well-formed JSON value; detail,
	// if any, says what the JSON decoder found wrong.
	invalid bool
	detail  string
	// notObject is set for a document, well-formed or not, that does not start
	// with an object (see opensOther); a top-level null is one.
	notObject bool

	hasValue bool
	// value is the decoded value (null is the zero Value) unless rawValue is set;
	// rawValue is the value's JSON text when the decoder left decoding it to check.
	value    value.Value
	rawValue []byte

	hasTs bool
	// tsIsNumber says the timestamp token is one JSON number, scanned into ts; tsTok
	// is the token (or its digits, see jsonNumber.digit).
	tsIsNumber bool
	ts         jsonNumber
	tsTok      []byte
}

// check applies every payload rule to what a decoder found, in this order: the
// document starts with an object and is valid JSON; "value" is present, decodable
// (no number beyond the float64 range) and not null; "timestamp_ms" is present and an
// integral number in (0, 2^63). On success f.value holds the value.
func (f *fields) check() (ts int64, err error) {
	switch {
	case f.notObject:
		return 0, errNotObject
	case f.invalid:
		if f.detail != "" {
			return 0, &Error{Reason: "invalid JSON: " + f.detail, rule: ruleInvalidJSON}
		}
		return 0, errInvalidJSON
	case !f.hasValue:
		return 0, errValueMissing
	}
	if f.rawValue != nil {
		if f.value, err = decodeValue(f.rawValue); err != nil {
			return 0, &Error{Reason: `invalid "value": ` + err.Error(), rule: ruleValueInvalid}
		}
	}
	switch {
	case !f.value.IsNum && f.value.Any == nil:
		return 0, errValueNull
	case !f.hasTs:
		return 0, errTsMissing
	case !f.tsIsNumber:
		return 0, errTsInvalid
	}
	ts, ok := f.ts.timestamp(f.tsTok)
	if !ok {
		return 0, errTsInvalid
	}
	return ts, nil
}

// opensOther reports whether b's first byte other than white space is there and does
// not open an object: a document of another kind, valid or not.
func opensOther(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return c != '{'
		}
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
