package mqtt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/components/internal/batchout"
)

// Output config fields.
const (
	fieldTopic        = "topic"
	fieldRetained     = "retained"
	fieldWriteTimeout = "write_timeout"
	fieldMaxInFlight  = "max_in_flight"
)

// outputSpec describes the mqtt output.
func outputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Stable().
		Categories("Services").
		Summary("Publishes messages to an MQTT broker, by default to the message's `umh_topic` with `.` turned into `/`.").
		Description(`
A batch counts as delivered once the broker acknowledged every message of it (QoS 1 and 2; QoS 0 once written). While the connection is lost, publishing waits for the reconnection, which re-sends what the broker had not acknowledged, and the pipeline waits with it; `+"`write_timeout`"+` only bounds the wait on a broker that is connected.

With `+"`max_in_flight: 1`"+` (the default) batches are published one after the other, so every topic keeps the order of the pipeline; higher values publish several batches at once and may reorder them.`).
		Fields(connectionFields("Empty: a random identifier.")...).
		Fields(
			service.NewInterpolatedStringField(fieldTopic).
				Description("The topic to publish to. Unset: the message's `umh_topic` metadata with `.` turned into `/`; a message without it fails.").
				Example(`umh/v1/corpA/plant-A/${! meta("device") }`).
				Optional(),
			service.NewBoolField(fieldRetained).
				Description("Publish as retained messages: the broker keeps the latest of every topic for new subscribers.").
				Default(false),
			service.NewDurationField(fieldWriteTimeout).
				Description("How long a connected broker may take to acknowledge a batch.").
				Default("10s"),
			service.NewOutputMaxInFlightField().Default(1),
		)
}

// output is the mqtt output.
type output struct {
	conn         *connection
	topic        *service.InterpolatedString // nil: from umh_topic
	retained     bool
	writeTimeout time.Duration
}

// newOutput parses the output's config.
func newOutput(conf *service.ParsedConfig, mgr *service.Resources) (*output, int, error) {
	cc, err := parseConnConfig(conf, "output")
	if err != nil {
		return nil, 0, err
	}
	cc.cleanSession = true // Paho re-sends unacknowledged publishes itself
	o := &output{conn: &connection{conf: cc, role: "output", log: mgr.Logger()}}
	if conf.Contains(fieldTopic) {
		if o.topic, err = conf.FieldInterpolatedString(fieldTopic); err != nil {
			return nil, 0, err
		}
	}
	if o.retained, err = conf.FieldBool(fieldRetained); err != nil {
		return nil, 0, err
	}
	if o.writeTimeout, err = conf.FieldDuration(fieldWriteTimeout); err != nil {
		return nil, 0, err
	}
	if o.writeTimeout <= 0 {
		return nil, 0, fmt.Errorf("%s must be positive", fieldWriteTimeout)
	}
	maxInFlight, err := conf.FieldMaxInFlight()
	if err != nil {
		return nil, 0, err
	}
	return o, maxInFlight, nil
}

// Connect connects to the broker.
func (o *output) Connect(ctx context.Context) error {
	return o.conn.connect(ctx, o.conn.options(nil).SetWriteTimeout(o.writeTimeout))
}

// published is a message handed to Paho: its index in the batch and its token.
type published struct {
	index int
	token paho.Token
}

// WriteBatch publishes the batch and waits for the broker's acknowledgements.
// A message that cannot be published (no topic) fails alone.
func (o *output) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	client := o.conn.current()
	if client == nil {
		return service.ErrNotConnected
	}
	failures := batchout.For(batch)
	sent := make([]published, 0, len(batch))
	for i, m := range batch {
		topic, err := o.topicOf(batch, i)
		if err != nil {
			failures.Fail(i, err)
			continue
		}
		payload, err := m.AsBytes()
		if err != nil {
			failures.Fail(i, err)
			continue
		}
		sent = append(sent, published{i, client.Publish(topic, o.conn.conf.qos, o.retained, payload)})
	}
	timer := time.NewTimer(o.writeTimeout)
	defer timer.Stop()
	for _, p := range sent {
		if err := o.await(ctx, client, p.token, timer); err != nil {
			if errors.Is(err, paho.ErrNotConnected) {
				// The client gave up (only Close does that): start over.
				o.conn.close()
				return service.ErrNotConnected
			}
			failures.Fail(p.index, err)
		}
	}
	return failures.Err()
}

// topicOf is the MQTT topic of the batch's message i.
func (o *output) topicOf(batch service.MessageBatch, i int) (string, error) {
	var topic string
	if o.topic != nil {
		t, err := batch.TryInterpolatedString(i, o.topic)
		if err != nil {
			return "", fmt.Errorf("topic: %w", err)
		}
		topic = t
	} else {
		t, ok := batch[i].MetaGet("umh_topic")
		if !ok {
			return "", errNoUMHTopic
		}
		topic = mqttTopic(t)
	}
	if topic == "" || strings.ContainsAny(topic, "+#") {
		return "", fmt.Errorf("cannot publish to %q: a topic is not empty and has no wildcard + or #", topic)
	}
	return topic, nil
}

// await waits for a publish token. While the connection is lost the timeout does
// not run out: Paho re-sends the message after reconnecting and completes the
// token then.
func (o *output) await(ctx context.Context, client paho.Client, token paho.Token, timer *time.Timer) error {
	for {
		select {
		case <-token.Done():
			return token.Error()
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			if !client.IsConnectionOpen() {
				timer.Reset(o.writeTimeout)
				continue
			}
			return fmt.Errorf("the broker did not acknowledge the message within %v", o.writeTimeout)
		}
	}
}

// Close disconnects.
func (o *output) Close(context.Context) error {
	o.conn.close()
	return nil
}
