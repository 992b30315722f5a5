package datamodel

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const models = `
agent:
  metricsPort: 8080
payloadShapes:
  work-order:
    description: Work order record
    fields:
      orderId: {_type: string}
      quantity: {_type: integer}
      price: {_type: number}
      active: {_type: boolean}
      health:
        pulse: {_type: number}
dataModels:
  - name: motor
    version:
      v1:
        structure:
          rpm: {_payloadshape: timeseries-number}
          running: {_payloadshape: timeseries-boolean}
  - name: pump
    description: Pump monitoring
    version:
      v1_0:
        structure:
          pressure:
            inlet: {_payloadshape: timeseries-number}
            outlet: {_payloadshape: timeseries-number}
          status: {_payloadshape: timeseries-string}
          motor:
            _refModel: {name: motor, version: v1_0}
          order: {_payloadshape: work-order}
      v2:
        structure:
          flow: {_payloadshape: timeseries-number}
`

func TestResolve(t *testing.T) {
	f, err := Parse("models.yaml", []byte(models))
	require.NoError(t, err)
	tests := []struct {
		name, version string
		paths         []string
		shapes        []string
	}{
		{"pump", "v1", []string{"motor.rpm", "motor.running", "order", "pressure.inlet", "pressure.outlet", "status"},
			[]string{"timeseries-number", "timeseries-boolean", "work-order", "timeseries-number", "timeseries-number", "timeseries-string"}},
		{"pump", "v1_0", []string{"motor.rpm", "motor.running", "order", "pressure.inlet", "pressure.outlet", "status"},
			[]string{"timeseries-number", "timeseries-boolean", "work-order", "timeseries-number", "timeseries-number", "timeseries-string"}},
		{"pump", "v2", []string{"flow"}, []string{"timeseries-number"}},
		{"motor", "v1", []string{"rpm", "running"}, []string{"timeseries-number", "timeseries-boolean"}},
	}
	for _, tc := range tests {
		m, err := f.Resolve(tc.name, tc.version)
		require.NoError(t, err, "%s %s", tc.name, tc.version)
		assert.Equal(t, tc.paths, m.Paths(), "%s %s", tc.name, tc.version)
		var shapes []string
		for _, fl := range m.Fields {
			shapes = append(shapes, fl.Shape.Name)
		}
		assert.Equal(t, tc.shapes, shapes)
	}
	m, _ := f.Resolve("pump", "v1")
	fl, ok := m.Field("motor.rpm")
	require.True(t, ok)
	assert.Equal(t, 19, fl.Line, "the line of rpm in the motor model")
	_, ok = m.Field("motor")
	assert.False(t, ok, "a folder is not a field")
}

func TestLoadFileAndLowercaseKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("datamodels:\n  - name: a\n    version:\n      v1:\n        structure:\n          x: {_payloadshape: s}\npayloadshapes:\n  s:\n    fields:\n      v: {_type: number}\n"), 0o600))
	f, err := Load(path)
	require.NoError(t, err)
	m, err := f.Resolve("a", "v1")
	require.NoError(t, err)
	assert.Equal(t, TypeObject, m.Fields[0].Shape.Kind())

	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorContains(t, err, "reading the data models file")
}

