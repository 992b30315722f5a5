package datamodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Type is a JSON type a shape's field may declare with _type, or TypeObject for a
// custom shape or a nested group of fields.
type Type string

// The types of payload shape fields.
const (
	TypeString  Type = "string"
	TypeNumber  Type = "number"
	TypeBoolean Type = "boolean"
	TypeInteger Type = "integer" // a number without a fraction
	TypeObject  Type = "object"  // not a _type: a custom shape, or nested fields
)

// Shape is a payload shape: a built-in timeseries shape, whose value has one type,
// or a custom (relational) one, whose value is an object with fields.
type Shape struct {
	Name string
	// Value is the type of a timeseries shape's value; "" for a custom shape.
	Value Type
	// Fields are a custom shape's fields, sorted by name.
	Fields []ShapeField
}

// ShapeField is a field of a custom shape: a typed value, or nested fields
// (Type is then TypeObject).
type ShapeField struct {
	Name   string
	Type   Type
	Fields []ShapeField // nested fields, sorted by name
}

// Kind is the JSON type of a value of the shape: Value for a timeseries shape,
// TypeObject for a custom one.
func (s *Shape) Kind() Type {
	if s.Value != "" {
		return s.Value
	}
	return TypeObject
}

// builtinShapes are the timeseries shapes every file has.
func builtinShapes() map[string]*Shape {
	return map[string]*Shape{
		"timeseries-number":  {Name: "timeseries-number", Value: TypeNumber},
		"timeseries-string":  {Name: "timeseries-string", Value: TypeString},
		"timeseries-boolean": {Name: "timeseries-boolean", Value: TypeBoolean},
	}
}

func (f *File) parseShapes(n *yaml.Node) error {
	pairs, err := f.pairs(n, "", "payloadShapes")
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		name := kv[0].Value
		where := fmt.Sprintf("payload shape %q", name)
		if _, builtin := f.shapes[name]; builtin {
			return f.errorf(kv[0], where, "redefines a built-in shape")
		}
		spairs, err := f.pairs(kv[1], where, "a payload shape")
		if err != nil {
			return err
		}
		var fields *yaml.Node
		for _, s := range spairs {
			switch s[0].Value {
			case "fields":
				fields = s[1]
			case "description":
			default:
				return f.errorf(s[0], where, "unknown key %q in a payload shape (expected fields, description)", s[0].Value)
			}
		}
		if fields == nil {
			return f.errorf(kv[0], where, "no fields:")
		}
		shape := &Shape{Name: name}
		if shape.Fields, err = f.parseShapeFields(fields, where, ""); err != nil {
			return err
		}
		if len(shape.Fields) == 0 {
			return f.errorf(fields, where, "a payload shape needs at least one field")
		}
		f.shapes[name] = shape
	}
	return nil
}

