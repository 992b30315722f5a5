package processor

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Config{
		Mode:    "Timeseries",
		Sources: map[string]string{"my-var": "t.a", "Math": "t.b", "ok": "t.c"},
		Mapping: map[string]any{
			"syntax":  "ok +",
			"unknown": "pump",
			"blocked": "eval('1')",
			"nan":     "0/0",
			"throws":  "null.x",
			"nested":  map[string]any{"null": nil},
			"a.b":     "1",
			"a":       map[string]any{"b": "2"},
		},
	})
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	msg := err.Error()
	for _, want := range []string{
		"unsupported mode: Timeseries (only 'timeseries' is supported)",
		"output_topic is required",
		"model name is required",
		"model version is required",
		`"my-var" is not a JavaScript identifier`,
		`"Math" shadows the JavaScript global`,
		`mapping "syntax"`,
		`mapping "unknown"`,
		`'"pump"'`, // the quoting hint
		`mapping "blocked"`,
		`mapping "nan"`,
		"NaN",
		`mapping "throws"`,
		`mapping "nested.null"`,
		`mapping "a.b": the path is defined more than once`,
	} {
		assert.Contains(t, msg, want)
	}
	assert.Len(t, ce.Problems, 13)

	var me *MappingError
	require.ErrorAs(t, err, &me)
	var cerr *compiler.Error
	found := false
	for _, p := range ce.Problems {
		if errors.As(p, &me) && me.Path == "unknown" {
			found = errors.As(p, &cerr)
		}
	}
	assert.True(t, found, "compiler errors stay reachable with errors.As")
}

func TestNewFieldErrors(t *testing.T) {
	valid := pumpConfig(nil)
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"mode empty", func(c *Config) { c.Mode = "" }, "invalid configuration: mode is required"},
		{"mode other", func(c *Config) { c.Mode = "relational" }, "unsupported mode: relational"},
		{"output topic", func(c *Config) { c.OutputTopic = "" }, "output_topic is required"},
		{"model name", func(c *Config) { c.Model.Name = "" }, "model name is required"},
		{"model version", func(c *Config) { c.Model.Version = "" }, "model version is required"},
		{"no sources", func(c *Config) { c.Sources = nil }, "at least one source mapping is required"},
		{"reserved alias", func(c *Config) { c.Sources = map[string]string{"new": "t"} }, "reserved word"},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, "timeout must be between 0 and 1s"},
		{"timeout above the sandbox's limit", func(c *Config) { c.Timeout = 2 * time.Second }, "timeout must be between 0 and 1s, got 2s"},
		{"empty expression", func(c *Config) { c.Mapping = map[string]any{"x": ""} }, `mapping "x"`},
		{"statement", func(c *Config) { c.Mapping = map[string]any{"x": "var a = 1"} }, `mapping "x"`},
		{"undefined static", func(c *Config) { c.Mapping = map[string]any{"x": "undefined"} }, "would never give an output"},
		{"list scalar", func(c *Config) { c.Mapping = map[string]any{"x": []any{1, 2}} }, `mapping "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestFlatten(t *testing.T) {
	leaves, problems := flatten(map[string]any{
		"pressure": "press + 4",
		"motor":    map[string]any{"rpm": "press / 4", "temperature": "tF + 273.15"},
		"device":   map[string]any{"axis": map[string]any{"x": "press"}},
		"empty":    map[string]any{},
		"n":        42,
		"f":        3.5,
		"big":      1e21,
		"yes":      true,
		"nothing":  nil,
		"list":     []any{"x"},
		"":         "1",
	})
	assert.Empty(t, problems)
	assert.Equal(t, []leaf{
		{"", "1"},
		{"big", "1e+21"},
		{"device.axis.x", "press"},
		{"f", "3.5"},
		{"list", "[x]"},
		{"motor.rpm", "press / 4"},
		{"motor.temperature", "tF + 273.15"},
		{"n", "42"},
		{"nothing", "<nil>"},
		{"pressure", "press + 4"},
		{"yes", "true"},
	}, leaves)
}

func TestFlattenDuplicatePaths(t *testing.T) {
	_, problems := flatten(map[string]any{
		"a.b": "1",
		"a":   map[string]any{"b": "2", "c": map[string]any{"d": "3"}},
		"a.c": map[string]any{"d": "4"},
	})
	require.Len(t, problems, 2)
	assert.Contains(t, problems[0].Error(), `mapping "a.b"`)
	assert.Contains(t, problems[1].Error(), `mapping "a.c.d"`)
}
