package processor

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

// umhDocsConfig is the mapping of UMH's stream-processor documentation.
func umhDocsConfig() Config {
	return Config{
		Mode:        ModeTimeseries,
		OutputTopic: testPrefix,
		Model:       Model{Name: "pump", Version: "v1"},
		Sources: map[string]string{
			"source1": testPrefix + "._raw.produced",
			"source2": testPrefix + "._raw.planned",
		},
		Mapping: map[string]any{
			"value":      "source1",
			"status":     "value > 100 ? 'HIGH' : 'NORMAL'",
			"efficiency": "var produced = source1;\nvar planned = source2;\nreturn (produced / planned) * 100;\n",
		},
	}
}

// TestUMHDocumentationMappings runs UMH's documented example: status reads the value
// emitted for the same input, efficiency is a statement body.
func TestUMHDocumentationMappings(t *testing.T) {
	p, err := New(umhDocsConfig())
	require.NoError(t, err)
	out := testPrefix + "._pump_v1."
	produced, planned := testPrefix+"._raw.produced", testPrefix+"._raw.planned"

	got, res := process(t, p, produced, point(150, 1))
	assert.Equal(t, []emitted{
		{out + "status", point(`"HIGH"`, 1)},
		{out + "value", point(150, 1)},
	}, got, "status is evaluated after value but emitted in path order; efficiency waits for source2")
	assert.Len(t, res.Slots, 2, "the alias and the value of mapping value")

	got, _ = process(t, p, planned, point(200, 2))
	assert.Equal(t, []emitted{{out + "efficiency", point(75, 2)}}, got, "status does not fire: neither source1 nor value changed")

	got, _ = process(t, p, produced, point(50, 3))
	assert.Equal(t, []emitted{
		{out + "efficiency", point(25, 3)},
		{out + "status", point(`"NORMAL"`, 3)},
		{out + "value", point(50, 3)},
	}, got)
	for _, m := range p.Mappings() {
		assert.Equal(t, compiler.Dynamic, m.Kind(), m.Path())
	}
	status := p.Mappings()[1]
	assert.Equal(t, "status", status.Path())
	assert.Equal(t, []string{"value"}, status.Reads())
}

// TestChainedMappings covers chains, statics read by dynamics, waiting and non-emittable
// producers.
func TestChainedMappings(t *testing.T) {
	rec := &recorder{failures: map[string]error{}, fallbacks: map[string]int{}}
	p, err := New(pumpConfig(map[string]any{
		"limit":   "100",
		"double":  "limit * 2", // a pure static read from a static
		"bar":     "press / 10",
		"barx2":   "bar * 2",
		"label":   "`${barx2} of ${double}`",
		"both":    "bar + tF", // fires on press (through bar) and on tF
		"gated":   "press > 0 ? press : undefined",
		"onGated": "gated + 1",
		"motor":   map[string]any{"rpm": "press * 3"},
	}), WithObserver(rec))
	require.NoError(t, err)
	out := testPrefix + "._pump_v1."
	kinds := map[string]compiler.Kind{}
	for _, m := range p.Mappings() {
		kinds[m.Path()] = m.Kind()
	}
	assert.Equal(t, compiler.Static, kinds["double"], "a mapping reading only pure statics is a pure static")
	assert.Equal(t, compiler.Dynamic, kinds["label"])

	got, _ := process(t, p, testPrefix+"._raw.press", point(50, 1))
	assert.Equal(t, []emitted{
		{out + "double", point(200, 1)},
		{out + "limit", point(100, 1)},
		{out + "bar", point(5, 1)},
		{out + "barx2", point(10, 1)},
		{out + "gated", point(50, 1)},
		{out + "label", point(`"10 of 200"`, 1)},
		{out + "motor.rpm", point(150, 1)},
		{out + "onGated", point(51, 1)},
	}, got, "both waits for tF")
	assert.Equal(t, []string{"both"}, rec.waiting)

	got, _ = process(t, p, testPrefix+"._raw.tempF", point(1, 2))
	assert.Equal(t, []emitted{
		{out + "double", point(200, 2)},
		{out + "limit", point(100, 2)},
		{out + "both", point(6, 2)},
	}, got, "only both reads tF")

	got, _ = process(t, p, testPrefix+"._raw.press", point(-10, 3))
	assert.Equal(t, []emitted{
		{out + "double", point(200, 3)},
		{out + "limit", point(100, 3)},
		{out + "bar", point(-1, 3)},
		{out + "barx2", point(-2, 3)},
		{out + "both", point(0, 3)},
		{out + "label", point(`"-2 of 200"`, 3)},
		{out + "motor.rpm", point(-30, 3)},
	}, got, "gated emits nothing, so onGated does not fire")
	var ne *NonEmittableError
	assert.ErrorAs(t, rec.failures["gated"], &ne)
	assert.NotContains(t, rec.failures, "onGated")
}