func TestParseErrors(t *testing.T) {
	model := func(structure string) string {
		return "dataModels:\n  - name: m\n    version:\n      v1:\n        structure:\n" + structure
	}
	tests := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"not YAML", "a: [", 0, "invalid YAML"},
		{"empty", "", 0, "the file is empty"},
		{"no dataModels", "agent: {}\n", 1, "no dataModels: key"},
		{"both spellings", "dataModels: []\ndatamodels: []\n", 2, "dataModels appears twice"},
		{"models as a mapping", "dataModels:\n  pump: {}\n", 2, "must be a list of models"},
		{"no name", "dataModels:\n  - version: {}\n", 2, "has no name"},
		{"unknown entry key", "dataModels:\n  - name: m\n    versions: {}\n", 3, `unknown key "versions"`},
		{"twice", "dataModels:\n  - name: m\n    version: {}\n  - name: m\n    version: {}\n", 4, `model "m": defined twice`},
		{"no version", "dataModels:\n  - name: m\n", 2, "no version: mapping"},
		{"bad version key", "dataModels:\n  - name: m\n    version:\n      v01:\n        structure: {}\n", 4, `invalid version key "v01"`},
		{"version zero", "dataModels:\n  - name: m\n    version:\n      v0:\n        structure: {}\n", 4, `invalid version key "v0"`},
		{"same version twice", "dataModels:\n  - name: m\n    version:\n      v1: {structure: {}}\n      v1_0: {structure: {}}\n", 5, "v1_0 is the same version as v1"},
		{"no structure", "dataModels:\n  - name: m\n    version:\n      v1: {}\n", 4, "no structure:"},
		{"shape and ref", model("          a:\n            _payloadshape: timeseries-number\n            _refModel: {name: x, version: v1}\n"), 7, `model "m" v1, field a: field cannot have both _payloadshape and _refModel`},
		{"folder with shape", model("          a:\n            _payloadshape: timeseries-number\n            b: {_payloadshape: timeseries-number}\n"), 7, "non-leaf nodes (folders) cannot have _payloadshape"},
		{"folder with ref", model("          a:\n            _refModel: {name: x, version: v1}\n            b: {_payloadshape: timeseries-number}\n"), 7, "non-leaf nodes (folders) cannot have _refModel"},
		{"empty leaf", model("          a: {}\n"), 6, "leaf nodes must contain _payloadshape or _refModel"},
		{"null leaf", model("          a:\n"), 6, "leaf nodes must contain"},
		{"nested empty leaf", model("          a:\n            b: {}\n"), 7, `model "m" v1, field a.b: leaf nodes must contain`},
		{"unknown shape", model("          a: {_payloadshape: timeseries-int}\n"), 6, "referenced payload shape 'timeseries-int' does not exist"},
		{"unknown underscore key", model("          a: {_relational: x}\n"), 6, `unsupported key "_relational"`},
		{"dotted name", model("          a.b: {_payloadshape: timeseries-number}\n"), 6, `invalid field name "a.b"`},
		{"ref without version", model("          a: {_refModel: {name: x}}\n"), 6, "needs a name and a version"},
		{"ref with bad version", model("          a: {_refModel: {name: x, version: 1}}\n"), 6, `version "1" is not a version key`},
		{"shape type", "payloadShapes:\n  s:\n    fields:\n      v: {_type: float}\ndataModels: []\n", 4, "unsupported UMH type: float"},
		{"shape without fields", "payloadShapes:\n  s: {description: x}\ndataModels: []\n", 2, `payload shape "s": no fields:`},
		{"shape field empty", "payloadShapes:\n  s:\n    fields:\n      v: {}\ndataModels: []\n", 4, "needs _type"},
		{"shape field type and nested", "payloadShapes:\n  s:\n    fields:\n      v:\n        _type: number\n        w: {_type: number}\ndataModels: []\n", 4, "cannot have _type"},
		{"built-in redefined", "payloadShapes:\n  timeseries-number:\n    fields:\n      v: {_type: number}\ndataModels: []\n", 2, "redefines a built-in shape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.yaml))
			var e *Error
			require.True(t, errors.As(err, &e), "%v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, tc.line, e.Line, "%v", err)
			assert.Equal(t, "f.yaml", e.File)
		})
	}
}

