package sandbox

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/vm/vmtest"
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
	growth := vmtest.Retained(run, func() { run(1) })
	t.Logf("heap after running and dropping 10,000 scripts: %+d bytes", growth)
	assert.Less(t, growth, int64(1<<20), "dropped scripts keep memory")
}

// TestRegexpTwinsAreReleased: the twins the lockdown keeps for the regular expressions
// an evaluation used go with them.
func TestRegexpTwinsAreReleased(t *testing.T) {
	s := NewSandbox(time.Second, nil)
	sc := script(t, "new RegExp('a' + n + '(b)\\\\1').test('xa' + n + 'bb')", "n")
	next := 0 // every evaluation builds a regular expression not seen before
	run := func(n int) {
		for range n {
			v, err := s.Run(sc, []any{float64(next)})
			require.NoError(t, err)
			require.Equal(t, true, v)
			next++
		}
	}
	growth := vmtest.Retained(run, nil)
	t.Logf("heap after 10,000 evaluations with a fresh regular expression each: %+d bytes", growth)
	assert.Less(t, growth, int64(1<<20), "regular expressions and their twins are kept")
}