// TestImpureStaticRead: a mapping reading an impure static is impure and sees the
// value the static emitted for the same input.
func TestImpureStaticRead(t *testing.T) {
	var mu sync.Mutex
	now := time.UnixMilli(1000)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
	p, err := New(pumpConfig(map[string]any{"now": "Date.now()", "later": "now + 1", "withPress": "now - press"}),
		WithCompilerOptions(compiler.WithClock(clock)))
	require.NoError(t, err)
	got, _ := process(t, p, testPrefix+"._raw.tempF", point(1, 1))
	out := testPrefix + "._pump_v1."
	assert.Equal(t, []emitted{{out + "later", point(1002, 1)}, {out + "now", point(1001, 1)}}, got)
	got, _ = process(t, p, testPrefix+"._raw.press", point(1, 2))
	assert.Equal(t, []emitted{
		{out + "later", point(1003, 2)},
		{out + "now", point(1002, 2)},
		{out + "withPress", point(1001, 2)},
	}, got)
}

// TestChainConfigErrors: cycles and folders name the chain, readers of invalid mappings
// are invalid too, and a name that is an alias means the alias.
func TestChainConfigErrors(t *testing.T) {
	_, err := New(pumpConfig(map[string]any{
		"a":      "b + 1",
		"b":      "c + press",
		"c":      "a * 2",
		"loop":   "loop + 1",
		"useRpm": "motor * 2",
		"motor":  map[string]any{"rpm": "press"},
		"broken": "press +",
		"reader": "broken * 2",
		"ok":     "press",
	}))
	var cerr *ConfigError
	require.ErrorAs(t, err, &cerr)
	byPath := map[string]string{}
	for _, e := range cerr.Problems {
		var merr *MappingError
		require.True(t, errors.As(e, &merr), "%v", e)
		byPath[merr.Path] = merr.Error()
	}
	assert.Contains(t, byPath["a"], "cycle: a → b → c → a")
	assert.Contains(t, byPath["b"], "cycle: a → b → c → a")
	assert.Contains(t, byPath["c"], "cycle: a → b → c → a")
	assert.Contains(t, byPath["loop"], "cycle: loop → loop")
	assert.Contains(t, byPath["useRpm"], "reads motor, which is a folder of mappings (motor.rpm)")
	assert.Contains(t, byPath["useRpm"], "hint:")
	assert.Contains(t, byPath["reader"], `reads mapping "broken", which is invalid`)
	assert.Contains(t, byPath["broken"], "syntax error")
	assert.NotContains(t, byPath, "ok")
	assert.NotContains(t, byPath, "motor.rpm")

	cfg := pumpConfig(map[string]any{"press": "tF * 2", "x": "press + 1"})
	p, err := New(cfg)
	require.NoError(t, err)
	got, _ := process(t, p, testPrefix+"._raw.press", point(1, 1))
	assert.Equal(t, []emitted{{testPrefix + "._pump_v1.x", point(2, 1)}}, got, "x reads the alias press, not the mapping")
	insp, problems := Inspect(cfg)
	require.Empty(t, problems)
	for _, in := range insp {
		assert.Equal(t, in.Path == "press", in.Aliased, in.Path)
		assert.Empty(t, in.Reads, in.Path)
	}
}

// TestChainedConcurrent shares a processor with chained mappings between goroutines
// (meant for -race): each output reflects the input that triggered it, also through
// the chain.
func TestChainedConcurrent(t *testing.T) {
	const workers, rounds = 4, 200
	cfg := pumpConfig(map[string]any{})
	cfg.Sources = map[string]string{}
	for w := range workers {
		alias := fmt.Sprintf("s%d", w)
		cfg.Sources[alias] = "t." + alias
		cfg.Mapping["v"+alias] = alias + " * 2"
		cfg.Mapping["w"+alias] = fmt.Sprintf("v%s + 1", alias)
	}
	p, err := New(cfg)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			alias := fmt.Sprintf("s%d", w)
			out := testPrefix + "._pump_v1."
			for n := range rounds {
				var got []emitted
				p.Process("t."+alias, []byte(point(n, int64(n+1))), func(o Output) {
					got = append(got, emitted{o.Topic, string(o.Payload)})
				})
				want := []emitted{{out + "v" + alias, point(2*n, int64(n+1))}, {out + "w" + alias, point(2*n+1, int64(n+1))}}
				if !assert.Equal(t, want, got) {
					return
				}
			}
		})
	}
	wg.Wait()
}
