package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLintRunsTheProcessorChecks(t *testing.T) {
	t.Setenv("tF", "1")
	res := runCaptured(t, "lint", "testdata/broken.yaml")
	assert.Equal(t, 1, res.code, "Benthos alone finds nothing wrong in this file")
	for _, want := range []string{
		`testdata/broken.yaml(13,11) sources: alias "my-alias" is not a JavaScript identifier`,
		`testdata/broken.yaml(16,23) mapping deviceType: unknown name pump: it is neither a source alias nor a JavaScript global (hint: to emit the text "pump"`,
		`testdata/broken.yaml(17,26) mapping broken: syntax error: the expression ends unexpectedly`,
		"testdata/broken.yaml(18,22) warning: mapping label: Benthos replaced ${tF} with the value of tF",
	} {
		assert.Contains(t, res.stderr, want)
	}
}

func TestLintCases(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		env     map[string]string
		args    []string
		code    int
		want    []string // lines or parts of lines on stderr
		notWant []string
	}{
		{name: "valid", config: block(validFields)},
		{
			name: "a warning does not fail", config: block(validFields + "  label: '`P=${press}`'\n"), env: map[string]string{"press": "7"},
			want: []string{"(10,22) warning: mapping label: Benthos replaced ${press} with the value of press"},
		},
		{
			name: "missing variable", config: block(validFields + "  label: '`P=${press}`'\n"), code: 1,
			want: []string{
				"(1,1) required environment variables were not set: [press]", // Benthos
				"(10,22) required environment variable press is not set",
				"(10,22) warning: mapping label: Benthos replaced ${press} with nothing",
			},
		},
		{
			name: "missing variable, check skipped", config: block(validFields + "  label: '`P=${press}`'\n"), args: []string{"--skip-env-var-check"},
			want:    []string{"(10,22) warning: mapping label: Benthos replaced ${press} with nothing"},
			notWant: []string{"required environment variable"},
		},
		{
			name: "Benthos' own lints still fail", config: block(validFields) + "output:\n  nope: {}\n", code: 1,
			want: []string{"(11,1) unable to infer output type"},
		},
		{
			name: "typo", config: block(strings.Replace(validFields, "press + 1", "pres + 1", 1)), code: 1,
			want: []string{"(9,21) mapping pressure: unknown name pres: it is neither a source alias nor a JavaScript global (hint: did you mean press?"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			path := writeFile(t, "config.yaml", c.config)
			res := runCaptured(t, append([]string{"lint", path}, c.args...)...) // flags after the path
			assert.Equal(t, c.code, res.code, res.stderr)
			for _, w := range c.want {
				assert.Contains(t, res.stderr, path+w)
			}
			for _, w := range c.notWant {
				assert.NotContains(t, res.stderr, w)
			}
			if len(c.want) == 0 {
				assert.Empty(t, res.stderr)
			}
		})
	}
}

// TestLintSaysEachProblemOnce: Benthos' lint of the file and the processor's own checks
// both see the block; each problem is printed once.
func TestLintSaysEachProblemOnce(t *testing.T) {
	path := writeFile(t, "config.yaml", block("mode: foo\ncolour: blue\n"+validFields))
	res := runCaptured(t, "lint", path)
	assert.Equal(t, 1, res.code, res.stderr)
	assert.Equal(t, 1, strings.Count(res.stderr, "unsupported mode: foo"), res.stderr)
	assert.Equal(t, 1, strings.Count(res.stderr, "field colour not recognised"), res.stderr)
}

func TestLintExamples(t *testing.T) {
	// data_models_file is relative to the working directory, the repository root for
	// the example; its models file itself is no Benthos config and is not linted.
	t.Setenv("UNSPROC_DATA_MODELS", "../../examples/data-model/models.yaml")
	res := runCaptured(t, "lint", "../../examples/...")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Empty(t, res.stderr)
}

func TestLintTargets(t *testing.T) {
	got, err := lintTargets([]string{"testdata/...", "../../examples/pump/*.yaml", "no-such.yaml", "../../README.md"})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"testdata/broken.yaml",
		"../../examples/pump/config.yaml", "../../examples/pump/config_benthos_test.yaml",
		"no-such.yaml",
	}, got)
}
