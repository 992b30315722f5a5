package processor

import (
	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/datamodel"
	"github.com/unsproc/unsproc/value"
)

// Mapping is one compiled mapping of a Processor. It is immutable and safe to share.
type Mapping struct {
	index int
	path  string
	topic string
	// topicMeta is topic already converted to an interface value, so that setting it
	// as message metadata does not allocate per output.
	topicMeta any
	prog      *compiler.Program
	depSlots  []int
	// head is the start of a pure static mapping's payload, `{"value":<result JSON>`,
	// computed at construction; nil for mappings evaluated per message.
	head []byte
	// timed says that evaluations are timed for the observer: only goja's are (a
	// fast-path evaluation takes less time than reading the clock twice).
	timed bool
	// shape is the payload shape of the mapping's field in the data model, which
	// every result must match; nil without a data model (or for a pure static,
	// checked once by New).
	shape *datamodel.Shape
	// kind is the program's kind, with the mappings it reads taken into account.
	kind compiler.Kind
	// reads names the mappings it reads, in order of first use.
	reads []string
	// value is a pure static's value, which the mappings reading it take.
	value value.Value
	// slot is the state slot of its latest emitted value when another mapping reads
	// it, -1 otherwise.
	slot int
	// rank orders the mappings so that each comes after those it reads.
	rank int
}

// Index is the mapping's position in Processor.Mappings: statics first, then dynamics,
// each group sorted by virtual path.
func (m *Mapping) Index() int { return m.index }

// Path is the virtual path (docs/behaviour.md#flattening), e.g. "motor.rpm".
func (m *Mapping) Path() string { return m.path }

// Topic is the output topic of the mapping.
func (m *Mapping) Topic() string { return m.topic }

// TopicValue is Topic as an interface value, made once: a host that stores the topic
// in an `any` (such as message metadata) avoids an allocation per output with it.
func (m *Mapping) TopicValue() any { return m.topicMeta }

// Program is the compiled expression (source, kind, dependencies, engine).
func (m *Mapping) Program() *compiler.Program { return m.prog }

// Kind classifies the mapping: its program's kind, except that a mapping reading other
// mappings is dynamic when one of them is, and otherwise static (impure when one of
// them is impure).
func (m *Mapping) Kind() compiler.Kind { return m.kind }

// Reads names the mappings of the same processor this mapping reads, in order of
// first use.
func (m *Mapping) Reads() []string { return m.reads }
