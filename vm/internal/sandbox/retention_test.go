package sandbox

import (
	goruntime "runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDroppedScriptsAreReleased runs scripts once each on one sandbox and drops them:
// the runtimes' function caches must not keep them.
func TestDroppedScriptsAreReleased(t *testing.T) {
	s := NewSandbox(time.Second, nil)
	run := func(n int) {
		for i := range n {
			v, err := s.Run(script(t, "[a].map(v => v * 2)[0]", "a"), []any{float64(i)})
			require.NoError(t, err)
			require.Equal(t, int64(2*i), v)
		}
	}
	// settled is the live heap once the collector has freed the dropped scripts and the
	// sandbox has seen it, as it does at its next evaluation.
	settled := func() uint64 {
		heapAfterGC()
		run(1)
		return heapAfterGC()
	}
	run(200)
	before := settled()
	run(10_000)
	after := settled()
	growth := int64(after) - int64(before)
	t.Logf("heap after running and dropping 10,000 scripts: %+d bytes", growth)
	assert.Less(t, growth, int64(1<<20), "dropped scripts keep memory")
}

// heapAfterGC is the heap's live bytes after two collections (the second frees what the
// first's cleanups released).
func heapAfterGC() uint64 {
	var m goruntime.MemStats
	goruntime.GC()
	goruntime.GC()
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestRegexpTwinsAreReleased: the twins the lockdown keeps for the regular expressions
// an evaluation used go with them.
func TestRegexpTwinsAreReleased(t *testing.T) {
	s := NewSandbox(time.Second, nil)
	sc := script(t, "new RegExp('a' + n + '(b)\\\\1').test('xa' + n + 'bb')", "n")
	run := func(from, n int) {
		for i := from; i < from+n; i++ {
			v, err := s.Run(sc, []any{float64(i)})
			require.NoError(t, err)
			require.Equal(t, true, v)
		}
	}
	run(0, 200)
	before := heapAfterGC()
	run(200, 10_000)
	after := heapAfterGC()
	growth := int64(after) - int64(before)
	t.Logf("heap after 10,000 evaluations with a fresh regular expression each: %+d bytes", growth)
	assert.Less(t, growth, int64(1<<20), "regular expressions and their twins are kept")
}
