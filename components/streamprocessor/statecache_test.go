package streamprocessor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateYAML waits for two inputs in sum; twice and label need one each.
const stateYAML = `
output_topic: umh.v1.s
model: {name: m, version: v1}
state_cache: state
sources:
  a: umh.v1.s._raw.a
  b: umh.v1.s._raw.b
  c: umh.v1.s._raw.c
mapping:
  sum: a + b
  twice: a * 2
  label: '"c=" + c'
`

const (
	stateTopicA = "umh.v1.s._raw.a"
	stateTopicB = "umh.v1.s._raw.b"
	stateTopicC = "umh.v1.s._raw.c"
	// statePrefix is the default key prefix of stateYAML.
	statePrefix = "umh.v1.s._m_v1.state."
)

func fileCacheYAML(dir string) string {
	return "label: state\n" + fileCache(dir)
}

// TestStateSurvivesRestart runs two streams, one after the other, on the same file
// cache: in the second, an update of a alone fires sum with b from the first run. The
// state is written per batch or, with a long interval, by the background writer when
// the processor closes.
func TestStateSurvivesRestart(t *testing.T) {
	for _, interval := range []string{"0s", "1h"} {
		t.Run("interval="+interval, func(t *testing.T) {
			dir := t.TempDir()
			withCache := func(b *service.StreamBuilder) { require.NoError(t, b.AddCacheYAML(fileCacheYAML(dir))) }
			yaml := stateYAML + "state_cache_interval: " + interval + "\n"

			first := runYAMLStream(t, service.GlobalEnvironment(), PluginName, yaml, withCache,
				tsMessage(stateTopicB, `{"value":10,"timestamp_ms":1}`),
				tsMessage(stateTopicC, `{"value":"on","timestamp_ms":2}`),
				tsMessage(stateTopicB, `{"value":{"x":[1.5,"y",true]},"timestamp_ms":3}`),
				tsMessage(stateTopicB, `{"value":40,"timestamp_ms":4}`),
			)
			assert.Equal(t, []string{
				`umh.v1.s._m_v1.label {"value":"c=on","timestamp_ms":2}`,
			}, first, "sum still waits for a")

			entry, err := os.ReadFile(filepath.Join(dir, statePrefix+"b"))
			require.NoError(t, err)
			assert.Equal(t, `{"topic":"umh.v1.s._raw.b","value":40,"timestamp_ms":4}`, string(entry), "documented entry format, latest value")
			_, err = os.Stat(filepath.Join(dir, statePrefix+"a"))
			assert.ErrorIs(t, err, os.ErrNotExist, "an alias without a value has no entry")

			second := runYAMLStream(t, service.GlobalEnvironment(), PluginName, yaml, withCache,
				tsMessage(stateTopicA, `{"value":2,"timestamp_ms":5}`),
			)
			assert.Equal(t, []string{
				`umh.v1.s._m_v1.sum {"value":42,"timestamp_ms":5}`,
				`umh.v1.s._m_v1.twice {"value":4,"timestamp_ms":5}`,
			}, second, "sum fires with the restored b")
		})
	}
}

// TestStateCacheBackgroundWriter: with an interval, values reach the cache without
// waiting for Close, and a failed write is retried on the next run.
func TestStateCacheBackgroundWriter(t *testing.T) {
	registerTestCaches(t)
	h := newHarness(t, stateYAML+"state_cache_interval: 5ms\n", stateCacheResource(flakyCache+": {}"))
	cache := flakyCaches.last()
	out := h.process(t, tsMessage(stateTopicC, `{"value":"x","timestamp_ms":1}`))
	require.Len(t, out, 1)
	want := `{"topic":"umh.v1.s._raw.c","value":"x","timestamp_ms":1}`
	require.Eventually(t, func() bool { return cache.get(statePrefix+"c") == want }, 10*time.Second, 5*time.Millisecond,
		"written after the first, failed, attempt")
	assert.Equal(t, int64(1), h.metrics.value("state_cache_errors{operation=write}"))

	h.process(t, tsMessage(stateTopicC, `{"value":"y","timestamp_ms":2}`))
	require.NoError(t, h.bp.Close(context.Background()))
	assert.Equal(t, `{"topic":"umh.v1.s._raw.c","value":"y","timestamp_ms":2}`, cache.get(statePrefix+"c"), "Close stores what is pending")
}

