package processor

import (
	"strconv"
	"testing"
)

// BenchmarkProcess measures the core on the reference workload (spec §5.5: three
// sources, six mappings), one input per iteration, cycling over the sources.
func BenchmarkProcess(b *testing.B) {
	p, err := New(pumpConfig(workedExampleMapping()))
	if err != nil {
		b.Fatal(err)
	}
	topics := []string{testPrefix + "._raw.press", testPrefix + "._raw.tempF", testPrefix + "._raw.run"}
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
		p.Process(topics[i%3], payloads[i%64], emit)
		i++
	}
}
