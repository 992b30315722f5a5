package unsproc_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/components/streamprocessor"
	"github.com/unsproc/unsproc/processor"
)

// The reference's standard workload (benthos-umh's stream processor benchmark): three
// sources, six mappings; a press message produces four outputs.
const (
	outputTopic = "umh.v1.corpA.plant-A.aawd"
	pressTopic  = "umh.v1.corpA.plant-A.aawd._raw.press"
	tempTopic   = "umh.v1.corpA.plant-A.aawd._raw.tempF"
	runTopic    = "umh.v1.corpA.plant-A.aawd._raw.run"
)

const workloadYAML = `
output_topic: umh.v1.corpA.plant-A.aawd
model: {name: pump, version: v1}
engine: %s
sources:
  press: umh.v1.corpA.plant-A.aawd._raw.press
  tF: umh.v1.corpA.plant-A.aawd._raw.tempF
  r: umh.v1.corpA.plant-A.aawd._raw.run
mapping:
  pressure: press+4.00001
  temperature: tF*69/31
  motor:
    rpm: press/4
  status: 'r ? "active" : "inactive"'
  serialNumber: '"SN-P42-008"'
  deviceType: '"pump"'
`

func workloadConfig() processor.Config {
	return processor.Config{
		Mode:        processor.ModeTimeseries,
		OutputTopic: outputTopic,
		Model:       processor.Model{Name: "pump", Version: "v1"},
		Sources:     map[string]string{"press": pressTopic, "tF": tempTopic, "r": runTopic},
		Mapping: map[string]any{
			"pressure":     "press+4.00001",
			"temperature":  "tF*69/31",
			"motor":        map[string]any{"rpm": "press/4"},
			"status":       `r ? "active" : "inactive"`,
			"serialNumber": `"SN-P42-008"`,
			"deviceType":   `"pump"`,
		},
	}
}

// ring is the number of distinct input payloads cycled through: the value changes
// every iteration.
const ring = 256

func payload(i int) []byte {
	return fmt.Appendf(nil, `{"value":%s,"timestamp_ms":%d}`, strconv.FormatFloat(20+float64(i)*0.25, 'f', -1, 64), 1700000000000+i)
}

func pressPayloads() [][]byte {
	out := make([][]byte, ring)
	for i := range out {
		out[i] = payload(i)
	}
	return out
}

func message(topic string, body []byte) *service.Message {
	m := service.NewMessage(body)
	m.MetaSetMut("umh_topic", topic)
	return m
}

