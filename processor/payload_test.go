package processor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

// TestNegativeZeroOutputLikeGoja maps a -0 input through both engines: the value
// passes through as goja exports it (written "-0", as encoding/json writes a Go -0),
// 1/v is -Infinity and not emitted, and Object.is sees -0, whatever the payload layout.
func TestNegativeZeroOutputLikeGoja(t *testing.T) {
	mapping := map[string]any{"v": "press", "inv": "1/press", "isNeg": "Object.is(press, -0)", "obj": "({x: press})"}
	for _, payload := range []string{
		`{"value":-0,"timestamp_ms":5}`,
		`{"value":-0,"q":{},"timestamp_ms":5}`,
		`{ "q":[1], "value" : -0.0 , "timestamp_ms" : 5 }`,
	} {
		var results [][]emitted
		for _, engine := range []compiler.Engine{compiler.EngineGoja, compiler.EngineAuto} {
			cfg := pumpConfig(mapping)
			cfg.Engine = engine
			p, err := New(cfg)
			require.NoError(t, err)
			out, _ := process(t, p, testPrefix+"._raw.press", payload)
			results = append(results, out)
		}
		assert.Equal(t, results[0], results[1], "%s: goja and auto", payload)
		prefix := testPrefix + "._pump_v1."
		assert.ElementsMatch(t, []emitted{
			{prefix + "v", point("-0", 5)},
			{prefix + "isNeg", point(true, 5)},
			{prefix + "obj", point(`{"x":-0}`, 5)},
		}, results[1], payload)
	}
}
