package compiler

import "time"

// Engine selects how a Program is evaluated.
type Engine int

const (
	// EngineAuto runs the expr fast path where it reproduces JavaScript exactly and
	// falls back to the goja sandbox otherwise. It is the default.
	EngineAuto Engine = iota
	// EngineGoja runs every evaluation in the goja sandbox (the reference).
	EngineGoja
)

// String names the engine.
func (e Engine) String() string {
	if e == EngineGoja {
		return "goja"
	}
	return "auto"
}

// Option configures Compile.
type Option func(*options)

type options struct {
	engine  Engine
	timeout time.Duration
	clock   func() time.Time
	names   []string
}

// WithEngine selects the engine (default EngineAuto).
func WithEngine(e Engine) Option { return func(o *options) { o.engine = e } }

// WithTimeout bounds one goja evaluation (default 100 ms).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithClock sets the time source of Date in the goja sandbox (default time.Now). Tests use
// it to make Date.now() reproducible.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithNames adds names the source may reference besides the aliases (a processor's
// other mappings): they become dependencies like aliases, but error hints list only the
// aliases.
func WithNames(names []string) Option { return func(o *options) { o.names = names } }
