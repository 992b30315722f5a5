package state

import "sync/atomic"

// cacheLine is the assumed size of a CPU cache line; slots are padded to it so that
// threads updating different aliases do not invalidate each other's caches.
const cacheLine = 64

// Value is one accepted input: the decoded value and the raw timestamp_ms of the
// message that carried it.
type Value struct {
	// V is the value exactly as encoding/json decodes it into an any: float64, string,
	// bool, map[string]any or []any. It is never nil and must not be modified: readers
	// share it.
	V any
	// TimestampMs is the message's timestamp in milliseconds since the Unix epoch.
	TimestampMs int64
}

// slot holds the latest Value of one alias; nil until the first Store.
type slot struct {
	rec atomic.Pointer[Value]
	_   [cacheLine - 8]byte
}

// Table is the state of one processor: the latest Value per slot of its Layout. All
// methods are safe for concurrent use; a reader sees either the old or the new record
// of a slot, never a mix.
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

// Store makes v (non-nil, see Value.V) with timestamp ts the latest value of slot.
// Identical values still count as an update.
func (t *Table) Store(slot int, v any, ts int64) {
	if t.slots[slot].rec.Swap(&Value{V: v, TimestampMs: ts}) == nil {
		t.present.Add(1)
	}
}

// Load returns the latest value of slot and whether there is one.
func (t *Table) Load(slot int) (Value, bool) {
	if r := t.slots[slot].rec.Load(); r != nil {
		return *r, true
	}
	return Value{}, false
}

// Gather writes the latest value of each of slots into dst (len(dst) >= len(slots))
// and reports whether all of them have one. It does not allocate. Values of different
// slots may come from different moments when other threads store concurrently.
func (t *Table) Gather(slots []int, dst []any) bool {
	for i, s := range slots {
		r := t.slots[s].rec.Load()
		if r == nil {
			return false
		}
		dst[i] = r.V
	}
	return true
}

// Present is the number of slots that hold a value.
func (t *Table) Present() int { return int(t.present.Load()) }