// primed returns the Benthos processor for engine with all three variables stored.
func primed(b *testing.B, engine string) service.BatchProcessor {
	b.Helper()
	conf, err := streamprocessor.ConfigSpec().ParseYAML(fmt.Sprintf(workloadYAML, engine), nil)
	if err != nil {
		b.Fatal(err)
	}
	bp, err := streamprocessor.NewBatchProcessor(conf, service.MockResources())
	if err != nil {
		b.Fatal(err)
	}
	batch := service.MessageBatch{
		message(pressTopic, payload(0)), message(tempTopic, payload(1)), message(runTopic, []byte(`{"value":true,"timestamp_ms":1}`)),
	}
	if _, err := bp.ProcessBatch(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	return bp
}

// startTimer starts timing after collecting the setup's garbage (parsing configs,
// building processors), so that no benchmark pays for sweeping it: each starts on a
// clean heap, as the testing package gives every run before its setup.
func startTimer(b *testing.B) {
	b.Helper()
	runtime.GC()
	b.ResetTimer()
}

func reportRate(b *testing.B, msgs int) {
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkHighThroughput sends one press message per ProcessBatch through the Benthos
// processor; floor builds the same four output messages and nothing else.
//
// The floor runs right after auto, so that the two runs compared see the shared
// machine in the same state.
func BenchmarkHighThroughput(b *testing.B) {
	payloads := pressPayloads()
	run := func(b *testing.B, w worker) {
		b.ReportAllocs()
		startTimer(b)
		for i := 0; i < b.N; i++ {
			if !w(i) {
				b.Fatal("a press message did not produce its four outputs")
			}
		}
		reportRate(b, b.N)
	}
	engine := func(engine string) func(*testing.B) {
		return func(b *testing.B) { run(b, autoWorker(primed(b, engine), payloads)) }
	}
	b.Run("auto", engine("auto"))
	b.Run("floor", func(b *testing.B) { run(b, floorWorker(payloads)) })
	b.Run("goja", engine("goja"))
}

// benthosFloor builds the four output messages of a press message with precomputed
// topics, as cheaply as the Benthos API allows: the least any implementation of the
// processor pays. Like every real processor, it hands each output payload bytes of its
// own: a fresh copy of the precomputed payload, never bytes shared between messages.
// The copies are carved from slabs of floorSlab bytes, the amortised allocation the
// processor itself uses, so that the floor allocates no more often than it must. A
// floor is not safe for concurrent use: each goroutine needs its own.
type benthosFloor struct {
	_      [cacheLine]byte // the floors of parallel goroutines do not share a line
	topics []any           // converted to interface values once, as metadata values are set
	bodies [][]byte
	slab   []byte // where the copies of bodies go; never written again once handed out
	_      [cacheLine]byte
}

// floorSlab and floorRoom size the floor's payload slabs: a new slab of floorSlab
// bytes when fewer than floorRoom are left, the sizes the processor uses.
const floorSlab, floorRoom = 1024, 256

func newBenthosFloor() *benthosFloor {
	return &benthosFloor{
		topics: []any{
			outputTopic + "._pump_v1.deviceType", outputTopic + "._pump_v1.serialNumber",
			outputTopic + "._pump_v1.motor.rpm", outputTopic + "._pump_v1.pressure",
		},
		bodies: [][]byte{
			[]byte(`{"value":"pump","timestamp_ms":1700000000000}`), []byte(`{"value":"SN-P42-008","timestamp_ms":1700000000000}`),
			[]byte(`{"value":6.375,"timestamp_ms":1700000000000}`), []byte(`{"value":29.50001,"timestamp_ms":1700000000000}`),
		},
	}
}

// build derives the outputs from in (metadata and context carry over), each with its
// own copy of its payload, and returns them as ProcessBatch would.
func (f *benthosFloor) build(in *service.Message) []service.MessageBatch {
	if _, ok := in.MetaGet("umh_topic"); !ok {
		panic("no topic")
	}
	if cap(f.slab)-len(f.slab) < floorRoom {
		f.slab = make([]byte, 0, floorSlab)
	}
	out := make(service.MessageBatch, 0, len(f.topics))
	for j := range f.topics {
		from := len(f.slab)
		f.slab = append(f.slab, f.bodies[j]...)
		m := in.Copy()
		m.SetBytes(f.slab[from:len(f.slab):len(f.slab)])
		m.MetaSetMut("umh_topic", f.topics[j])
		out = append(out, m)
	}
	return []service.MessageBatch{out}
}

// BenchmarkCore runs the same workload through the host-agnostic core (bytes in, topic
// and payload out through a callback); floor is hand-written Go doing the same parsing,
// arithmetic and encoding. The floor runs right after auto, as in HighThroughput.
func BenchmarkCore(b *testing.B) {
	payloads := pressPayloads()
	engine := func(engine string) func(*testing.B) {
		return func(b *testing.B) {
			cfg := workloadConfig()
			if engine == "goja" {
				cfg.Engine = 1
			}
			p, err := processor.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			p.Process(tempTopic, payload(1), func(processor.Output) {})
			p.Process(runTopic, []byte(`{"value":true,"timestamp_ms":1}`), func(processor.Output) {})
			var sink int
			emit := func(o processor.Output) { sink += len(o.Payload) + len(o.Topic) }
			b.ReportAllocs()
			startTimer(b)
			for i := 0; i < b.N; i++ {
				if r := p.Process(pressTopic, payloads[i%ring], emit); r.Outputs != 4 {
					b.Fatalf("got %+v", r)
				}
			}
			reportRate(b, b.N)
		}
	}
	b.Run("auto", engine("auto"))
	b.Run("floor", func(b *testing.B) {
		f := newFloor()
		var sink int
		emit := func(topic string, body []byte) { sink += len(body) + len(topic) }
		b.ReportAllocs()
		startTimer(b)
		for i := 0; i < b.N; i++ {
			if !f.process(pressTopic, payloads[i%ring], emit) {
				b.Fatal("rejected")
			}
		}
		reportRate(b, b.N)
	})
	b.Run("goja", engine("goja"))
}

// floor is the least a processor must do for a press message, written by hand.
type floor struct {
	topics [4]string
	buf    []byte
}

func newFloor() *floor {
	p := outputTopic + "._pump_v1."
	return &floor{topics: [4]string{p + "deviceType", p + "serialNumber", p + "motor.rpm", p + "pressure"}, buf: make([]byte, 0, 128)}
}

// process parses {"value":<number>,"timestamp_ms":<int>} by hand, computes the two
// dynamic mappings and emits the four payloads.
func (f *floor) process(topic string, payload []byte, emit func(string, []byte)) bool {
	if topic != pressTopic {
		return false
	}
	const vKey, tKey = `{"value":`, `,"timestamp_ms":`
	if len(payload) < len(vKey) || string(payload[:len(vKey)]) != vKey {
		return false
	}
	rest := payload[len(vKey):]
	end := 0
	for end < len(rest) && rest[end] != ',' {
		end++
	}
	v, err := strconv.ParseFloat(string(rest[:end]), 64)
	if err != nil || len(rest) < end+len(tKey)+1 {
		return false
	}
	tsText := rest[end+len(tKey) : len(rest)-1]
	suffix := func(dst []byte) []byte { return append(append(append(dst, tKey...), tsText...), '}') }
	f.buf = suffix(append(f.buf[:0], `{"value":"pump"`...))
	emit(f.topics[0], f.buf)
	f.buf = suffix(append(f.buf[:0], `{"value":"SN-P42-008"`...))
	emit(f.topics[1], f.buf)
	for j, r := range [2]float64{v / 4, v + 4.00001} {
		f.buf, _ = compat.AppendJSONNumber(append(f.buf[:0], vKey...), r)
		f.buf = suffix(f.buf)
		emit(f.topics[2+j], f.buf)
	}
	return !math.IsNaN(v)
}

// BenchmarkParallel shares one processor between all goroutines, as Benthos pipeline
// threads do; floor builds the four output messages in parallel (each goroutine with
// its own floor, as each pipeline thread takes its own working memory from the
// processor's pool). It gives the throughput and allocations of parallel work;
// BenchmarkScaling judges how each scales.
func BenchmarkParallel(b *testing.B) {
	payloads := pressPayloads()
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		startTimer(b)
		b.RunParallel(func(pb *testing.PB) {
			w := floorWorker(payloads)
			for i := 0; pb.Next(); i++ {
				w(i)
			}
		})
		reportRate(b, b.N)
	})
	b.Run("auto", func(b *testing.B) {
		bp := primed(b, "auto")
		b.ReportAllocs()
		startTimer(b)
		b.RunParallel(func(pb *testing.PB) {
			w := autoWorker(bp, payloads)
			for i := 0; pb.Next(); i++ {
				if !w(i) {
					b.Error("no output")
					return
				}
			}
		})
		reportRate(b, b.N)
	})
}