func TestResolveErrors(t *testing.T) {
	const refs = `
dataModels:
  - name: a
    version:
      v1:
        structure:
          b: {_refModel: {name: b, version: v1}}
  - name: b
    version:
      v1:
        structure:
          c:
            _refModel: {name: c, version: v1}
  - name: c
    version:
      v1:
        structure:
          back: {_refModel: {name: a, version: v1_0}}
      v2:
        structure:
          gone: {_refModel: {name: nothing, version: v1}}
          old: {_refModel: {name: b, version: v9}}
`
	f, err := Parse("r.yaml", []byte(refs))
	require.NoError(t, err)
	tests := []struct {
		name, version string
		line          int
		want          string
	}{
		{"a", "v1", 18, `model "c" v1: model reference cycle: a v1 → b v1 → c v1 → a v1_0`},
		{"c", "v1", 13, `model "b" v1: model reference cycle: c v1 → a v1_0 → b v1 → c v1`},
		{"c", "v2", 21, `model "c" v2: model "nothing" does not exist (models: a, b, c)`},
		{"x", "v1", 0, `model "x" does not exist`},
		{"a", "v3", 0, `model "a" has no version v3 (versions: v1)`},
		{"a", "1", 0, `version "1" of model "a" is not a version key`},
	}
	empty, err := Parse("e.yaml", []byte("dataModels: []\n"))
	require.NoError(t, err)
	_, err = empty.Resolve("pump", "v1")
	assert.EqualError(t, err, `e.yaml: model "pump" does not exist (the file defines none)`)
	for _, tc := range tests {
		_, err := f.Resolve(tc.name, tc.version)
		var e *Error
		require.True(t, errors.As(err, &e), "%s %s: %v", tc.name, tc.version, err)
		assert.Contains(t, err.Error(), tc.want)
		assert.Equal(t, tc.line, e.Line, "%v", err)
	}
}

func TestClosest(t *testing.T) {
	f, err := Parse("models.yaml", []byte(models))
	require.NoError(t, err)
	m, err := f.Resolve("pump", "v1")
	require.NoError(t, err)
	for path, want := range map[string]string{
		"motor.rmp":    "motor.rpm",
		"pressure.in":  "pressure.inlet",
		"Status":       "status",
		"press.inlet":  "pressure.inlet",
		"motor.runnin": "motor.running",
	} {
		assert.Equal(t, want, m.Closest(path), path)
	}
	assert.Equal(t, "", (&Model{}).Closest("x"))
}

func TestCheck(t *testing.T) {
	f, err := Parse("models.yaml", []byte(models))
	require.NoError(t, err)
	order := f.shapes["work-order"]
	tests := []struct {
		shape *Shape
		value string
		want  string // "" when it matches
	}{
		{f.shapes["timeseries-number"], `1.5`, ""},
		{f.shapes["timeseries-number"], `-0`, ""},
		{f.shapes["timeseries-number"], `"1.5"`, "timeseries-number expects a number value, got a string"},
		{f.shapes["timeseries-number"], `true`, "got a boolean"},
		{f.shapes["timeseries-string"], `"ok"`, ""},
		{f.shapes["timeseries-string"], `{"a":1}`, "got an object"},
		{f.shapes["timeseries-boolean"], `false`, ""},
		{f.shapes["timeseries-boolean"], `[true]`, "got an array"},
		{order, `{"active":true,"health":{"pulse":60},"orderId":"A1","price":2.5,"quantity":3}`, ""},
		{order, `{"active":true,"health":{"pulse":60},"orderId":"A1","price":2.5,"quantity":3.5}`, "field quantity expects an integer, got 3.5"},
		{order, `{"active":true,"health":{"pulse":60},"orderId":"A1","price":2.5,"quantity":3e0}`, ""},
		{order, `{"active":true,"health":{"pulse":60},"orderId":"A1","price":2.5}`, "field quantity is missing"},
		{order, `{"active":true,"health":{"pulse":"60"},"orderId":"A1","price":2.5,"quantity":3}`, "field health.pulse expects a number, got a string"},
		{order, `{"active":true,"health":{"pulse":60,"x":1},"orderId":"A1","price":2.5,"quantity":3}`, "field health.x is not in the shape"},
		{order, `{"active":true,"health":{"pulse":60},"orderId":"A1","price":2.5,"quantity":3,"y":0}`, "field y is not in the shape"},
		{order, `{"active":1,"health":{"pulse":60},"orderId":"A1","price":2.5,"quantity":3}`, "field active expects a boolean, got a number"},
		{order, `{"active":true,"health":null,"orderId":"A1","price":2.5,"quantity":3}`, "field health expects an object, got null"},
		{order, `[1]`, "work-order expects an object, got an array"},
		{order, `"x"`, "got a string"},
	}
	for _, tc := range tests {
		err := tc.shape.Check([]byte(tc.value))
		if tc.want == "" {
			assert.NoError(t, err, tc.value)
			continue
		}
		assert.ErrorContains(t, err, tc.want, tc.value)
	}
}
