package processor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testModels is a models file for pumpConfig's model, pump v1.
const testModels = `
payloadShapes:
  order:
    fields:
      id: {_type: string}
      qty: {_type: integer}
dataModels:
  - name: motor
    version:
      v1:
        structure:
          rpm: {_payloadshape: timeseries-number}
          running: {_payloadshape: timeseries-boolean}
  - name: pump
    version:
      v1:
        structure:
          pressure: {_payloadshape: timeseries-number}
          status: {_payloadshape: timeseries-string}
          serialNumber: {_payloadshape: timeseries-string}
          motor: {_refModel: {name: motor, version: v1}}
          order: {_payloadshape: order}
`

// modelConfig is pumpConfig with a data models file holding testModels.
func modelConfig(t *testing.T, mapping map[string]any) Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "models.yaml")
	require.NoError(t, os.WriteFile(path, []byte(testModels), 0o600))
	cfg := pumpConfig(mapping)
	cfg.DataModelsFile = path
	return cfg
}

func TestModelRefusesMappings(t *testing.T) {
	tests := []struct {
		name    string
		mapping map[string]any
		want    []string // substrings of the one problem; nil when accepted
	}{
		{"fits", map[string]any{"pressure": "press * 2", "status": "press > 1 ? 'HIGH' : 'LOW'", "motor": map[string]any{"rpm": "press", "running": "r > 0"}}, nil},
		{"number or string into a string field", map[string]any{"status": "press + 1"}, nil},
		{"alias into any field", map[string]any{"status": "press", "motor": map[string]any{"running": "r"}}, nil},
		{"call into any field", map[string]any{"pressure": "Math.max(press, 1)"}, nil},
		{"object into a custom shape", map[string]any{"order": "({id: 'A' + press, qty: r})"}, nil},
		{"static fits", map[string]any{"serialNumber": `"SN-1"`, "order": "({id: 'x', qty: 2})"}, nil},
		{"unknown path", map[string]any{"motor": map[string]any{"rmp": "press"}},
			[]string{`mapping "motor.rmp"`, `"motor.rmp" is not a field of data model pump v1`, `did you mean "motor.rpm"?`, "fields: motor.rpm, motor.running, order, pressure, serialNumber, status"}},
		{"folder path", map[string]any{"motor": "press"}, []string{`"motor" is not a field`}},
		{"template into a number", map[string]any{"pressure": "`${press} bar`"},
			[]string{`mapping "pressure"`, "the expression gives string, never the number value field pressure (timeseries-number) expects"}},
		{"comparison into a string", map[string]any{"status": "press > 100"}, []string{"gives boolean, never the string value"}},
		{"arithmetic into a boolean", map[string]any{"motor": map[string]any{"running": "r * 1"}}, []string{"gives number, never the boolean value"}},
		{"number into a custom shape", map[string]any{"order": "press * 2"}, []string{"never the object value field order (order)"}},
		{"static string into a number", map[string]any{"pressure": `"high"`}, []string{"gives string, never the number value"}},
		{"static object missing a field", map[string]any{"order": "({id: 'x'})"}, []string{`static expression "({id: 'x'})" does not fit its data model field: order: field qty is missing`}},
		{"static object with a fractional integer", map[string]any{"order": "({id: 'x', qty: 1.5})"}, []string{"field qty expects an integer, got 1.5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(modelConfig(t, tc.mapping))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			var ce *ConfigError
			require.True(t, errors.As(err, &ce), "%v", err)
			require.Len(t, ce.Problems, 1, "%v", err)
			var me *MappingError
			assert.True(t, errors.As(ce.Problems[0], &me), "a mapping error: %v", ce.Problems[0])
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestModelFileProblems(t *testing.T) {
	cfg := modelConfig(t, map[string]any{"pressure": "press"})
	cfg.Model.Version = "v2"
	_, err := New(cfg)
	assert.ErrorContains(t, err, `data_models_file: model pump v2: `)
	assert.ErrorContains(t, err, `model "pump" has no version v2 (versions: v1)`)

	cfg.DataModelsFile = filepath.Join(t.TempDir(), "none.yaml")
	_, err = New(cfg)
	assert.ErrorContains(t, err, "data_models_file: reading the data models file")

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("dataModels:\n  - name: pump\n    version:\n      v1:\n        structure:\n          x: {_payloadshape: nope}\n"), 0o600))
	cfg.DataModelsFile = bad
	_, err = New(cfg)
	assert.ErrorContains(t, err, bad+`:6: model "pump" v1, field x: referenced payload shape 'nope' does not exist`)
}

func TestModelDropsMismatchesAtRunTime(t *testing.T) {
	rec := &recorder{failures: map[string]error{}, fallbacks: map[string]int{}}
	p, err := New(modelConfig(t, map[string]any{
		"pressure": "press",
		"status":   "press",
		"order":    "({id: 'A', qty: press})",
	}), WithObserver(rec))
	require.NoError(t, err)
	out := testPrefix + "._pump_v1."
	src := testPrefix + "._raw.press"
	tests := []struct {
		payload  string
		emitted  []emitted
		failures map[string]string // path → substring of its *MismatchError
	}{
		{point(3, 1), []emitted{{out + "order", point(`{"id":"A","qty":3}`, 1)}, {out + "pressure", point(3, 1)}},
			map[string]string{"status": "result does not fit data model field status: timeseries-string expects a string value, got a number"}},
		{point(`"x"`, 2), []emitted{{out + "status", point(`"x"`, 2)}},
			map[string]string{"pressure": "timeseries-number expects a number value, got a string", "order": "order: field qty expects an integer, got a string"}},
		{point(2.5, 3), []emitted{{out + "pressure", point(2.5, 3)}},
			map[string]string{"order": "field qty expects an integer, got 2.5", "status": "got a number"}},
	}
	for _, tc := range tests {
		clear(rec.failures)
		got, res := process(t, p, src, tc.payload)
		assert.Equal(t, tc.emitted, got, tc.payload)
		assert.Equal(t, len(tc.emitted), res.Outputs)
		assert.Len(t, rec.failures, len(tc.failures), tc.payload)
		for path, want := range tc.failures {
			var me *MismatchError
			require.True(t, errors.As(rec.failures[path], &me), "%s: %v", path, rec.failures[path])
			assert.Equal(t, path, me.Field)
			assert.Contains(t, me.Error(), want)
		}
	}
}

func TestModelCoverage(t *testing.T) {
	cfg := modelConfig(t, map[string]any{"pressure": "press", "motor": map[string]any{"rpm": "press / 4"}, "serialNumber": `"SN"`})
	p, err := New(cfg)
	require.NoError(t, err)
	c := p.Coverage()
	require.NotNil(t, c)
	assert.Equal(t, 3, c.Mapped())
	assert.Len(t, c.Fields, 6)
	assert.Equal(t, []string{"motor.running", "order", "status"}, c.Unmapped())

	insp, problems := Inspect(cfg)
	assert.Empty(t, problems)
	shapes := map[string]string{}
	for _, in := range insp {
		shapes[in.Path] = in.Shape
	}
	assert.Equal(t, map[string]string{"pressure": "timeseries-number", "motor.rpm": "timeseries-number", "serialNumber": "timeseries-string"}, shapes)

	cfg.Mapping["typo"] = "press"
	mc, err := InspectModel(cfg)
	require.NoError(t, err)
	assert.Equal(t, []string{"typo"}, mc.Unknown)
	assert.Equal(t, 3, mc.Mapped())

	plain, err := New(pumpConfig(map[string]any{"x": "press"}))
	require.NoError(t, err)
	assert.Nil(t, plain.Coverage(), "no data model")
	mc, err = InspectModel(pumpConfig(nil))
	assert.NoError(t, err)
	assert.Nil(t, mc)
}
