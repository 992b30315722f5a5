package uns_test

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

// pathProfile names a file for a CPU profile of BenchmarkUNSPipeline's timed part
// only; -cpuprofile would also record the producing of the inputs beforehand.
var pathProfile = flag.String("uns.cpuprofile", "", "write a CPU profile of BenchmarkUNSPipeline's timed part to this file")

// BenchmarkUNSPipeline measures the whole path over an in-process Kafka cluster: the
// `uns` input, the pump example's processor (each press message produces 4 outputs:
// the two statics, pressure and motor.rpm) and the `uns` output, which waits for the
// broker's acknowledgement of every record. One iteration is one input message; the
// time runs from the stream's start until the output has written all 4·N records
// (read from the output_sent counter on /metrics).
func BenchmarkUNSPipeline(b *testing.B) {
	c := newCluster(b, 1)
	brokers := c.ListenAddrs()[0]
	inputs := make([]record, b.N)
	for i := range inputs {
		inputs[i] = record{
			Key:   "umh.v1.corpA.plant-A.aawd._raw.press",
			Value: fmt.Sprintf(`{"value":%d,"timestamp_ms":%d}`, i, 1_700_000_000_000+int64(i)),
		}
	}
	const chunk = 10_000
	for i := 0; i < len(inputs); i += chunk {
		produce(b, brokers, inputs[i:min(i+chunk, len(inputs))])
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(b))
	config := pumpStream(brokers, "bench", "aawd",
		fmt.Sprintf("http:\n  enabled: true\n  address: %q\nmetrics:\n  prometheus: {}\n", addr))

	if *pathProfile != "" {
		f, err := os.Create(*pathProfile)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	st := startStream(b, config)
	want := float64(4 * b.N)
	for sent := 0.0; sent < want; {
		time.Sleep(20 * time.Millisecond)
		req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "identity") // no gzip work in the measured time
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sent = metricValue(string(body), "output_sent")
	}
	b.StopTimer()
	if *pathProfile != "" {
		pprof.StopCPUProfile()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inputs/s")
	b.ReportMetric(want/b.Elapsed().Seconds(), "outputs/s")
	if err := st.stop(); err != nil {
		b.Fatal(err)
	}
}
