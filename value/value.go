// Package value is the vocabulary shared by compiler, vm, state and processor: the
// Value an evaluation takes and gives, and the Kind that tells JavaScript's types apart.
// It depends on nothing but the standard library, so that holding values (state) does
// not pull in the engines that compute them.
package value

// Value is a JavaScript value as the evaluators exchange it: a number unboxed (IsNum),
// anything else in Any as encoding/json decodes it (string, bool, nil, map[string]any,
// []any) or as goja's Export gives it. Passing numbers unboxed is what lets a numeric
// evaluation run without allocating.
type Value struct {
	Num   float64 // the number, when IsNum
	IsNum bool    // the value is a number held in Num
	Any   any     // any other value
}

// Num returns the numeric Value f.
func Num(f float64) Value { return Value{Num: f, IsNum: true} }

// FromAny converts a value as encoding/json decodes it: a float64 becomes a number.
func FromAny(v any) Value {
	if f, ok := v.(float64); ok {
		return Num(f)
	}
	return Value{Any: v}
}

// Interface returns the value as one interface value, a number as float64.
func (v Value) Interface() any {
	if v.IsNum {
		return v.Num
	}
	return v.Any
}

// Kind is the JavaScript type of a Value as encoding/json would decode it. Other is the
// zero Kind.
type Kind uint8

// The kinds of Value.
const (
	Other  Kind = iota // any type not listed below, such as goja's time.Time for a Date
	Number             // float64, unboxed or not
	String             // string
	Bool               // bool
	Null               // nil: null, and undefined as goja exports it
	Object             // map[string]any
	Array              // []any
	// NumKinds is the number of kinds, for tables indexed by Kind.
	NumKinds
)

// Kind returns v's kind.
func (v Value) Kind() Kind {
	if v.IsNum {
		return Number
	}
	switch v.Any.(type) {
	case float64:
		return Number
	case string:
		return String
	case bool:
		return Bool
	case nil:
		return Null
	case map[string]any:
		return Object
	case []any:
		return Array
	}
	return Other
}
