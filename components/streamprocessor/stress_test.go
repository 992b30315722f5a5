package streamprocessor

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stressYAML has one single-input mapping per source (so each output's value is a
// function of its own input) and one two-input mapping.
const stressYAML = `
output_topic: umh.v1.x
model: {name: m, version: v1}
state_cache: state
state_cache_interval: %s
sources:
  a: umh.v1.x._raw.a
  b: umh.v1.x._raw.b
  c: umh.v1.x._raw.c
mapping:
  twice: a * 2
  neg: -b
  label: '"c=" + c'
  sum: a + b
`

// stressInput is one message a stress goroutine sent.
type stressInput struct {
	alias string
	value float64
	ts    int64
}

// TestConcurrentBatches shares one processor between goroutines that send batches
// concurrently (run it with -race). Every output must be one a sequential run could
// have produced: the single-input mappings give f(value of the input that triggered
// them), sum adds a value that was sent for the other alias, the timestamp is the
// input's. Every input is counted as processed, and at the end the state and the
// state cache hold, per alias, the last value of one of the goroutines.
func TestConcurrentBatches(t *testing.T) {
	const goroutines, batches = 4, 150
	for _, interval := range []string{"0s", "1ms"} {
		t.Run("state_cache_interval="+interval, func(t *testing.T) {
			registerTestCaches(t)
			h := newHarness(t, fmt.Sprintf(stressYAML, interval), stateCacheResource(slowCache+": {}"))
			inputs := make([][]stressInput, goroutines) // by goroutine, in send order
			outputs := make([][]*service.Message, goroutines)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(g), 7))
					for range batches {
						batch := make(service.MessageBatch, 1+rng.IntN(10))
						for i := range batch {
							in := stressInput{alias: []string{"a", "b", "c"}[rng.IntN(3)], value: float64(g*1_000_000 + len(inputs[g])), ts: int64(1 + g*1_000_000 + len(inputs[g]))}
							batch[i] = tsMessage("umh.v1.x._raw."+in.alias, fmt.Sprintf(`{"value":%s,"timestamp_ms":%d}`, strconv.FormatFloat(in.value, 'f', -1, 64), in.ts))
							batch[i].MetaSetMut("id", fmt.Sprintf("%d/%d", g, len(inputs[g])))
							inputs[g] = append(inputs[g], in)
						}
						res, err := h.bp.ProcessBatch(context.Background(), batch)
						if err != nil || len(res) != 1 {
							t.Errorf("batch of %d: %d output batches, error %v", len(batch), len(res), err)
							return
						}
						outputs[g] = append(outputs[g], res[0]...)
					}
				})
			}
			wg.Wait()

			sent := map[string]map[float64]bool{"a": {}, "b": {}, "c": {}}
			total := 0
			for _, ins := range inputs {
				for _, in := range ins {
					sent[in.alias][in.value] = true
					total++
				}
			}
			for g := range goroutines {
				checkStressOutputs(t, inputs, sent, outputs[g])
			}
			assert.Equal(t, int64(total), h.metrics.value("messages_processed"), "every input has an output")

			require.NoError(t, h.bp.Close(context.Background()))
			core := h.bp.(*batchProcessor).core
			for slot := range core.State().Layout().Len() {
				alias := core.State().Layout().Alias(slot)
				last := map[float64]bool{}
				for _, ins := range inputs {
					for i := len(ins) - 1; i >= 0; i-- {
						if ins[i].alias == alias {
							last[ins[i].value] = true
							break
						}
					}
				}
				v, ok := core.State().Load(slot)
				require.True(t, ok)
				assert.True(t, last[v.V.(float64)], "state of %s: %v is the last value of a goroutine", alias, v.V)
				assertCached(t, h.bp.(*batchProcessor).cache, slot, v.V.(float64), v.TimestampMs)
			}
		})
	}
}

// checkStressOutputs checks the outputs of one goroutine against the inputs.
func checkStressOutputs(t *testing.T, inputs [][]stressInput, sent map[string]map[float64]bool, outs []*service.Message) {
	t.Helper()
	for _, out := range outs {
		var g, i int
		_, err := fmt.Sscanf(metaOf(out, "id"), "%d/%d", &g, &i)
		require.NoError(t, err)
		in := inputs[g][i]
		raw, err := out.AsBytes()
		require.NoError(t, err)
		var payload struct {
			Value       any   `json:"value"`
			TimestampMs int64 `json:"timestamp_ms"`
		}
		require.NoError(t, json.Unmarshal(raw, &payload))
		assert.Equal(t, in.ts, payload.TimestampMs)
		path := strings.TrimPrefix(metaOf(out, topicKey), "umh.v1.x._m_v1.")
		switch {
		case path == "twice" && in.alias == "a":
			assert.Equal(t, 2*in.value, payload.Value)
		case path == "neg" && in.alias == "b":
			assert.Equal(t, -in.value, payload.Value)
		case path == "label" && in.alias == "c":
			assert.Equal(t, "c="+strconv.FormatFloat(in.value, 'f', -1, 64), payload.Value)
		case path == "sum" && (in.alias == "a" || in.alias == "b"):
			other := map[string]string{"a": "b", "b": "a"}[in.alias]
			assert.True(t, sent[other][payload.Value.(float64)-in.value], "sum %v of %s=%v adds a value sent for %s", payload.Value, in.alias, in.value, other)
		default:
			t.Errorf("output %s from an input on %s", path, in.alias)
		}
	}
}

// assertCached checks that the state cache entry of slot holds value and ts.
func assertCached(t *testing.T, c *stateCache, slot int, value float64, ts int64) {
	t.Helper()
	require.NoError(t, c.mgr.AccessCache(context.Background(), c.label, func(cache service.Cache) {
		raw, err := cache.Get(context.Background(), c.keys[slot])
		require.NoError(t, err)
		want := fmt.Sprintf(`{"topic":%q,"value":%s,"timestamp_ms":%d}`, c.topics[slot], strconv.FormatFloat(value, 'f', -1, 64), ts)
		assert.Equal(t, want, string(raw), "the cache holds the final state")
	}))
}