// worker handles the i-th message of a goroutine's inputs and reports whether it
// produced the four outputs of a press message.
type worker func(i int) bool

// autoWorker sends the press messages through bp, one per batch, from inputs of its
// own (as each pipeline thread has its own messages).
func autoWorker(bp service.BatchProcessor, payloads [][]byte) worker {
	msgs := pressMessages(payloads)
	ctx := context.Background()
	st := new(workerState)
	// The host's one-message batch is reused (ProcessBatch does not keep it): making it
	// is the host's cost, and the floor has none.
	batch := service.MessageBatch(st.batch[:])
	return func(i int) bool {
		batch[0] = msgs[i%len(msgs)]
		st.sink, _ = bp.ProcessBatch(ctx, batch)
		return fourOutputs(st.sink)
	}
}

// floorWorker builds the outputs of the press messages with a floor of its own.
func floorWorker(payloads [][]byte) worker {
	f := newBenthosFloor()
	msgs := pressMessages(payloads)
	st := new(workerState)
	return func(i int) bool {
		st.sink = f.build(msgs[i%len(msgs)])
		return fourOutputs(st.sink)
	}
}

// pressMessages are the Benthos messages of payloads on the press topic.
func pressMessages(payloads [][]byte) []*service.Message {
	msgs := make([]*service.Message, len(payloads))
	for i := range msgs {
		msgs[i] = message(pressTopic, payloads[i])
	}
	return msgs
}

