package replay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// BenchmarkReadBatch reads a recording of pump lines (the examples' format) through the
// input, batch_size 500, and reports the cost per line: reading, parsing and building
// the message with its umh_topic.
func BenchmarkReadBatch(b *testing.B) {
	const lines = 100_000
	var text strings.Builder
	for i := range lines {
		fmt.Fprintf(&text, `{"topic": "umh.v1.corpA.plant-A.aawd._raw.%s", "payload": {"value": %d.25, "timestamp_ms": %d}}`+"\n",
			[]string{"press", "tempF", "run"}[i%3], 80+i%40, 1733904000000+100*int64(i))
	}
	path := filepath.Join(b.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(text.Len()))
	for b.Loop() {
		in := newInput(settings{paths: []string{path}, batchSize: 500, maxLineBytes: 1 << 20}, service.MockResources())
		if err := in.Connect(ctx); err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			batch, _, err := in.ReadBatch(ctx)
			if errors.Is(err, service.ErrEndOfInput) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += len(batch)
		}
		if n != lines {
			b.Fatalf("read %d lines, want %d", n, lines)
		}
		_ = in.Close(ctx)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
	b.ReportMetric(0, "ns/op")
}