// TestStateCacheRestoresWhatItCan prepares one good entry, a corrupt one and a foreign
// one: each bad one is skipped with a warning naming key and alias, and only its alias starts
// empty.
func TestStateCacheRestoresWhatItCan(t *testing.T) {
	dir := t.TempDir()
	entries := map[string]string{
		"a": `{"topic":"umh.v1.s._raw.a","value":3,"timestamp_ms":7}`,
		"b": "\x00\xffnot json",
		"c": `{"value":"from another program","timestamp_ms":7}`, // foreign: no topic
	}
	for alias, entry := range entries {
		require.NoError(t, os.WriteFile(filepath.Join(dir, statePrefix+alias), []byte(entry), 0o600))
	}
	h := newHarness(t, stateYAML, stateCacheResource(fileCache(dir)))

	warnings := h.logs.find(slog.LevelWarn, "state cache entry not restored")
	require.Len(t, warnings, 2)
	for i, alias := range []string{"b", "c"} {
		assert.Equal(t, alias, warnings[i].attrs["alias"])
		assert.Equal(t, statePrefix+alias, warnings[i].attrs["key"])
	}
	assert.Contains(t, warnings[0].attrs["error"], "not a JSON object")
	assert.Contains(t, warnings[1].attrs["error"], `"topic" is missing`)
	assert.Equal(t, int64(2), h.metrics.value("state_cache_errors{operation=read}"))
	assert.Len(t, h.logs.find(slog.LevelInfo, "restored the last value of 1 of 3 source aliases"), 1)

	out := h.process(t, tsMessage(stateTopicB, `{"value":1,"timestamp_ms":8}`))
	require.Len(t, out, 1)
	assert.Equal(t, `sum 4`, outputLine(t, out[0])[len("umh.v1.s._m_v1."):], "a was restored")
	out = h.process(t, tsMessage(stateTopicC, `{"value":"on","timestamp_ms":9}`))
	require.Len(t, out, 1)
	assert.Equal(t, `label "c=on"`, outputLine(t, out[0])[len("umh.v1.s._m_v1."):], "c works as usual from its first update")
}

// TestStateCacheEntryChecks covers decode: an entry must carry the alias's topic.
func TestStateCacheEntryChecks(t *testing.T) {
	tests := []struct {
		name, entry, err string
	}{
		{"good", `{"topic":"umh.v1.s._raw.a","value":[1],"timestamp_ms":7,"extra":1}`, ""},
		{"other topic", `{"topic":"umh.v1.s._raw.old","value":1,"timestamp_ms":7}`, `recorded for topic "umh.v1.s._raw.old", but the alias now reads "umh.v1.s._raw.a"`},
		{"no topic (foreign)", `{"value":1,"timestamp_ms":7}`, `"topic" is missing or not a string`},
		{"topic not a string", `{"topic":5,"value":1,"timestamp_ms":7}`, `"topic" is missing or not a string`},
		{"plain text (foreign)", `hello`, "not a state entry"},
		{"bad timestamp", `{"topic":"umh.v1.s._raw.a","value":1,"timestamp_ms":-1}`, "timestamp_ms"},
		{"empty", ``, "invalid JSON"},
	}
	c := &stateCache{topics: []string{"umh.v1.s._raw.a"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ts, err := c.decode(0, []byte(tc.entry))
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []any{1.0}, v.Interface())
			assert.Equal(t, int64(7), ts)
		})
	}
}

func TestStateCacheConfig(t *testing.T) {
	t.Run("missing resource", func(t *testing.T) {
		conf, err := ConfigSpec().ParseYAML(stateYAML, nil)
		require.NoError(t, err)
		_, err = NewBatchProcessor(conf, service.MockResources())
		assert.ErrorContains(t, err, `state_cache: there is no cache resource labelled "state"`)
	})
	t.Run("custom prefix", func(t *testing.T) {
		res := service.MockResources(service.MockResourcesOptAddCache("state"))
		conf, err := ConfigSpec().ParseYAML(stateYAML+"state_cache_prefix: 'keep/'\n", nil)
		require.NoError(t, err)
		bp, err := NewBatchProcessor(conf, res)
		require.NoError(t, err)
		_, err = bp.ProcessBatch(context.Background(), service.MessageBatch{tsMessage(stateTopicC, `{"value":"x","timestamp_ms":1}`)})
		require.NoError(t, err)
		require.NoError(t, res.AccessCache(context.Background(), "state", func(c service.Cache) {
			raw, err := c.Get(context.Background(), "keep/c")
			require.NoError(t, err)
			assert.JSONEq(t, `{"topic":"umh.v1.s._raw.c","value":"x","timestamp_ms":1}`, string(raw))
		}))
	})
}