// fourOutputs reports whether out is what ProcessBatch returns for a press message.
func fourOutputs(out []service.MessageBatch) bool { return len(out) == 1 && len(out[0]) == 4 }

// workerState is what a worker writes for every message (its result is kept alive, as
// a processor's caller would keep it), on cache lines of its own:
// the workers of parallel goroutines must not slow each other down by writing to one
// line (pipeline threads share no such memory either).
type workerState struct {
	_     [cacheLine]byte
	batch [1]*service.Message
	sink  []service.MessageBatch
	_     [cacheLine]byte
}

// cacheLine is the assumed size of a CPU cache line.
const cacheLine = 64

// BenchmarkScaling measures how the processor scales over the machine's cores against
// how the floor does. Each op is one round: scalingChunk press messages through each
// of four workloads, back to back — auto and floor on one goroutine, then on
// GOMAXPROCS goroutines sharing the work — in an order that rotates from round to
// round. The two runs of a ratio are thus milliseconds apart, and a slow phase of a
// shared machine (other tenants take a core for seconds) skews few rounds, which the
// medians drop; benchmarks of a second each, compared afterwards, pair runs seconds
// apart instead. It reports the medians of the per-round ratios: auto-scaling and
// floor-scaling (ns per message on one goroutine over ns per message on all),
// and scaling-ratio, auto's scaling over the floor's (the target: at least 1).
func BenchmarkScaling(b *testing.B) {
	payloads := pressPayloads()
	bp := primed(b, "auto")
	threads := runtime.GOMAXPROCS(0)
	workers := func(mk func() worker) []worker {
		ws := make([]worker, threads)
		for i := range ws {
			ws[i] = mk()
		}
		return ws
	}
	auto := func() worker { return autoWorker(bp, payloads) }
	floor := func() worker { return floorWorker(payloads) }
	runs := [4][]worker{ // one goroutine: auto, floor; all of them: auto, floor
		{auto()}, {floor()}, workers(auto), workers(floor),
	}
	var perMsg [4][]float64 // ns per message, by run and round
	for k, ws := range runs {
		if !shareChunk(ws) { // warm up: the heap grows to its working size
			b.Fatalf("run %d: no output", k)
		}
	}
	startTimer(b)
	for round := 0; round < b.N; round++ {
		for j := range runs {
			k := (j + round) % len(runs)
			start := time.Now()
			if !shareChunk(runs[k]) {
				b.Fatalf("run %d: no output", k)
			}
			perMsg[k] = append(perMsg[k], float64(time.Since(start).Nanoseconds())/scalingChunk)
		}
	}
	autoScaling, floorScaling, ratio := make([]float64, b.N), make([]float64, b.N), make([]float64, b.N)
	for r := range b.N {
		autoScaling[r] = perMsg[0][r] / perMsg[2][r]
		floorScaling[r] = perMsg[1][r] / perMsg[3][r]
		ratio[r] = autoScaling[r] / floorScaling[r]
	}
	b.ReportMetric(median(autoScaling), "auto-scaling")
	b.ReportMetric(median(floorScaling), "floor-scaling")
	b.ReportMetric(median(ratio), "scaling-ratio")
}

