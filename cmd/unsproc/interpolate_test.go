package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// testEnv is the environment the interpolation cases see.
var testEnv = map[string]string{
	"HOST":   "broker:9092",
	"EMPTY":  "",
	"LINES":  "a\nb",
	"B64":    "aGVsbG8=",
	"dotted": "x",
	"a.b":    "dots",
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// benthosInterpolate runs text through Benthos' own substitution: it is the value of a
// free-text field of a config given to a stream builder, read back after parsing.
func benthosInterpolate(t *testing.T, text string, env map[string]string) string {
	t.Helper()
	sb := service.NewStreamBuilder()
	sb.DisableLinting()
	sb.SetEnvVarLookupFunc(lookupIn(env))
	conf := "input:\n  generate:\n    count: 1\n    mapping: |-\n      " + text + "\noutput:\n  drop: {}\n"
	require.NoError(t, sb.SetYAML(conf))
	out, err := sb.AsYAML()
	require.NoError(t, err)
	var parsed struct {
		Input struct {
			Generate struct {
				Mapping string `yaml:"mapping"`
			} `yaml:"generate"`
		} `yaml:"input"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(out), &parsed))
	return parsed.Input.Generate.Mapping
}

// benthosMissing lists the variables Benthos' linter reports as not set in text.
func benthosMissing(t *testing.T, text string, env map[string]string) []string {
	t.Helper()
	lints, err := service.GlobalEnvironment().FullConfigSchema("", "").NewStreamConfigLinter().
		SetEnvVarLookupFunc(func(_ context.Context, k string) (string, bool) { return lookupIn(env)(k) }).
		LintYAML([]byte("input:\n  generate:\n    count: 1\n    mapping: |-\n      " + text + "\n"))
	require.NoError(t, err)
	for _, l := range lints {
		if l.Type == service.LintMissingEnvVar {
			inner := l.What[strings.Index(l.What, "[")+1 : strings.LastIndex(l.What, "]")]
			return strings.Fields(inner)
		}
	}
	return nil
}

func TestInterpolateMatchesBenthos(t *testing.T) {
	cases := []struct {
		name, text string
		missing    []string
	}{
		{name: "plain text", text: "press + 1"},
		{name: "set variable", text: "kafka ${HOST} end"},
		{name: "missing variable", text: "`T=${tF}`", missing: []string{"tF"}},
		{name: "two missing", text: "a ${tF} ${press} b", missing: []string{"tF", "press"}},
		{name: "one missing twice", text: "a ${tF} ${tF} b", missing: []string{"tF"}},
		{name: "escape", text: "`T=${{tF}}`"},
		{name: "escape with default", text: "${{tF:0}}"},
		{name: "default used", text: "${NOPE:fallback value}"},
		{name: "default on empty", text: "${EMPTY:d}"},
		{name: "empty default", text: "x${NOPE:}y"},
		{name: "empty variable without default", text: "x${EMPTY}y"},
		{name: "nested default", text: "${NOPE:${HOST}}"},
		{name: "newline in value", text: "${LINES}"},
		{name: "base64", text: "${B64|base64decode}"},
		{name: "dotted name", text: "${a.b}"},
		{name: "expression placeholder is left alone", text: "`${tF * 2}`"},
		{name: "dollar without brace", text: "$tF + ${ tF}"},
		{name: "unclosed", text: "${tF"},
		{name: "mixed", text: "`${{a}}-${HOST}-${{b}}`"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := interpolate(c.text, lookupIn(testEnv))
			require.NoError(t, err)
			assert.Equal(t, benthosInterpolate(t, c.text, testEnv), got.Text)
			assert.Equal(t, c.missing, got.missing())
			assert.Equal(t, slices.Compact(slices.Sorted(slices.Values(benthosMissing(t, c.text, testEnv)))), slices.Sorted(slices.Values(got.missing())))
		})
	}
}

func TestInterpolateRecordsPlaceholders(t *testing.T) {
	got, err := interpolate("a: ${HOST}\nb: ${NOPE:x}\nc: ${{tF}}", lookupIn(testEnv))
	require.NoError(t, err)
	assert.Equal(t, []placeholder{
		{Text: "${HOST}", Name: "HOST", Value: "broker:9092", Offset: 3},
		{Text: "${NOPE:x}", Name: "NOPE", Default: "x", HasDef: true, Value: "x", Offset: 14},
	}, got.Placeholders)
	assert.Equal(t, "a: broker:9092\nb: x\nc: ${tF}", got.Text)
}

func TestInterpolateRejectsBadTransforms(t *testing.T) {
	for _, text := range []string{"${HOST|upper}", "${HOST|base64decode}"} {
		_, err := interpolate(text, lookupIn(testEnv))
		require.Error(t, err, text)
		assert.Contains(t, err.Error(), "${HOST|")
	}
}
