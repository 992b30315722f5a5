package state

import (
	"math"
	"runtime"
	"sync/atomic"

	"github.com/unsproc/unsproc/value"
)

// cacheLine is the assumed size of a CPU cache line.
const cacheLine = 64

// Entry is one accepted input: the decoded value and the raw timestamp_ms of the
// message that carried it.
type Entry struct {
	// V is the value exactly as encoding/json decodes it into an any: float64, string,
	// bool, map[string]any or []any (other types are accepted but cost an allocation
	// per Store). It must not be modified once stored: readers share it.
	V any
	// TimestampMs is the message's timestamp in milliseconds since the Unix epoch.
	TimestampMs int64
}

// stored marks a slot's kind word once a value is stored: the word is the value's
// value.Kind with this bit set, and 0 before the first Store.
const stored = 1 << 8

// otherBox wraps values of any other type, so that the value.Other cell always holds
// one concrete type (atomic.Value requires that).
type otherBox struct{ v any }

// slot holds the latest value of one alias. A number is kept unboxed (its bits in
// num); every other JSON type has its own atomic.Value (which must always hold one
// concrete type), so storing an already boxed value does not allocate. seq is odd while
// a Store runs: it serialises writers and lets Load return a value and timestamp from
// the same Store.
type slot struct {
	seq  atomic.Uint64
	kind atomic.Uint32
	ts   atomic.Int64
	num  atomic.Uint64
	vals [value.NumKinds]atomic.Value
	_    [48]byte // pad to whole cache lines so threads on neighbouring slots do not collide
}

// load returns the latest value, or false before the first Store. Under concurrent
// Stores it returns one of the stored values, never a torn one.
func (s *slot) load() (value.Value, bool) {
	word := s.kind.Load()
	if word == 0 {
		return value.Value{}, false
	}
	k := value.Kind(word)
	if k == value.Number {
		return value.Num(math.Float64frombits(s.num.Load())), true
	}
	v := s.vals[k].Load() // the value.Null cell is never stored: it loads nil, null
	if b, ok := v.(otherBox); ok {
		return value.Value{Any: b.v}, true
	}
	return value.Value{Any: v}, true
}

// Table is the state of one processor: the latest Entry per slot of its Layout. All
// methods are safe for concurrent use, take no lock shared between slots and do not
// allocate (for the JSON value types).
type Table struct {
	layout  *Layout
	slots   []slot
	present atomic.Int64
}

// NewTable returns an empty Table for l.
func NewTable(l *Layout) *Table {
	return &Table{layout: l, slots: make([]slot, l.Len())}
}

// Layout is the Layout the table was made for.
func (t *Table) Layout() *Layout { return t.layout }

// Store makes v with timestamp ts the latest value of slot. Identical values still
// count as an update. Concurrent Stores to one slot take turns; Stores to different
// slots do not interact.
func (t *Table) Store(slot int, v value.Value, ts int64) {
	s := &t.slots[slot]
	k := v.Kind()
	for spins := 0; ; {
		seq := s.seq.Load()
		if seq&1 == 0 && s.seq.CompareAndSwap(seq, seq+1) {
			break
		}
		backOff(&spins) // another Store on this slot is between its two increments
	}
	switch k {
	case value.Number:
		f := v.Num
		if !v.IsNum {
			f = v.Any.(float64)
		}
		s.num.Store(math.Float64bits(f))
	case value.Null: // the kind alone says it: load reads nil from the cell never stored
	case value.Other:
		s.vals[k].Store(otherBox{v.Any})
	default:
		s.vals[k].Store(v.Any)
	}
	s.ts.Store(ts)
	// Only writers change kind, one at a time (seq is odd): loading it first spares the
	// usual store of an unchanged kind a fenced swap.
	if old := s.kind.Load(); old != uint32(k)|stored {
		s.kind.Store(uint32(k) | stored)
		if old == 0 {
			t.present.Add(1)
		}
	}
	s.seq.Add(1)
}

// Load returns the latest value of slot and whether there is one. V and TimestampMs
// always come from the same Store.
func (t *Table) Load(slot int) (Entry, bool) {
	s := &t.slots[slot]
	for spins := 0; ; {
		seq := s.seq.Load()
		if seq&1 == 0 {
			v, ok := s.load()
			ts := s.ts.Load()
			if s.seq.Load() == seq {
				return Entry{V: v.Interface(), TimestampMs: ts}, ok
			}
		}
		backOff(&spins)
	}
}

// maxSpins is how many times backOff lets its caller retry at once before it yields.
const maxSpins = 32

// backOff waits before a retry on a slot that a Store holds. A Store holds it for a
// few dozen instructions, so retrying at once usually succeeds; only when that failed
// maxSpins times in a row (the writer's thread was descheduled, say) does it yield the
// processor. Yielding at the first conflict costs a trip through the scheduler, which
// pipeline threads storing the same source would pay on a few percent of their
// messages.
func backOff(spins *int) {
	if *spins < maxSpins {
		*spins++
		return
	}
	*spins = 0
	runtime.Gosched()
}

// Gather writes the latest value of each of slots into dst (len(dst) >= len(slots))
// and reports whether all of them have one. It does not allocate and never waits.
// Values of different slots may come from different moments when other threads store
// concurrently.
func (t *Table) Gather(slots []int, dst []value.Value) bool {
	for i, s := range slots {
		v, ok := t.slots[s].load()
		if !ok {
			return false
		}
		dst[i] = v
	}
	return true
}

// Present is the number of slots that hold a value.
func (t *Table) Present() int { return int(t.present.Load()) }
