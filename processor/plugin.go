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
	var out service.MessageBatch
	last := start
	for _, msg := range batch {
		out, last = b.processMessage(msg, out, len(batch), last)
	}
	b.obs.batchDone(last-start, len(b.core.Mappings()), b.core.State().Present())
	if len(out) == 0 {
		return nil, nil
	}
	return []service.MessageBatch{out}, nil
}

// processMessage appends the outputs of msg to out. Each output is a copy of msg
// (metadata, tracing context) with the output payload and umh_topic. started is the
// monotonic time at which the message's processing began; it returns out and the
// monotonic time at which it ended (one clock reading per message).
func (b *batchProcessor) processMessage(msg *service.Message, out service.MessageBatch, batchLen int, started time.Duration) (service.MessageBatch, time.Duration) {
	topic, ok := msg.MetaGet(topicKey)
	if !ok {
		now := monotonic()
		b.obs.topicMissing(now)
		return out, now
	}
	payload, err := msg.AsBytes()
	if err != nil {
		now := monotonic()
		b.obs.payloadRejected(topic, &PayloadError{Reason: "unreadable message: " + err.Error()}, now)
		return out, now
	}
	// The payloads of one input's outputs share one fresh buffer (each message keeps
	// its own full slice of it), so an input costs one payload allocation, not one per
	// output.
	var arena []byte
	res := b.core.Process(topic, payload, func(o Output) {
		if arena == nil {
			arena = make([]byte, 0, b.core.MaxOutputs()*payloadSizeHint)
		}
		if out == nil {
			out = make(service.MessageBatch, 0, min(batchLen*b.core.MaxOutputs(), maxPreallocOutputs))
		}
		from := len(arena)
		arena = append(arena, o.Payload...)
		derived := msg.Copy()
		derived.SetBytes(arena[from:len(arena):len(arena)])
		derived.MetaSetMut(topicKey, o.Topic)
		out = append(out, derived)
	})
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
	return out, now
}

// Close releases nothing: the state lives in memory only and is dropped with the
// processor.
func (b *batchProcessor) Close(context.Context) error { return nil }