func (f *File) parseShapeFields(n *yaml.Node, where, prefix string) ([]ShapeField, error) {
	pairs, err := f.pairs(n, where, "fields")
	if err != nil {
		return nil, err
	}
	var out []ShapeField
	for _, kv := range pairs {
		name := kv[0].Value
		path := joinPath(prefix, name)
		fwhere := fieldWhere(where, path)
		if name == "" || strings.HasPrefix(name, "_") {
			return nil, f.errorf(kv[0], fwhere, "invalid field name %q", name)
		}
		fpairs, err := f.pairs(kv[1], fwhere, "a shape field")
		if err != nil {
			return nil, err
		}
		field := ShapeField{Name: name}
		var sub []*yaml.Node
		for _, p := range fpairs {
			if p[0].Value == "_type" {
				t, err := f.scalar(p[1], fwhere, "_type")
				if err != nil {
					return nil, err
				}
				switch Type(t) {
				case TypeString, TypeNumber, TypeBoolean, TypeInteger:
					field.Type = Type(t)
				default:
					return nil, f.errorf(p[1], fwhere, "unsupported UMH type: %s (use string, number, boolean or integer)", t)
				}
				continue
			}
			if strings.HasPrefix(p[0].Value, "_") {
				return nil, f.errorf(p[0], fwhere, "unsupported key %q (a shape field has _type or nested fields)", p[0].Value)
			}
			sub = append(sub, p[0], p[1])
		}
		switch {
		case field.Type != "" && len(sub) > 0:
			return nil, f.errorf(kv[0], fwhere, "a field with nested fields cannot have _type")
		case field.Type == "" && len(sub) == 0:
			return nil, f.errorf(kv[0], fwhere, "a shape field needs _type (string, number, boolean or integer) or nested fields")
		case len(sub) > 0:
			field.Type = TypeObject
			if field.Fields, err = f.parseShapeFields(&yaml.Node{Kind: yaml.MappingNode, Line: kv[1].Line, Content: sub}, where, path); err != nil {
				return nil, err
			}
		}
		out = append(out, field)
	}
	slices.SortFunc(out, func(a, b ShapeField) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Check reports why value, the JSON text of a field's value, does not match the
// shape; nil when it does.
func (s *Shape) Check(value []byte) error {
	if s.Value != "" {
		if got := jsonType(value); got != s.Value {
			return fmt.Errorf("%s expects a %s value, got %s", s.Name, s.Value, describe(got))
		}
		return nil
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(value))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return fmt.Errorf("%s: %v", s.Name, err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s expects an object, got %s", s.Name, describe(typeOf(v)))
	}
	if err := checkFields(s.Fields, obj, ""); err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	return nil
}

// checkFields checks an object against custom shape fields: every field present with
// its type, no other key.
func checkFields(fields []ShapeField, obj map[string]any, prefix string) error {
	for _, f := range fields {
		path := joinPath(prefix, f.Name)
		v, ok := obj[f.Name]
		if !ok {
			return fmt.Errorf("field %s is missing", path)
		}
		got := typeOf(v)
		switch {
		case f.Type == TypeInteger && got == TypeNumber:
			if !isInteger(v.(json.Number)) {
				return fmt.Errorf("field %s expects an integer, got %s", path, v)
			}
		case f.Type != got:
			return fmt.Errorf("field %s expects %s, got %s", path, describe(f.Type), describe(got))
		case f.Type == TypeObject:
			if err := checkFields(f.Fields, v.(map[string]any), path); err != nil {
				return err
			}
		}
	}
	if len(obj) > len(fields) {
		for k := range obj {
			if !slices.ContainsFunc(fields, func(f ShapeField) bool { return f.Name == k }) {
				return fmt.Errorf("field %s is not in the shape", joinPath(prefix, k))
			}
		}
	}
	return nil
}

// isInteger reports whether a JSON number has no fraction.
func isInteger(n json.Number) bool {
	f, err := n.Float64()
	return err == nil && f == math.Trunc(f)
}

// typeOf is the JSON type of a value decoded with UseNumber; "" for null, "array"
// for arrays.
func typeOf(v any) Type {
	switch v.(type) {
	case string:
		return TypeString
	case json.Number:
		return TypeNumber
	case bool:
		return TypeBoolean
	case map[string]any:
		return TypeObject
	case []any:
		return "array"
	}
	return ""
}

// jsonType is the JSON type of a JSON text, from its first byte.
func jsonType(value []byte) Type {
	if len(value) == 0 {
		return ""
	}
	switch c := value[0]; {
	case c == '"':
		return TypeString
	case c == 't' || c == 'f':
		return TypeBoolean
	case c == '-' || (c >= '0' && c <= '9'):
		return TypeNumber
	case c == '{':
		return TypeObject
	case c == '[':
		return "array"
	}
	return ""
}

// describe names a type with its article, for messages.
func describe(t Type) string {
	switch t {
	case "":
		return "null"
	case TypeObject, TypeInteger, "array":
		return "an " + string(t)
	}
	return "a " + string(t)
}
