package processor

import (
	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/datamodel"
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
}

// Index is the mapping's position in Processor.Mappings: statics first, then dynamics,
// each group sorted by virtual path.
func (m *Mapping) Index() int { return m.index }

// Path is the virtual path (spec §2.2), e.g. "motor.rpm".
func (m *Mapping) Path() string { return m.path }

// Topic is the output topic of the mapping.
func (m *Mapping) Topic() string { return m.topic }

// Program is the compiled expression (source, kind, dependencies, engine).
func (m *Mapping) Program() *compiler.Program { return m.prog }
