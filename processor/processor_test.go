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

const testPrefix = "umh.v1.corpA.plant-A.aawd"

func pumpConfig(mapping map[string]any) Config {
	return Config{
		Mode:        ModeTimeseries,
		OutputTopic: testPrefix,
		Model:       Model{Name: "pump", Version: "v1"},
		Sources: map[string]string{
			"press": testPrefix + "._raw.press",
			"tF":    testPrefix + "._raw.tempF",
			"r":     testPrefix + "._raw.run",
		},
		Mapping: mapping,
	}
}

type emitted struct{ topic, payload string }

func process(t *testing.T, p *Processor, topic, payload string) ([]emitted, Result) {
	t.Helper()
	var out []emitted
	res := p.Process(topic, []byte(payload), func(o Output) {
		assert.Equal(t, o.Mapping.Topic(), o.Topic)
		out = append(out, emitted{o.Topic, string(o.Payload)})
	})
	assert.Equal(t, len(out), res.Outputs)
	return out, res
}

func point(v any, ts int64) string {
	return fmt.Sprintf(`{"value":%v,"timestamp_ms":%d}`, v, ts)
}

// workedExampleMapping is the mapping of the reference's worked example (its's standard workload).
func workedExampleMapping() map[string]any {
	return map[string]any{
		"pressure":     "press+4.00001",
		"temperature":  "tF*69/31",
		"combined":     "press+tF",
		"motor":        map[string]any{"rpm": "press/4"},
		"serialNumber": `"SN-P42-008"`,
		"deviceType":   `"pump"`,
	}
}

// TestProcessWorkedExample is the reference's worked example.
func TestProcessWorkedExample(t *testing.T) {
	p, err := New(pumpConfig(workedExampleMapping()))
	require.NoError(t, err)
	out := testPrefix + "._pump_v1."

	got, res := process(t, p, testPrefix+"._raw.press", point(100, 1))
	assert.True(t, res.Matched)
	assert.Equal(t, []emitted{
		{out + "deviceType", point(`"pump"`, 1)},
		{out + "serialNumber", point(`"SN-P42-008"`, 1)},
		{out + "motor.rpm", point(25, 1)},
		{out + "pressure", point(104.00001, 1)},
	}, got)

	got, _ = process(t, p, testPrefix+"._raw.tempF", point(86, 2))
	assert.Equal(t, []emitted{
		{out + "deviceType", point(`"pump"`, 2)},
		{out + "serialNumber", point(`"SN-P42-008"`, 2)},
		{out + "combined", point(186, 2)},
		{out + "temperature", point(191.41935483870967, 2)},
	}, got)

	got, _ = process(t, p, testPrefix+"._raw.run", point(1, 3))
	assert.Equal(t, []emitted{
		{out + "deviceType", point(`"pump"`, 3)},
		{out + "serialNumber", point(`"SN-P42-008"`, 3)},
	}, got)
	assert.Equal(t, 3, p.State().Present())
}

func TestProcessSkips(t *testing.T) {
	p, err := New(pumpConfig(map[string]any{"x": "press * 2"}))
	require.NoError(t, err)

	got, res := process(t, p, "other.topic", "not even json")
	assert.Empty(t, got)
	assert.Equal(t, Result{}, res, "unknown topic: not matched, payload not parsed")

	got, res = process(t, p, testPrefix+"._raw.press", `{"value":null,"timestamp_ms":1}`)
	assert.Empty(t, got)
	assert.True(t, res.Matched)
	var pe *PayloadError
	require.ErrorAs(t, res.Err, &pe)
	assert.Zero(t, p.State().Present(), "a rejected payload leaves the state unchanged")

	got, res = process(t, p, testPrefix+"._raw.tempF", point(1, 1))
	assert.Empty(t, got)
	require.Len(t, res.Slots, 1)
	assert.Equal(t, "tF", p.State().Layout().Alias(res.Slots[0]), "the slot the message updated")
	assert.Equal(t, Result{Matched: true, Slots: res.Slots}, res, "no mapping depends on tF")
}

func TestProcessSharedTopic(t *testing.T) {
	cfg := pumpConfig(map[string]any{"a": "x + 1", "b": "y * 2", "both": "x + y"})
	cfg.Sources = map[string]string{"x": "t.shared", "y": "t.shared"}
	p, err := New(cfg)
	require.NoError(t, err)

	got, _ := process(t, p, "t.shared", point(5, 9))
	out := testPrefix + "._pump_v1."
	assert.Equal(t, []emitted{
		{out + "a", point(6, 9)},
		{out + "b", point(10, 9)},
		{out + "both", point(10, 9)},
	}, got, "every alias of the topic is updated, each dependent fires once")
}

// recorder is an Observer that keeps what it saw.
type recorder struct {
	mu        sync.Mutex
	failures  map[string]error
	fallbacks map[string]int
	waiting   []string
}

func (r *recorder) Evaluated(m *Mapping, _ time.Duration, fallback bool, failure error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if failure != nil {
		r.failures[m.Path()] = failure
	}
	if fallback {
		r.fallbacks[m.Path()]++
	}
}

