package mqtt

import (
	"context"
	"fmt"
	"strings"
	"sync"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/redpanda-data/benthos/v4/public/service"
)

// Input config fields.
const (
	fieldTopics       = "topics"
	fieldCleanSession = "clean_session"
)

// maxBatch bounds the batch ReadBatch hands over: the messages queued when it is
// called, at most this many.
const maxBatch = 500

// subscribeResultFailure is the SUBACK code of a subscription the broker refused.
const subscribeResultFailure = 0x80

// inputSpec describes the mqtt input.
func inputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Stable().
		Categories("Services").
		Summary("Subscribes to MQTT topic filters; every message gets the metadata `umh_topic`, its topic with `/` turned into `.`.").
		Description(`
With QoS 1 or 2 a message is acknowledged to the broker only after Benthos acknowledged it, that is after the outputs delivered what came of it: a message in flight when the stream or the connection stops is delivered again (at least once). For that to survive a restart of this client, set `+"`clean_session: false`"+` and a fixed `+"`client_id`"+`, so that the broker keeps the subscriptions and queues messages while the client is away.

The messages queued when the pipeline asks for more are handed over as one batch (up to 500).

### Metadata

- `+"`umh_topic`"+`: the MQTT topic with `+"`/`"+` turned into `+"`.`"+`
- `+"`mqtt_topic`"+`, `+"`mqtt_qos`"+`, `+"`mqtt_retained`"+`, `+"`mqtt_duplicate`"+`, `+"`mqtt_message_id`"+`

### Connection

A broker unreachable at start is retried by Benthos with pauses doubling from 1 to 30 seconds, one log line per attempt. A connection lost mid-stream is re-established in the background with the same pauses, keeping the session; each failed attempt is logged.`).
		Fields(connectionFields("Empty: a random identifier, which needs `clean_session: true`.")...).
		Fields(
			service.NewStringListField(fieldTopics).
				Description("Topic filters to subscribe to; `+` matches one level, `#` the rest.").
				Example([]string{"umh/v1/corpA/plant-A/+/_raw/#"}),
			service.NewBoolField(fieldCleanSession).
				Description("Start a new session at every connection. False keeps the subscriptions and the unacknowledged messages at the broker while the client is away; it needs a fixed `client_id`.").
				Default(true),
		)
}

// input is the mqtt input: the Paho handler queues the messages, ReadBatch hands
// them over.
type input struct {
	conn    *connection
	filters map[string]byte // topic filter → QoS

	messages  chan paho.Message
	closed    chan struct{}
	closeOnce sync.Once
}

// newInput parses the input's config.
func newInput(conf *service.ParsedConfig, mgr *service.Resources) (*input, error) {
	cc, err := parseConnConfig(conf, "input")
	if err != nil {
		return nil, err
	}
	if cc.cleanSession, err = conf.FieldBool(fieldCleanSession); err != nil {
		return nil, err
	}
	if id, _ := conf.FieldString(fieldClientID); id == "" && !cc.cleanSession {
		return nil, fmt.Errorf("%s: false needs a fixed %s, so that the broker can find the session again", fieldCleanSession, fieldClientID)
	}
	topics, err := conf.FieldStringList(fieldTopics)
	if err != nil {
		return nil, err
	}
	if len(topics) == 0 {
		return nil, fmt.Errorf("%s: at least one topic filter is required", fieldTopics)
	}
	filters := make(map[string]byte, len(topics))
	for _, t := range topics {
		if err := validateFilter(t); err != nil {
			return nil, fmt.Errorf("%s: %w", fieldTopics, err)
		}
		filters[t] = cc.qos
	}
	return &input{
		conn:     &connection{conf: cc, role: "input", log: mgr.Logger()},
		filters:  filters,
		messages: make(chan paho.Message, maxBatch),
		closed:   make(chan struct{}),
	}, nil
}

// validateFilter reports why f is not an MQTT topic filter.
func validateFilter(f string) error {
	if f == "" {
		return fmt.Errorf("a topic filter is empty")
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.Contains(l, "#") && (l != "#" || i != len(levels)-1) {
			return fmt.Errorf("topic filter %q: # must be a whole level and the last one", f)
		}
		if strings.Contains(l, "+") && l != "+" {
			return fmt.Errorf("topic filter %q: + must be a whole level", f)
		}
	}
	return nil
}

// Connect connects and subscribes (again after every reconnection).
func (in *input) Connect(ctx context.Context) error {
	opts := in.conn.options(in.subscribe).
		SetAutoAckDisabled(true).
		// Messages the broker sends before the subscriptions are restored (a
		// persistent session) are queued too instead of left unacknowledged.
		SetDefaultPublishHandler(in.receive)
	return in.conn.connect(ctx, opts)
}

// subscribe subscribes client to the filters; refusals are logged.
func (in *input) subscribe(client paho.Client) {
	token := client.SubscribeMultiple(in.filters, in.receive)
	if !token.WaitTimeout(in.conn.conf.connectTimeout) {
		in.conn.log.Errorf("mqtt input: the broker did not answer the subscription to %s within %v", in.filterList(), in.conn.conf.connectTimeout)
		return
	}
	if err := token.Error(); err != nil {
		in.conn.log.Errorf("mqtt input: cannot subscribe to %s: %v", in.filterList(), err)
		return
	}
	if st, ok := token.(*paho.SubscribeToken); ok {
		for filter, code := range st.Result() {
			if code == subscribeResultFailure {
				in.conn.log.Errorf("mqtt input: the broker refused the subscription to %q", filter)
			}
		}
	}
}

// filterList names the filters in log lines.
func (in *input) filterList() string {
	list := make([]string, 0, len(in.filters))
	for f := range in.filters {
		list = append(list, f)
	}
	return strings.Join(list, ", ")
}

// receive queues a message; Paho calls it for one message at a time, in order.
// It blocks while the queue is full, which stops reading from the broker.
func (in *input) receive(_ paho.Client, m paho.Message) {
	select {
	case in.messages <- m:
	case <-in.closed:
	}
}

// ReadBatch waits for a message and hands it over with those queued behind it.
func (in *input) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	var pending []paho.Message
	select {
	case m := <-in.messages:
		pending = append(pending, m)
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-in.closed:
		return nil, nil, service.ErrNotConnected
	}
drain:
	for len(pending) < maxBatch {
		select {
		case m := <-in.messages:
			pending = append(pending, m)
		default:
			break drain
		}
	}
	batch := make(service.MessageBatch, len(pending))
	for i, m := range pending {
		batch[i] = benthosMessage(m)
	}
	return batch, func(_ context.Context, err error) error {
		if err == nil {
			for _, m := range pending {
				m.Ack() // QoS 0: nothing to acknowledge
			}
		}
		return nil
	}, nil
}

// benthosMessage is m as a Benthos message with its metadata.
func benthosMessage(m paho.Message) *service.Message {
	msg := service.NewMessage(m.Payload())
	msg.MetaSetMut("umh_topic", umhTopic(m.Topic()))
	msg.MetaSetMut("mqtt_topic", m.Topic())
	msg.MetaSetMut("mqtt_qos", int(m.Qos()))
	msg.MetaSetMut("mqtt_retained", m.Retained())
	msg.MetaSetMut("mqtt_duplicate", m.Duplicate())
	msg.MetaSetMut("mqtt_message_id", int(m.MessageID()))
	return msg
}

// Close stops queueing and disconnects.
func (in *input) Close(context.Context) error {
	in.closeOnce.Do(func() { close(in.closed) })
	in.conn.close()
	return nil
}