// scalingChunk is how many messages each workload of a BenchmarkScaling round handles:
// a few milliseconds of work, long enough to span several garbage collections.
const scalingChunk = 8192

// shareChunk hands scalingChunk messages to the workers, one goroutine each, in grains
// of 64 taken in turn (as RunParallel does), and reports whether all produced their
// outputs.
func shareChunk(ws []worker) bool {
	const grain = 64
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				end := int(next.Add(grain))
				for i := end - grain; i < min(end, scalingChunk); i++ {
					if !w(i) {
						failed.Store(true)
					}
				}
				if end >= scalingChunk {
					return
				}
			}
		}()
	}
	wg.Wait()
	return !failed.Load()
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// BenchmarkBatch sends batches of mixed topics.
func BenchmarkBatch(b *testing.B) {
	topics := []string{pressTopic, tempTopic, runTopic}
	for _, size := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			bp := primed(b, "auto")
			batch := make(service.MessageBatch, size)
			for i := range batch {
				body := payload(i)
				if topics[i%3] == runTopic {
					body = fmt.Appendf(nil, `{"value":%t,"timestamp_ms":%d}`, i%2 == 0, 1700000000000+i)
				}
				batch[i] = message(topics[i%3], body)
			}
			ctx := context.Background()
			b.ReportAllocs()
			startTimer(b)
			for i := 0; i < b.N; i++ {
				if _, err := bp.ProcessBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b, b.N*size)
		})
	}
}

// BenchmarkReject measures inputs that produce nothing.
func BenchmarkReject(b *testing.B) {
	cases := []struct {
		name string
		msg  *service.Message
	}{
		{"UnknownTopic", message("umh.v1.corpA.plant-A.aawd._raw.other", payload(0))},
		{"InvalidJSON", message(pressTopic, []byte(`{"value":25.5,"timestamp_ms":`))},
		{"MissingMetadata", service.NewMessage(payload(0))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchmarkRejected(b, c.msg) })
	}
}

// benchmarkRejected sends msg, which must produce no output, through the primed
// processor, one message per batch.
func benchmarkRejected(b *testing.B, msg *service.Message) {
	bp := primed(b, "auto")
	ctx := context.Background()
	batch := service.MessageBatch{msg}
	b.ReportAllocs()
	startTimer(b)
	for i := 0; i < b.N; i++ {
		if out, _ := bp.ProcessBatch(ctx, batch); out != nil {
			b.Fatal("unexpected output")
		}
	}
	reportRate(b, b.N)
}

// BenchmarkRejectMalformed sends syntax errors that are not a cut-off payload (which
// Reject/InvalidJSON covers): the payload scanner has to find them.
func BenchmarkRejectMalformed(b *testing.B) {
	for _, c := range []struct{ name, payload string }{
		{"MissingComma", `{"value":25.5 "timestamp_ms":1700000000000}`},
		{"BadNumber", `{"value":25.5.1,"timestamp_ms":1700000000000}`},
		{"NotJSON", `hello world`},
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkRejected(b, message(pressTopic, []byte(c.payload))) })
	}
}

// BenchmarkStartup builds a processor with 1,000 mappings.
func BenchmarkStartup(b *testing.B) {
	b.Run("mappings=1000", func(b *testing.B) {
		cfg := workloadConfig()
		mapping := map[string]any{}
		for i := 0; i < 1000; i++ {
			mapping[fmt.Sprintf("m%04d", i)] = fmt.Sprintf("press * %d + tF / %d", i+1, i+2)
		}
		cfg.Mapping = mapping
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := processor.New(cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