func (r *recorder) Waiting(m *Mapping) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting = append(r.waiting, m.Path())
}

func TestProcessFailuresAreObserved(t *testing.T) {
	rec := &recorder{failures: map[string]error{}, fallbacks: map[string]int{}}
	p, err := New(pumpConfig(map[string]any{
		"nan":    "press / 0 * 0",
		"inf":    "press / 0",
		"undef":  "[press][5]",
		"throws": "press.x.y",
		"ok":     "press + 1",
		"wait":   "press + tF",
	}), WithObserver(rec))
	require.NoError(t, err)

	got, res := process(t, p, testPrefix+"._raw.press", point(0, 1))
	assert.Equal(t, []emitted{{testPrefix + "._pump_v1.ok", point(1, 1)}}, got)
	assert.Equal(t, 1, res.Outputs)

	var ne *NonEmittableError
	for _, path := range []string{"nan", "inf", "undef"} {
		assert.ErrorAs(t, rec.failures[path], &ne, path)
	}
	require.Error(t, rec.failures["throws"])
	assert.False(t, errors.As(rec.failures["throws"], &ne), "a JS exception is not a non-emittable result")
	assert.Equal(t, []string{"wait"}, rec.waiting)
}

func TestImpureStaticEvaluatedPerMessage(t *testing.T) {
	var mu sync.Mutex
	now := time.UnixMilli(1000)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
	p, err := New(pumpConfig(map[string]any{"now": "Date.now()"}), WithCompilerOptions(compiler.WithClock(clock)))
	require.NoError(t, err)

	first, _ := process(t, p, testPrefix+"._raw.press", point(1, 1))
	second, _ := process(t, p, testPrefix+"._raw.press", point(1, 2))
	require.Len(t, first, 1)
	require.Len(t, second, 1)
	assert.NotEqual(t, first[0].payload[:20], second[0].payload[:20], "Date.now() is read afresh")
}

// TestProcessConcurrent shares one Processor between goroutines (meant for -race):
// each goroutine owns one source, so its outputs are fully determined, while the
// statics, the state table and the scratch pool are shared.
func TestProcessConcurrent(t *testing.T) {
	const workers, rounds = 4, 200
	cfg := pumpConfig(map[string]any{"label": `"L"`})
	cfg.Sources = map[string]string{}
	for w := range workers {
		alias := fmt.Sprintf("s%d", w)
		cfg.Sources[alias] = "t." + alias
		cfg.Mapping["x"+alias] = fmt.Sprintf("`%s:${%s * 2}`", alias, alias)
		cfg.Mapping["y"+alias] = fmt.Sprintf("%s * 10 + %d", alias, w)
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
				res := p.Process("t."+alias, []byte(point(n, int64(n+1))), func(o Output) {
					got = append(got, emitted{o.Topic, string(o.Payload)})
				})
				want := []emitted{
					{out + "label", point(`"L"`, int64(n+1))},
					{out + "x" + alias, point(fmt.Sprintf(`"%s:%d"`, alias, 2*n), int64(n+1))},
					{out + "y" + alias, point(10*n+w, int64(n+1))},
				}
				if !assert.Equal(t, want, got) || !assert.Equal(t, 3, res.Outputs) {
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, workers, p.State().Present())
}

// TestSourcesKnowMappingsOfTheirOwnAliases checks which inputs of each dependent take
// the message's value (every alias of the topic, also when two aliases name it); a
// dependent whose inputs all do reads nothing from the state.
func TestSourcesKnowMappingsOfTheirOwnAliases(t *testing.T) {
	cfg := pumpConfig(map[string]any{"a": "press * 2", "b": "press + tF", "c": "press - p2", "d": "tF"})
	cfg.Sources["p2"] = testPrefix + "._raw.press"
	p, err := New(cfg)
	require.NoError(t, err)
	own := func(topic string) map[string][]string {
		src, ok := p.sources.Get(topic)
		require.True(t, ok, topic)
		got := map[string][]string{}
		for _, d := range src.dependents {
			m := p.mappings[d.mapping]
			for _, j := range d.own {
				got[m.Path()] = append(got[m.Path()], m.Program().Deps()[j])
			}
		}
		return got
	}
	assert.Equal(t, map[string][]string{"a": {"press"}, "b": {"press"}, "c": {"press", "p2"}}, own(testPrefix+"._raw.press"))
	assert.Equal(t, map[string][]string{"b": {"tF"}, "d": {"tF"}}, own(testPrefix+"._raw.tempF"))

	out, _ := process(t, p, testPrefix+"._raw.press", `{"value":5,"timestamp_ms":1}`)
	assert.Equal(t, []emitted{
		{testPrefix + "._pump_v1.a", `{"value":10,"timestamp_ms":1}`},
		{testPrefix + "._pump_v1.c", `{"value":0,"timestamp_ms":1}`},
	}, out, "b waits for tF")
}
