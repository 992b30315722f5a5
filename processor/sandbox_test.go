package processor

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileMappingNextToSafeOne puts a hostile mapping beside `safe: press + 1`: the
// configuration is refused with the hostile mapping named, or the processor keeps
// emitting the safe output, message after message, while the hostile mapping emits
// nothing and is reported as failed to the observer (docs/behaviour.md#validation, #results-that-are-not-emitted, #sandbox).
func TestHostileMappingNextToSafeOne(t *testing.T) {
	cases := []struct {
		name, src string
		// refused, when set, is a regular expression the construction error must match;
		// failure otherwise is one the hostile mapping's reported failure must match.
		refused, failure string
	}{
		{name: "Function constructor, static", src: "[].constructor.constructor('return process')()", refused: `mapping "hostile": static expression .* fails: TypeError`},
		{name: "Function constructor", src: "(() => 1).constructor('return ' + press)()", failure: `TypeError: Not a function`},
		{name: "eval", src: "eval('press')", refused: `mapping "hostile": .*eval is blocked`},
		{name: "this", src: "this.press", refused: `mapping "hostile": .*this`},
		{name: "pollution", src: "(Object.prototype.polluted = press, ({}).polluted)", failure: `undefined or null`},
		{name: "built-in overwritten", src: "(Math.round = () => press, Math.round)", failure: `a function`},
		{name: "infinite loop", src: "(() => { for (;;) {} })() + press", failure: `evaluation timed out after 50ms`},
		{name: "deep recursion", src: "(function f(n) { return f(n + press); })(0)", failure: `maximum call stack size`},
		{name: "repeat", src: "'x'.repeat(2**30 + press)", failure: `RangeError: String.prototype.repeat`},
		{name: "fill", src: "new Array(2**30 + press).fill(0)", failure: `RangeError: Array.prototype.fill`},
		{name: "doubling string", src: "(() => { let s = 'x' + press; for (;;) { s += s; } })()", failure: `RangeError: string concatenation|memory limit exceeded|evaluation timed out`},
		{name: "sparse array result", src: "(a => (a.length = 2**32 - 1 + 0 * press, a))([])", failure: `result too large`},
		{name: "cyclic result", src: "(() => { const a = {p: press}; a.self = a; return a; })()", failure: `result too large: nested deeper`},
	}
	out := testPrefix + "._pump_v1."
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{failures: map[string]error{}, fallbacks: map[string]int{}}
			cfg := pumpConfig(map[string]any{
				"hostile": c.src,
				"probe":   "typeof ({}).polluted + Math.round(press + 0.4)",
				"safe":    "press + 1",
			})
			cfg.Timeout = 50 * time.Millisecond
			p, err := New(cfg, WithObserver(rec))
			if c.refused != "" {
				require.Error(t, err)
				assert.Regexp(t, c.refused, err.Error())
				return
			}
			require.NoError(t, err)
			for i := 1; i <= 2; i++ {
				got, res := process(t, p, testPrefix+"._raw.press", point(i, int64(i)))
				assert.Equal(t, []emitted{
					{out + "probe", point(fmt.Sprintf(`"undefined%d"`, i), int64(i))},
					{out + "safe", point(i+1, int64(i))},
				}, got, "message %d", i)
				assert.Equal(t, 2, res.Outputs)
				require.Error(t, rec.failures["hostile"], "message %d", i)
				assert.Regexp(t, c.failure, rec.failures["hostile"].Error())
				delete(rec.failures, "hostile")
			}
			assert.Empty(t, rec.failures, "only the hostile mapping fails")
		})
	}
}
