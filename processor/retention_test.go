package processor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/vm/vmtest"
)

// TestDroppedProcessorsAreReleased builds processors whose mapping takes the sandbox,
// evaluates it once (so that a pooled runtime instantiates its function) and drops them:
// a process that rebuilds its processors (configuration reloads, streams created and
// deleted) must not grow its heap with every one it dropped.
func TestDroppedProcessorsAreReleased(t *testing.T) {
	cfg := pumpConfig(map[string]any{"doubled": "[press].map(v => v * 2)[0]"})
	msg := point(21, 1)
	evaluate := func(p *Processor) {
		var got []byte
		p.Process(testPrefix+"._raw.press", []byte(msg), func(o Output) { got = o.Payload })
		require.Equal(t, point(42, 1), string(got))
	}
	build := func(n int) {
		for range n {
			p, err := New(cfg)
			require.NoError(t, err)
			evaluate(p)
		}
	}
	kept, err := New(cfg)
	require.NoError(t, err)
	growth := vmtest.Retained(build, func() { evaluate(kept) })
	t.Logf("heap after building and dropping 10,000 processors: %+d bytes", growth)
	assert.Less(t, growth, int64(1<<20), "dropped processors keep memory")
}
