package processor

import (
	"strconv"
	"testing"
)

// BenchmarkProcess measures the core on the reference workload (the reference's worked example: three
// sources, six mappings), one input per iteration, cycling over the sources.
func BenchmarkProcess(b *testing.B) {
	p, err := New(pumpConfig(workedExampleMapping()))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkProcess(b, p, []string{testPrefix + "._raw.press", testPrefix + "._raw.tempF", testPrefix + "._raw.run"})
}

// BenchmarkProcessChained measures the core on UMH's documented mappings: one reads
// another mapping, one is a statement body. Cycling over the two sources.
func BenchmarkProcessChained(b *testing.B) {
	p, err := New(umhDocsConfig())
	if err != nil {
		b.Fatal(err)
	}
	benchmarkProcess(b, p, []string{testPrefix + "._raw.produced", testPrefix + "._raw.planned"})
}

// benchmarkProcess feeds p one input per iteration, cycling over topics.
func benchmarkProcess(b *testing.B, p *Processor, topics []string) {
	payloads := make([][]byte, 64)
	for i := range payloads {
		payloads[i] = []byte(`{"value":` + strconv.Itoa(20+i) + `.5,"timestamp_ms":1700000000000}`)
	}
	outputs := 0
	emit := func(o Output) { outputs += len(o.Payload) & 1 }
	for i := range topics {
		p.Process(topics[i], payloads[i], emit)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Process(topics[i%len(topics)], payloads[i%64], emit)
		i++
	}
}
