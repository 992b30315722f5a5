package streamprocessor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pumpModel is a models file defining pump v1 with a numeric field pressure.
const pumpModel = `
dataModels:
  - name: pump
    version:
      v1:
        structure:
          pressure: {_payloadshape: timeseries-number}
`

// TestModelPlugin runs the plugin with data_models_file: a mismatch is counted under
// mapping_errors with reason shape_mismatch, and a matching result is emitted.
func TestModelPlugin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.yaml")
	require.NoError(t, os.WriteFile(path, []byte(pumpModel), 0o600))
	env, metrics, setup := capturingMetrics(t)
	outs := runYAMLStream(t, env, PluginName, `
output_topic: umh.v1.e
model: {name: pump, version: v1}
data_models_file: `+path+`
sources: {press: umh.v1.e._raw.press}
mapping:
  pressure: press
`, setup,
		tsMessage("umh.v1.e._raw.press", `{"value":"high","timestamp_ms":1}`),
		tsMessage("umh.v1.e._raw.press", `{"value":2,"timestamp_ms":2}`),
		tsMessage("umh.v1.e._raw.press", `{"value":true,"timestamp_ms":3}`))
	assert.Equal(t, []string{`umh.v1.e._pump_v1.pressure {"value":2,"timestamp_ms":2}`}, outs)
	assert.Equal(t, int64(2), metrics.value("mapping_errors{mapping=pressure,reason=shape_mismatch}"))

	conf, err := ConfigSpec().ParseYAML("output_topic: umh.v1.e\nmodel: {name: pump, version: v1}\ndata_models_file: "+path+"\nsources: {press: umh.v1.e._raw.press}\nmapping: {pressur: press}\n", nil)
	require.NoError(t, err)
	_, err = NewBatchProcessor(conf, service.MockResources())
	assert.ErrorContains(t, err, `did you mean "pressure"?`)
}
