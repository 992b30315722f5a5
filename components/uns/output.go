package uns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/unsproc/unsproc/components/internal/batchout"
)

// errNoTopic is the error of a message without a UNS topic.
var errNoTopic = errors.New("uns output: the message has no UNS topic (umh_topic metadata), so it has no Kafka key")

// output is the `uns` output: one idempotent producer per connection.
type output struct {
	brokers   []string
	topic     string
	umhTopic  *service.InterpolatedString // nil: the umh_topic metadata
	bridgedBy []byte                      // the bridged_by header's value; nil: none
	log       *service.Logger
	limited   *limitedLog

	mu     sync.Mutex
	client *kgo.Client
}

func newOutputFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (out service.BatchOutput, policy service.BatchPolicy, maxInFlight int, err error) {
	if maxInFlight, err = conf.FieldMaxInFlight(); err != nil {
		return nil, policy, 0, err
	}
	if policy, err = conf.FieldBatchPolicy(fieldBatching); err != nil {
		return nil, policy, 0, err
	}
	o, err := newOutput(conf, mgr.Logger())
	if err != nil {
		return nil, policy, 0, err
	}
	return o, policy, maxInFlight, nil
}

func newOutput(conf *service.ParsedConfig, log *service.Logger) (*output, error) {
	brokers, err := parseBrokers(conf)
	if err != nil {
		return nil, err
	}
	topic, err := conf.FieldString(fieldKafka)
	if err != nil {
		return nil, err
	}
	o := &output{brokers: brokers, topic: topic, log: log, limited: newLimitedLog(log)}
	field, err := umhTopicField(conf)
	if err != nil {
		return nil, err
	}
	if field != "" {
		if o.umhTopic, err = conf.FieldInterpolatedString(field); err != nil {
			return nil, err
		}
	}
	bridgedBy, err := conf.FieldString(fieldBridgedBy)
	if err != nil {
		return nil, err
	}
	if bridgedBy != "" {
		o.bridgedBy = []byte(bridgedBy)
	}
	return o, nil
}

// Connect implements service.BatchOutput. It fails while no broker answers, so that
// Benthos logs the failure and calls again after a back-off.
func (o *output) Connect(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.client != nil {
		return nil
	}
	client, err := kgo.NewClient(
		kgo.SeedBrokers(o.brokers...),
		kgo.DefaultProduceTopic(o.topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
		kgo.AllowAutoTopicCreation(),
		kgo.WithLogger(kgoLogger{prefix: "uns output", out: o.limited}),
	)
	if err != nil {
		return fmt.Errorf("uns output: %w", err)
	}
	if err := client.Ping(ctx); err != nil {
		client.Close()
		return fmt.Errorf("uns output: no Kafka broker of %s answers: %w", strings.Join(o.brokers, ","), err)
	}
	o.client = client
	o.log.Infof("uns output: producing to %s on %s", o.topic, strings.Join(o.brokers, ","))
	return nil
}

// WriteBatch implements service.BatchOutput. It returns once the broker has every
// record with a key; a message without one fails alone, in a service.BatchError.
func (o *output) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	o.mu.Lock()
	client := o.client
	o.mu.Unlock()
	if client == nil {
		return service.ErrNotConnected
	}
	failures := batchout.For(batch)
	records := make([]*kgo.Record, 0, len(batch))
	index := make([]int, 0, len(batch)) // message index of each record
	for i, msg := range batch {
		key, err := o.key(batch, i)
		if err != nil {
			failures.Fail(i, err)
			continue
		}
		value, err := msg.AsBytes()
		if err != nil {
			failures.Fail(i, fmt.Errorf("uns output: reading the payload: %w", err))
			continue
		}
		records = append(records, &kgo.Record{Key: []byte(key), Value: value, Headers: o.headers(msg)})
		index = append(index, i)
	}
	if len(records) > 0 {
		for j, res := range client.ProduceSync(ctx, records...) {
			if res.Err != nil {
				o.limited.warn("uns output: writing to Kafka failed", "error", res.Err.Error())
				failures.Fail(index[j], fmt.Errorf("uns output: writing to %s: %w", o.topic, res.Err))
			}
		}
	}
	return failures.Err()
}

// key returns the UNS topic of message i of batch.
func (o *output) key(batch service.MessageBatch, i int) (string, error) {
	var key string
	if o.umhTopic != nil {
		k, err := batch.TryInterpolatedString(i, o.umhTopic)
		if err != nil {
			return "", fmt.Errorf("uns output: interpolating umh_topic: %w", err)
		}
		key = k
	} else {
		key, _ = batch[i].MetaGet(metaUMHTopic)
	}
	if key == "" {
		return "", errNoTopic
	}
	return sanitizeKey(key), nil
}

// sanitizeKey replaces every character of a UNS topic other than ASCII letters,
// digits, '.', '_' and '-' with '_', as benthos-umh's uns output does. A key without
// such characters is returned as it is, without copying.
func sanitizeKey(key string) string {
	for i := 0; i < len(key); i++ {
		if !keyByte(key[i]) {
			var b strings.Builder
			b.Grow(len(key))
			b.WriteString(key[:i])
			for _, r := range key[i:] {
				if r < 0x80 && keyByte(byte(r)) {
					b.WriteRune(r)
				} else {
					b.WriteByte('_')
				}
			}
			return b.String()
		}
	}
	return key
}

// keyByte reports whether c may stand in a Kafka key unchanged.
func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// headers turns the message's metadata, but the kafka_ entries, into record headers,
// with this output's bridged_by in place of one the message carries (a record read by
// the uns input has it among its metadata).
func (o *output) headers(msg *service.Message) []kgo.RecordHeader {
	var headers []kgo.RecordHeader
	_ = msg.MetaWalk(func(k, v string) error {
		if !strings.HasPrefix(k, "kafka_") && (k != fieldBridgedBy || o.bridgedBy == nil) {
			headers = append(headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
		return nil
	})
	if o.bridgedBy != nil {
		headers = append(headers, kgo.RecordHeader{Key: fieldBridgedBy, Value: o.bridgedBy})
	}
	return headers
}

// Close implements service.BatchOutput.
func (o *output) Close(context.Context) error {
	o.mu.Lock()
	client := o.client
	o.client = nil
	o.mu.Unlock()
	if client != nil {
		client.Close()
	}
	return nil
}
