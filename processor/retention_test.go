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
	// settled is the live heap once the collector has freed what was dropped and the
	// sandbox has seen it, as it does at the next evaluation of a running process.
	settled := func() uint64 {
		vmtest.LiveHeap()
		evaluate(kept)
		return vmtest.LiveHeap()
	}
	build(200) // the shared sandbox's runtimes and their caches reach their working size
	before := settled()
	build(10_000)
	after := settled()
	growth := int64(after) - int64(before)
	t.Logf("heap after building and dropping 10,000 processors: %+d bytes", growth)
	assert.Less(t, growth, int64(1<<20), "dropped processors keep memory")
}
