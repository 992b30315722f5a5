package processor

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInspectDescribesARejectedConfig(t *testing.T) {
	cfg := Config{
		Mode: ModeTimeseries, OutputTopic: "umh.v1.e", Model: Model{Name: "m", Version: "v1"},
		Sources: map[string]string{"press": "umh.v1.e._raw.press"},
		Mapping: map[string]any{"label": `"x"`, "double": "press * 2", "broken": "pump", "also": "press +"},
	}
	_, newErr := New(cfg)
	require.Error(t, newErr)

	got, problems := Inspect(cfg)
	var paths []string
	for _, in := range got {
		paths = append(paths, in.Path)
		assert.Equal(t, "umh.v1.e._m_v1."+in.Path, in.Topic)
	}
	assert.Equal(t, []string{"label", "double", "also", "broken"}, paths, "statics, dynamics, then invalid ones, each by path")
	assert.NotNil(t, got[0].Program)
	assert.Equal(t, []string{"press"}, got[1].Program.Deps())
	for _, in := range got[2:] {
		assert.Nil(t, in.Program)
		var merr *MappingError
		require.True(t, errors.As(in.Err, &merr))
		assert.Equal(t, in.Path, merr.Path)
	}
	var cerr *ConfigError
	require.True(t, errors.As(newErr, &cerr))
	assert.Len(t, problems, len(cerr.Problems), "Inspect reports what New reports")
}
