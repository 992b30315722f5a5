package uns

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
)

// commitInterval is how often the offsets released by acknowledgements are committed.
const commitInterval = time.Second

// input is the `uns` input: one consumer-group client per connection.
type input struct {
	brokers  []string
	topic    string
	group    string
	filters  []*regexp.Regexp
	maxBatch int
	log      *service.Logger
	limited  *limitedLog

	mu     sync.Mutex
	client *kgo.Client
	acks   *ackTracker
	retry  backoff
}

func newInputFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
	in, err := newInput(conf, mgr.Logger())
	if err != nil {
		return nil, err
	}
	// A batch the pipeline rejects is read again, after a back-off, until it is
	// acknowledged: its offsets stay uncommitted until then.
	return service.AutoRetryNacksBatched(in), nil
}

func newInput(conf *service.ParsedConfig, log *service.Logger) (*input, error) {
	brokers, err := parseBrokers(conf)
	if err != nil {
		return nil, err
	}
	filters, err := parseFilters(conf)
	if err != nil {
		return nil, err
	}
	topic, err := conf.FieldString(fieldKafka)
	if err != nil {
		return nil, err
	}
	group, err := conf.FieldString(fieldGroup)
	if err != nil {
		return nil, err
	}
	maxBatch, err := conf.FieldInt(fieldMaxBatch)
	if err != nil {
		return nil, err
	}
	if maxBatch < 1 {
		return nil, fmt.Errorf("%s is %d; it must be at least 1", fieldMaxBatch, maxBatch)
	}
	return &input{
		brokers: brokers, topic: topic, group: group, filters: filters, maxBatch: maxBatch,
		log: log, limited: newLimitedLog(log),
	}, nil
}

// Connect implements service.BatchInput. It fails while no broker answers, so that
// Benthos logs the failure and calls again after a back-off.
func (in *input) Connect(ctx context.Context) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.client != nil {
		return nil
	}
	client, err := kgo.NewClient(
		kgo.SeedBrokers(in.brokers...),
		kgo.ConsumeTopics(in.topic),
		kgo.ConsumerGroup(in.group),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.AutoCommitMarks(),
		kgo.AutoCommitInterval(commitInterval),
		kgo.WithLogger(kgoLogger{prefix: "uns input", out: in.limited}),
	)
	if err != nil {
		return fmt.Errorf("uns input: %w", err)
	}
	if err := client.Ping(ctx); err != nil {
		client.Close()
		return fmt.Errorf("uns input: no Kafka broker of %s answers: %w", strings.Join(in.brokers, ","), err)
	}
	in.client, in.acks = client, newAckTracker(client.MarkCommitRecords)
	in.log.Infof("uns input: consuming %s from %s as consumer group %s", in.topic, strings.Join(in.brokers, ","), in.group)
	return nil
}

func (in *input) current() (*kgo.Client, *ackTracker) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.client, in.acks
}

// ReadBatch implements service.BatchInput: the matching records of one poll.
func (in *input) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	client, acks := in.current()
	if client == nil {
		return nil, nil, service.ErrNotConnected
	}
	for {
		fetches := client.PollRecords(ctx, in.maxBatch)
		if fetches.IsClientClosed() {
			return nil, nil, service.ErrNotConnected
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		failed := false
		fetches.EachError(func(topic string, partition int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return
			}
			failed = true
			in.limited.warn("uns input: reading from Kafka failed; retrying",
				"topic", topic, "partition", partition, "error", err.Error())
		})
		records := fetches.Records()
		if len(records) == 0 {
			if failed {
				if err := in.pause(ctx); err != nil {
					return nil, nil, err
				}
			}
			continue
		}
		in.retryReset()
		batch := in.toBatch(records)
		ticket := acks.add(records)
		if len(batch) == 0 {
			acks.acked(ticket) // nothing for the pipeline: the offsets may move on
			continue
		}
		return batch, func(_ context.Context, err error) error {
			if err == nil {
				acks.acked(ticket)
			}
			return nil
		}, nil
	}
}

// pause waits the back-off's next delay, or until ctx ends.
func (in *input) pause(ctx context.Context) error {
	in.mu.Lock()
	d := in.retry.next()
	in.mu.Unlock()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (in *input) retryReset() {
	in.mu.Lock()
	in.retry.reset()
	in.mu.Unlock()
}

// matches reports whether a record key passes the umh topic filters.
func (in *input) matches(key string) bool {
	if len(in.filters) == 0 {
		return true
	}
	for _, re := range in.filters {
		if re.MatchString(key) {
			return true
		}
	}
	return false
}

// toBatch turns the records whose key passes the filters into messages.
func (in *input) toBatch(records []*kgo.Record) service.MessageBatch {
	batch := make(service.MessageBatch, 0, len(records))
	for _, r := range records {
		key := string(r.Key)
		if !in.matches(key) {
			continue
		}
		msg := service.NewMessage(r.Value)
		for _, h := range r.Headers {
			msg.MetaSet(h.Key, string(h.Value))
		}
		msg.MetaSet(metaUMHTopic, key)
		msg.MetaSet("kafka_msg_key", key)
		msg.MetaSet("kafka_topic", r.Topic)
		msg.MetaSet("kafka_partition", strconv.FormatInt(int64(r.Partition), 10))
		msg.MetaSet("kafka_offset", strconv.FormatInt(r.Offset, 10))
		msg.MetaSet("kafka_timestamp_ms", strconv.FormatInt(r.Timestamp.UnixMilli(), 10))
		batch = append(batch, msg)
	}
	return batch
}

// Close implements service.BatchInput: it commits the offsets already released and
// leaves the consumer group.
func (in *input) Close(ctx context.Context) error {
	in.mu.Lock()
	client := in.client
	in.client, in.acks = nil, nil
	in.mu.Unlock()
	if client == nil {
		return nil
	}
	if err := client.CommitMarkedOffsets(ctx); err != nil {
		in.log.Warnf("uns input: committing the acknowledged offsets at close failed (they are read again after a restart): %v", err)
	}
	client.Close()
	return nil
}
