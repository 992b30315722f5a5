package vm

// Value is a JavaScript value as the evaluators exchange it: a number unboxed (IsNum),
// anything else in Any as encoding/json decodes it (string, bool, nil, map[string]any,
// []any) or as goja's Export gives it. Passing numbers unboxed is what lets a numeric
// evaluation run without allocating.
type Value struct {
	Num   float64 // the number, when IsNum
	IsNum bool    // the value is a number held in Num
	Any   any     // any other value
}

// Number returns a numeric Value.
func Number(f float64) Value { return Value{Num: f, IsNum: true} }

// FromAny converts a value as encoding/json decodes it: a float64 becomes a number.
func FromAny(v any) Value {
	if f, ok := v.(float64); ok {
		return Number(f)
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
