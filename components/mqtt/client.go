package mqtt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/redpanda-data/benthos/v4/public/service"
)

// Config fields both components share.
const (
	fieldURLs           = "urls"
	fieldClientID       = "client_id"
	fieldUser           = "user"
	fieldPassword       = "password"
	fieldQoS            = "qos"
	fieldConnectTimeout = "connect_timeout"
	fieldKeepAlive      = "keepalive"
)

// Pauses between connection attempts: the first pause, doubled after every
// failure up to the longest. Paho's automatic reconnection uses the same bounds.
const (
	firstRetryPause = time.Second
	maxRetryPause   = 30 * time.Second
)

// connectionFields are the config fields of a broker connection, with
// clientIDHint describing what an empty client_id means for the component.
func connectionFields(clientIDHint string) []*service.ConfigField {
	return []*service.ConfigField{
		service.NewURLListField(fieldURLs).
			Description("Brokers to connect to, tried in order: `tcp://host:1883`, `ssl://host:8883`, `ws://host:80/mqtt`.").
			Example([]string{"tcp://localhost:1883"}),
		service.NewStringField(fieldClientID).
			Description("The MQTT client identifier; two clients with the same identifier disconnect each other. " + clientIDHint).
			Default(""),
		service.NewIntField(fieldQoS).
			Description("Quality of service: 0 (at most once), 1 (at least once) or 2 (exactly once between client and broker).").
			Default(1),
		service.NewStringField(fieldUser).Description("User name, if the broker requires one.").Default("").Advanced(),
		service.NewStringField(fieldPassword).Description("Password, if the broker requires one.").Default("").Secret().Advanced(),
		service.NewDurationField(fieldConnectTimeout).
			Description("How long one attempt to connect to a broker may take.").
			Default("10s").Advanced(),
		service.NewDurationField(fieldKeepAlive).
			Description("The interval of keep-alive pings; a broker that answers none for this long counts as lost.").
			Default("30s").Advanced(),
	}
}

// connConfig is a parsed broker connection.
type connConfig struct {
	urls           []string
	clientID       string
	user, password string
	qos            byte
	connectTimeout time.Duration
	keepAlive      time.Duration
	cleanSession   bool
}

// parseConnConfig reads the fields of connectionFields; role ("input" or
// "output") goes into a generated client identifier.
func parseConnConfig(conf *service.ParsedConfig, role string) (connConfig, error) {
	var c connConfig
	urls, err := conf.FieldURLList(fieldURLs)
	if err != nil {
		return c, err
	}
	if len(urls) == 0 {
		return c, fmt.Errorf("%s: at least one broker URL is required", fieldURLs)
	}
	for _, u := range urls {
		switch u.Scheme {
		case "tcp", "mqtt", "ssl", "tls", "mqtts", "tcps", "ws", "wss":
		default:
			return c, fmt.Errorf("%s: %q has scheme %q; use tcp://, mqtt://, ssl://, tls://, ws:// or wss://", fieldURLs, u.String(), u.Scheme)
		}
		c.urls = append(c.urls, u.String())
	}
	if c.clientID, err = conf.FieldString(fieldClientID); err != nil {
		return c, err
	}
	if c.clientID == "" {
		c.clientID = generatedClientID(role)
	}
	qos, err := conf.FieldInt(fieldQoS)
	if err != nil {
		return c, err
	}
	if qos < 0 || qos > 2 {
		return c, fmt.Errorf("%s: %d is not 0, 1 or 2", fieldQoS, qos)
	}
	c.qos = byte(qos)
	if c.user, err = conf.FieldString(fieldUser); err != nil {
		return c, err
	}
	if c.password, err = conf.FieldString(fieldPassword); err != nil {
		return c, err
	}
	if c.connectTimeout, err = conf.FieldDuration(fieldConnectTimeout); err != nil {
		return c, err
	}
	if c.keepAlive, err = conf.FieldDuration(fieldKeepAlive); err != nil {
		return c, err
	}
	if c.connectTimeout <= 0 || c.keepAlive <= 0 {
		return c, fmt.Errorf("%s and %s must be positive", fieldConnectTimeout, fieldKeepAlive)
	}
	return c, nil
}

// generatedClientID is a client identifier unique to this process and component.
func generatedClientID(role string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "unsproc-" + role + "-" + hex.EncodeToString(b)
}

