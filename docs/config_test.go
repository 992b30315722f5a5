package docs

import (
	"bytes"
	"os"
	"testing"
	"text/template"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/components/streamprocessor"
)

// TestConfigReference renders config.md from the plugin's config spec, with Benthos'
// own documentation data, and checks that the committed page is current (or rewrites
// it with -update).
func TestConfigReference(t *testing.T) {
	env := service.NewEmptyEnvironment()
	require.NoError(t, streamprocessor.Register(env, streamprocessor.PluginName))
	view, ok := env.GetProcessorConfig(streamprocessor.PluginName)
	require.True(t, ok)
	data, err := view.TemplateData()
	require.NoError(t, err)
	require.NotEmpty(t, data.Fields)

	tmpl, err := template.ParseFiles("testdata/config.md.tmpl")
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, tmpl.Execute(&want, data))

	const path = "config.md"
	current, err := os.ReadFile(path)
	if os.IsNotExist(err) && *update {
		current, err = nil, nil
	}
	require.NoError(t, err)
	checkGenerated(t, path, string(current), want.String(), func(s string) string { return s })
}
