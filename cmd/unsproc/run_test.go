package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// templateConfig generates one message for a processor whose mapping is a template
// literal written with ${tF}, which Benthos replaces with an environment variable.
const templateConfig = `input:
  generate:
    count: 1
    interval: ""
    mapping: |
      root = {"value": 1, "timestamp_ms": 1}
      meta umh_topic = "umh.v1.site._raw.x"
pipeline:
  processors:
    - stream_processor:
        output_topic: umh.v1.site
        model: {name: m, version: v1}
        sources: {x: umh.v1.site._raw.x}
        mapping:
          label: '` + "`T=${tF}`" + `'
    - mapping: 'root = content().string()'
output:
  stdout: {}
logger:
  level: warn
`

func TestRunStopsOnABrokenProcessor(t *testing.T) {
	t.Setenv("tF", "1")
	res := runCLI(t, "run", "testdata/broken.yaml")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "testdata/broken.yaml(16,23) mapping deviceType: unknown name pump")
	assert.Contains(t, res.stderr, "testdata/broken.yaml(17,26) mapping broken: syntax error")
	assert.Contains(t, res.stderr, errConfigProblems.Error())

	res = runCLI(t, "-c", "testdata/broken.yaml") // the old form, without run
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "testdata/broken.yaml(16,23) mapping deviceType")
}

func TestRunMissingVariable(t *testing.T) {
	t.Setenv("tF", "")
	require.NoError(t, os.Unsetenv("tF"))
	path := writeFile(t, "config.yaml", templateConfig)
	res := runCLI(t, "run", path)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, path+"(15,22) required environment variable tF is not set")
}

// TestRunWarnsOfAnEmptiedTemplate: with --chilled, Benthos runs `T=${tF}` as `T=`
// when tF is not set; the run logs it, once.
func TestRunWarnsOfAnEmptiedTemplate(t *testing.T) {
	t.Setenv("tF", "")
	require.NoError(t, os.Unsetenv("tF"))
	path := writeFile(t, "config.yaml", templateConfig)
	res := runCaptured(t, "run", path, "--chilled")
	require.Equal(t, 0, res.code, res.stderr)
	all := res.stdout + res.stderr
	assert.Contains(t, all, `{"value":"T=","timestamp_ms":1}`)
	assert.Equal(t, 1, strings.Count(all, "Benthos replaced ${tF} with nothing"), all)
	assert.Contains(t, all, "line=15")
}

// TestRunWithoutProblemsSaysNothing: a variable set to a value is what the user meant:
// no warning.
func TestRunWithoutProblemsSaysNothing(t *testing.T) {
	t.Setenv("tF", "86")
	res := runCaptured(t, "run", writeFile(t, "config.yaml", templateConfig))
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, `{"value":"T=86","timestamp_ms":1}`+"\n", res.stdout)
	assert.Empty(t, res.stderr)
}

// TestRunChilledLetsLintsThrough: --chilled runs a config with a lint error (here a
// field the processor does not know), as Benthos does; without it, run stops there.
func TestRunChilledLetsLintsThrough(t *testing.T) {
	t.Setenv("tF", "86")
	path := writeFile(t, "config.yaml", strings.Replace(templateConfig, "        mapping:\n", "        colour: blue\n        mapping:\n", 1))
	res := runCLI(t, "run", path)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, path+"(14,9) field colour not recognised")

	res = runCaptured(t, "run", "--chilled", path)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, `{"value":"T=86","timestamp_ms":1}`)
}
