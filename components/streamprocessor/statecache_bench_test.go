package streamprocessor

import (
	"context"
	"fmt"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// BenchmarkStateCache measures the write-through of state_cache: the same workload
// without a cache, with Benthos' memory cache and with its file cache, written per
// batch (one write per alias and batch) or by the background writer, in batches of 1
// and 100 messages.
func BenchmarkStateCache(b *testing.B) {
	const base = `
output_topic: umh.v1.s
model: {name: m, version: v1}
sources: {a: umh.v1.s._raw.a, b: umh.v1.s._raw.b}
mapping: {sum: a + b, twice: a * 2, label: '"L"'}
`
	memory := "memory: {default_ttl: 876000h}"
	file := fileCache(b.TempDir())
	caches := []struct{ name, resource, interval string }{
		{"none", "", ""},
		{"memory", memory, "0s"},
		{"memory", memory, "1s"},
		{"file", file, "0s"},
		{"file", file, "1s"},
	}
	for _, c := range caches {
		for _, size := range []int{1, 100} {
			b.Run(fmt.Sprintf("cache=%s/interval=%s/batch=%d", c.name, c.interval, size), func(b *testing.B) {
				yaml, resources := base, ""
				if c.resource != "" {
					yaml += "state_cache: state\nstate_cache_interval: " + c.interval + "\n"
					resources = stateCacheResource(c.resource)
				}
				h := newHarness(b, yaml, resources)
				h.process(b, tsMessage("umh.v1.s._raw.b", `{"value":1,"timestamp_ms":1}`))
				batch := make(service.MessageBatch, size)
				for i := range batch {
					batch[i] = tsMessage("umh.v1.s._raw.a", fmt.Sprintf(`{"value":%d.5,"timestamp_ms":%d}`, i, 1700000000000+i))
				}
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if out, _ := h.bp.ProcessBatch(ctx, batch); len(out) != 1 {
						b.Fatal("no output")
					}
				}
				b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}