// connection is a Paho client with the connection policy both components share:
// the first connection is made by Benthos' connect loop (each failure is returned
// with the pause to wait before the next attempt, so Benthos logs it and backs
// off), and a connection lost later is re-established by Paho in the background,
// keeping the session (subscriptions, unacknowledged messages) of the client.
type connection struct {
	conf connConfig
	role string // "input" or "output", in log lines
	log  *service.Logger

	mu     sync.Mutex
	client paho.Client   // nil until connected
	pause  time.Duration // before the next first-connection attempt

	// lost is set from a connection loss to the next connection: the failed
	// attempts in between are logged here (the first connection's by Benthos).
	lost atomic.Bool
}

// brokers names the configured brokers in log lines and errors.
func (c *connection) brokers() string { return strings.Join(c.conf.urls, ", ") }

// options are the Paho options of the connection; onConnect runs (in its own
// goroutine) after every successful connection, the first and each reconnection.
func (c *connection) options(onConnect func(paho.Client)) *paho.ClientOptions {
	o := paho.NewClientOptions().
		SetClientID(c.conf.clientID).
		SetUsername(c.conf.user).
		SetPassword(c.conf.password).
		SetCleanSession(c.conf.cleanSession).
		SetConnectTimeout(c.conf.connectTimeout).
		SetKeepAlive(c.conf.keepAlive).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(maxRetryPause).
		// Unacknowledged messages are re-sent after a reconnection in the order
		// they were first sent (Paho's default store returns them in map order).
		SetStore(paho.NewOrderedMemoryStore())
	for _, u := range c.conf.urls {
		o.AddBroker(u)
	}
	o.SetOnConnectHandler(func(client paho.Client) {
		if c.lost.Swap(false) {
			c.log.Infof("mqtt %s: reconnected to %s", c.role, c.brokers())
		}
		if onConnect != nil {
			onConnect(client)
		}
	})
	o.SetConnectionLostHandler(func(_ paho.Client, err error) {
		c.lost.Store(true)
		c.log.Warnf("mqtt %s: lost the connection to %s: %v; reconnecting in the background, pausing up to %v between attempts", c.role, c.brokers(), err, maxRetryPause)
	})
	o.SetConnectionNotificationHandler(func(_ paho.Client, n paho.ConnectionNotification) {
		// Paho's reconnection pauses double up to maxRetryPause, so this logs at
		// most once per pause.
		if f, ok := n.(paho.ConnectionNotificationFailed); ok && c.lost.Load() {
			c.log.Warnf("mqtt %s: broker %s still unreachable: %v", c.role, c.brokers(), f.Reason)
		}
	})
	return o
}

// connect makes the first connection with opts, or returns at once when one
// exists. A failure comes back as a service.ErrBackOff carrying the pause before
// the next attempt: Benthos logs it and waits that long.
func (c *connection) connect(ctx context.Context, opts *paho.ClientOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return nil
	}
	client := paho.NewClient(opts)
	token := client.Connect()
	// Paho tries each broker for at most connect_timeout; the deadline guards
	// against an attempt that never completes.
	deadline := time.NewTimer(time.Duration(len(c.conf.urls)+1) * c.conf.connectTimeout)
	defer deadline.Stop()
	abandon := func() { go client.Disconnect(0) } // waits for the attempt to end
	var err error
	select {
	case <-token.Done():
		err = token.Error()
	case <-ctx.Done():
		abandon()
		return ctx.Err()
	case <-deadline.C:
		abandon()
		err = fmt.Errorf("the attempt did not end within %v", time.Duration(len(c.conf.urls)+1)*c.conf.connectTimeout)
	}
	if err != nil {
		c.pause = min(max(2*c.pause, firstRetryPause), maxRetryPause)
		return service.NewErrBackOff(fmt.Errorf("cannot connect to %s: %w; next attempt in %v", c.brokers(), err, c.pause), c.pause)
	}
	c.pause = 0
	c.client = client
	c.log.Infof("mqtt %s: connected to %s as %q", c.role, c.brokers(), c.conf.clientID)
	return nil
}

// current is the connected client, or nil before the first connection and after close.
func (c *connection) current() paho.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client
}

// close disconnects, giving in-flight work a quarter of a second.
func (c *connection) close() {
	c.mu.Lock()
	client := c.client
	c.client = nil
	c.mu.Unlock()
	if client != nil {
		client.Disconnect(250)
	}
}

// errNoUMHTopic is the error of a message the output cannot name a topic for.
var errNoUMHTopic = errors.New("the message has no umh_topic metadata and the output has no topic")

// umhTopic is the UNS topic of an MQTT topic: `/` becomes `.`.
func umhTopic(mqttTopic string) string { return strings.ReplaceAll(mqttTopic, "/", ".") }

// mqttTopic is the MQTT topic of a UNS topic: `.` becomes `/`.
func mqttTopic(umhTopic string) string { return strings.ReplaceAll(umhTopic, ".", "/") }