// TestStateCacheWriteFailure: a cache that refuses writes costs no output; the
// failure is counted and logged once per interval.
func TestStateCacheWriteFailure(t *testing.T) {
	registerTestCaches(t)
	h := newHarness(t, stateYAML, stateCacheResource(brokenCache+": {}"))
	for ts := 1; ts <= 3; ts++ {
		out := h.process(t, tsMessage(stateTopicA, fmt.Sprintf(`{"value":1,"timestamp_ms":%d}`, ts)))
		assert.Len(t, out, 1, "twice")
	}
	assert.Equal(t, int64(3), h.metrics.value("state_cache_errors{operation=write}"))
	warnings := h.logs.find(slog.LevelWarn, "writing the state cache failed")
	require.Len(t, warnings, 1)
	assert.Equal(t, statePrefix+"a", warnings[0].attrs["key"])
	assert.Contains(t, warnings[0].attrs["error"], "disk full")
}

// Cache types registered for these tests: brokenCache fails every write, flakyCache
// only the first; slowCache takes a random time of up to 100µs per write, which
// widens the windows in which concurrent writes of one key could overtake each other.
const (
	brokenCache = "unsproc_test_broken_cache"
	flakyCache  = "unsproc_test_flaky_cache"
	slowCache   = "unsproc_test_slow_cache"
)

var (
	registerCaches sync.Once
	flakyCaches    flakyRegistry
)

func registerTestCaches(t testing.TB) {
	registerCaches.Do(func() {
		require.NoError(t, service.RegisterCache(brokenCache, service.NewConfigSpec(),
			func(*service.ParsedConfig, *service.Resources) (service.Cache, error) {
				return &testCache{failures: -1}, nil
			}))
		require.NoError(t, service.RegisterCache(flakyCache, service.NewConfigSpec(),
			func(*service.ParsedConfig, *service.Resources) (service.Cache, error) {
				return flakyCaches.add(&testCache{failures: 1}), nil
			}))
		require.NoError(t, service.RegisterCache(slowCache, service.NewConfigSpec(),
			func(*service.ParsedConfig, *service.Resources) (service.Cache, error) {
				return &testCache{slow: true}, nil
			}))
	})
}

// flakyRegistry keeps the flaky caches built, so that a test can inspect its own.
type flakyRegistry struct {
	mu     sync.Mutex
	caches []*testCache
}

func (r *flakyRegistry) add(c *testCache) *testCache {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.caches = append(r.caches, c)
	return c
}

func (r *flakyRegistry) last() *testCache {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.caches[len(r.caches)-1]
}

// testCache is a memory cache whose first failures writes fail (all, when negative)
// and whose writes, if slow, first sleep.
type testCache struct {
	mu       sync.Mutex
	failures int
	slow     bool
	items    map[string][]byte
}

func (c *testCache) get(key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.items[key])
}

func (c *testCache) Get(_ context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.items[key]; ok {
		return v, nil
	}
	return nil, service.ErrKeyNotFound
}

func (c *testCache) Set(_ context.Context, key string, value []byte, _ *time.Duration) error {
	if c.slow {
		time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failures != 0 {
		c.failures--
		return errors.New("disk full")
	}
	if c.items == nil {
		c.items = map[string][]byte{}
	}
	c.items[key] = value
	return nil
}

func (c *testCache) Add(ctx context.Context, key string, value []byte, ttl *time.Duration) error {
	return c.Set(ctx, key, value, ttl)
}

func (c *testCache) Delete(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, key)
	return nil
}

func (c *testCache) Close(context.Context) error { return nil }
