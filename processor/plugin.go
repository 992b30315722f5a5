package processor

import (
	"context"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/compiler"
)

// PluginName is the name under which init registers the processor.
const PluginName = "stream_processor"

// topicKey is the metadata key holding a message's UNS topic.
const topicKey = "umh_topic"

// payloadSizeHint is the expected size of one output payload, for sizing buffers.
const payloadSizeHint = 64

// maxPreallocOutputs bounds the output batch capacity reserved ahead of a batch.
const maxPreallocOutputs = 4096

func init() {
	if err := Register(service.GlobalEnvironment(), PluginName); err != nil {
		panic(err) // only possible if another plugin already took the name
	}
}

// Register adds the stream processor to env as a batch processor called name.
func Register(env *service.Environment, name string) error {
	return env.RegisterBatchProcessor(name, ConfigSpec(), NewBatchProcessor)
}

// batchProcessor adapts a Processor to Benthos.
type batchProcessor struct {
	core *Processor
	obs  *pluginObserver
}

// NewBatchProcessor is the plugin's constructor: it builds the Benthos batch processor
// from a config parsed with ConfigSpec. Hosts that construct processors themselves
// (and the benchmarks) call it directly.
func NewBatchProcessor(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
	cfg, err := ConfigFromParsed(conf)
	if err != nil {
		return nil, err
	}
	obs := newPluginObserver(mgr, cfg.Sources)
	core, err := New(cfg, WithObserver(obs))
	if err != nil {
		return nil, err
	}
	obs.bind(core.Mappings())
	logStart(mgr.Logger(), core)
	return &batchProcessor{core: core, obs: obs}, nil
}

// logStart summarises the compiled mappings.
func logStart(log *service.Logger, core *Processor) {
	var static, impure, dynamic, fallback int
	for _, m := range core.Mappings() {
		switch m.Program().Kind() {
		case compiler.Static:
			static++
		case compiler.ImpureStatic:
			impure++
		default:
			dynamic++
		}
		if !m.Program().Fast() {
			fallback++
			log.With("mapping", m.Path(), "reason", m.Program().FallbackReason()).Debug("mapping runs in the goja sandbox")
		}
	}
	log.Infof("stream_processor initialised with %d static, %d impure static and %d dynamic mappings (%d on the goja fallback)",
		static, impure, dynamic, fallback)
}

// ProcessBatch handles the messages in order and returns all their outputs as one
// batch (none when nothing fired). Bad input never fails the batch.
func (b *batchProcessor) ProcessBatch(_ context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	start := monotonic()
	e := emitters.Get().(*emitter)
	e.perInput = b.core.MaxOutputs()
	e.capacity = min(len(batch)*e.perInput, maxPreallocOutputs)
	last := start
	for _, msg := range batch {
		last = b.processMessage(msg, e, last)
	}
	out := e.out
	*e = emitter{fn: e.fn}
	emitters.Put(e)
	b.obs.batchDone(last-start, len(b.core.Mappings()), b.core.State().Present())
	if len(out) == 0 {
		return nil, nil
	}
	return []service.MessageBatch{out}, nil
}

// processMessage appends the outputs of msg to e.out. started is the monotonic time at
// which the message's processing began; it returns the monotonic time at which it ended
// (one clock reading per message).
func (b *batchProcessor) processMessage(msg *service.Message, e *emitter, started time.Duration) time.Duration {
	topic, ok := msg.MetaGet(topicKey)
	if !ok {
		now := monotonic()
		b.obs.topicMissing(now)
		return now
	}
	payload, err := msg.AsBytes()
	if err != nil {
		now := monotonic()
		b.obs.payloadRejected(topic, &PayloadError{Reason: "unreadable message: " + err.Error()}, now)
		return now
	}
	e.msg, e.arena = msg, nil
	res := b.core.Process(topic, payload, e.fn)
	now := monotonic()
	switch {
	case res.Err != nil:
		b.obs.payloadRejected(topic, res.Err, now)
	case !res.Matched:
		b.obs.topicUnknown(topic, now)
	case res.Outputs == 0:
		b.obs.dropped()
	default:
		b.obs.processed(res.Outputs, now-started)
	}
	return now
}

// Close releases nothing: the state lives in memory only and is dropped with the
// processor.
func (b *batchProcessor) Close(context.Context) error { return nil }
