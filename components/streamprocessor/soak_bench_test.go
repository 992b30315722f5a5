package streamprocessor

import (
	"context"
	"fmt"

	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/vm/vmtest"
)

// soakMessages is the number of messages one soak iteration sends.
const soakMessages = 1_000_000

// soakMaxGrowth is the heap growth (after GC) a soak iteration may cause: a flat heap
// stays within pools and caches that do not depend on the number of messages.
const soakMaxGrowth = 4 << 20

// BenchmarkSoak sends 1 million messages per iteration through the Benthos plugin, in
// batches of 100: every kind of input (numbers, unique strings and metadata, invalid
// payloads, unique unknown topics, missing topics, a goja-evaluated mapping) and the
// state cache. It reports the live heap after GC before and after the messages
// (heap-growth-B) and fails when it grew by more than soakMaxGrowth. Run it with
// -benchtime 1x.
func BenchmarkSoak(b *testing.B) {
	yaml := fmt.Sprintf(stressYAML, "0s") + "  json: 'JSON.stringify({a, c})'\n"
	h := newHarness(b, yaml, stateCacheResource("memory: {default_ttl: 876000h}"))
	ctx := context.Background()
	const batchSize = 100
	batch := make(service.MessageBatch, batchSize)
	send := func(from int) {
		for i := range batch {
			n := from + i
			var msg *service.Message
			switch n % 10 {
			case 0, 1, 2, 3:
				msg = tsMessage("umh.v1.x._raw.a", fmt.Sprintf(`{"value":%d.25,"timestamp_ms":%d}`, n, n+1))
			case 4, 5:
				msg = tsMessage("umh.v1.x._raw.b", fmt.Sprintf(`{"value":%d,"timestamp_ms":%d}`, n, n+1))
			case 6:
				msg = tsMessage("umh.v1.x._raw.c", fmt.Sprintf(`{"value":"unique %d","timestamp_ms":%d}`, n, n+1))
			case 7:
				msg = tsMessage("umh.v1.x._raw.a", fmt.Sprintf(`{"value":%d,"timestamp_ms":0}`, n))
			case 8:
				msg = tsMessage(fmt.Sprintf("umh.v1.x._raw.unknown%d", n), `{"value":1,"timestamp_ms":1}`)
			default:
				msg = service.NewMessage([]byte(`{"value":1,"timestamp_ms":1}`))
			}
			msg.MetaSetMut("id", fmt.Sprint(n))
			batch[i] = msg
		}
		if _, err := h.bp.ProcessBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 10_000; i += batchSize { // warm up pools and runtimes
		send(i)
	}
	before := vmtest.LiveHeap()
	b.ReportAllocs()
	sent := 0
	for b.Loop() {
		for i := 0; i < soakMessages; i += batchSize {
			send(sent + i)
		}
		sent += soakMessages
	}
	b.StopTimer()
	after := vmtest.LiveHeap()
	growth := int64(after) - int64(before)
	b.ReportMetric(float64(before), "heap-before-B")
	b.ReportMetric(float64(after), "heap-after-B")
	b.ReportMetric(float64(growth), "heap-growth-B")
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "msgs/s")
	if growth > soakMaxGrowth {
		b.Errorf("the heap grew by %d bytes over %d messages", growth, sent)
	}
	if n := h.metrics.value("messages_processed"); n == 0 {
		b.Error("nothing was processed")
	}
}
