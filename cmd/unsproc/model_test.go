package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExplainDataModel shows the data model's coverage and each mapping's shape, in
// text and JSON, and reports a path that is not a field of the model.
func TestExplainDataModel(t *testing.T) {
	models := writeFile(t, "models.yaml", `dataModels:
  - name: m
    version:
      v1:
        structure:
          a: {_payloadshape: timeseries-number}
          b: {_payloadshape: timeseries-string}
          c: {folder: {_payloadshape: timeseries-boolean}}
`)
	fields := "output_topic: umh.v1.site\nmodel: {name: m, version: v1}\ndata_models_file: " + models + "\nsources: {x: umh.v1.site._raw.x}\nmapping:\n  a: x * 2\n"
	path := writeFile(t, "config.yaml", block(fields))

	res := runCLI(t, "explain", "-c", path)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "data model: "+models+", 1/3 fields mapped (unmapped: b, c.folder)\n")
	assert.Regexp(t, `ENGINE +SHAPE\n +a +\S+ +dynamic +x +expr +timeseries-number\n`, res.stdout)

	r, code := explainJSON(t, path)
	require.Equal(t, 0, code)
	m := r.Processors[0].Model
	assert.Equal(t, modelReport{Name: "m", Version: "v1", File: models, Fields: 3, Mapped: 1, Unmapped: []string{"b", "c.folder"}}, m)
	assert.Equal(t, "timeseries-number", r.Processors[0].Mappings[0].Shape)

	bad := writeFile(t, "bad.yaml", block(fields+"  c: {folde: x > 1}\n"))
	r, code = explainJSON(t, bad)
	assert.Equal(t, 1, code)
	require.Len(t, r.Processors[0].Problems, 1)
	p := r.Processors[0].Problems[0]
	assert.Equal(t, "c.folde", p.Mapping)
	assert.Contains(t, p.Message, `did you mean "c.folder"?`)
	assert.Equal(t, []string{"b", "c.folder"}, r.Processors[0].Model.Unmapped, "the invalid mapping fills no field")
}
