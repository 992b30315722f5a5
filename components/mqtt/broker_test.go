package mqtt

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/require"
)

// debianMosquitto is where the Debian package mosquitto installs the broker.
const debianMosquitto = "/usr/sbin/mosquitto"

// broker is a mosquitto process on 127.0.0.1 at a free port, with its config,
// persistence file and log in a test's temporary directory.
type broker struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan error // the exit of cmd
}

// startBroker starts mosquitto for t (see newBroker).
func startBroker(t *testing.T) *broker {
	t.Helper()
	b := newBroker(t)
	b.start()
	return b
}

// newBroker configures mosquitto for t, to be started with start, and stops it at
// the end of the test. The broker persists its sessions (a restart keeps QoS 1
// sessions and their queued messages) and queues more than a test ever sends to
// one client.
func newBroker(t *testing.T) *broker {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		bin = debianMosquitto
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the MQTT tests need the mosquitto broker, which is not installed: install it (Debian: apt-get install mosquitto); .ci/run does: %v", err)
	}
	b := &broker{t: t, bin: bin, dir: t.TempDir(), port: freePort(t)}
	me, err := user.Current()
	require.NoError(t, err)
	conf := fmt.Sprintf(`listener %d 127.0.0.1
allow_anonymous true
# Run as the test's user: as root, mosquitto would switch to the user mosquitto,
# who cannot write to the test's directory.
user %s
persistence true
persistence_location %s/
# A burst must not be dropped: the default queue per client is 1,000 messages.
max_queued_messages 1000000
max_inflight_messages 100
log_dest file %s
log_type error
log_type warning
log_type notice
`, b.port, me.Username, b.dir, filepath.Join(b.dir, "mosquitto.log"))
	require.NoError(t, os.WriteFile(b.configPath(), []byte(conf), 0o600))
	t.Cleanup(b.stop)
	return b
}

// freePort is a TCP port of 127.0.0.1 that nothing listened on a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (b *broker) configPath() string { return filepath.Join(b.dir, "mosquitto.conf") }

// url is the broker's address for clients.
func (b *broker) url() string { return "tcp://127.0.0.1:" + strconv.Itoa(b.port) }

// start runs mosquitto and waits until it accepts connections.
func (b *broker) start() {
	b.t.Helper()
	b.cmd = exec.Command(b.bin, "-c", b.configPath())
	require.NoError(b.t, b.cmd.Start())
	b.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan<- error) { done <- cmd.Wait() }(b.cmd, b.done)
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(b.port), time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case exit := <-b.done:
			b.cmd = nil
			b.t.Fatalf("mosquitto exited at start (%v); its log:\n%s", exit, b.logText())
		default:
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquitto does not accept connections on port %d after 10s: %v; its log:\n%s", b.port, err, b.logText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends mosquitto gracefully (it saves its persistence file) and waits.
func (b *broker) stop() {
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
		b.t.Errorf("mosquitto did not stop within 10s of SIGTERM")
	}
	b.cmd = nil
}

// restart stops the broker, leaves it down for pause and starts it again.
func (b *broker) restart(pause time.Duration) {
	b.t.Helper()
	b.stop()
	time.Sleep(pause)
	b.start()
}

// logText is the broker's log, for failure messages.
func (b *broker) logText() string {
	text, err := os.ReadFile(filepath.Join(b.dir, "mosquitto.log"))
	if err != nil {
		return err.Error()
	}
	return string(text)
}

// testClient connects a Paho client to b that reconnects by itself, and
// disconnects it at the end of the test. A fixed id with clean false keeps the
// client's session at the broker between connections.
func testClient(t *testing.T, b *broker, id string, clean bool) paho.Client {
	t.Helper()
	opts := paho.NewClientOptions().AddBroker(b.url()).
		SetClientID(id).
		SetCleanSession(clean).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(time.Second).
		SetStore(paho.NewOrderedMemoryStore())
	client := paho.NewClient(opts)
	require.NoError(t, wait(client.Connect()), "connect %s", id)
	t.Cleanup(func() { client.Disconnect(100) })
	return client
}

// wait waits for a token at most 30 seconds and returns its error.
func wait(token paho.Token) error {
	if !token.WaitTimeout(30 * time.Second) {
		return errors.New("no answer from the broker within 30s")
	}
	return token.Error()
}

// received is one message a collector got.
type received struct {
	Topic   string
	Payload string
}

// collector records the messages of a subscription in arrival order.
type collector struct {
	mu   sync.Mutex
	msgs []received
}

// subscribe makes a collector of the messages client gets on filter at QoS 1.
func subscribe(t *testing.T, client paho.Client, filter string) *collector {
	t.Helper()
	c := &collector{}
	require.NoError(t, wait(client.Subscribe(filter, 1, func(_ paho.Client, m paho.Message) {
		c.mu.Lock()
		c.msgs = append(c.msgs, received{m.Topic(), string(m.Payload())})
		c.mu.Unlock()
	})))
	return c
}

// all is a copy of what was received so far.
func (c *collector) all() []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]received(nil), c.msgs...)
}

// waitUntil polls cond on the messages received until it holds or timeout ends;
// it reports whether cond held.
func (c *collector) waitUntil(timeout time.Duration, cond func([]received) bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond(c.all()) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
