package uns

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ackTracker releases the records of acknowledged batches for committing in the order
// the batches were read. Benthos may acknowledge a later batch before an earlier one;
// committing the later one's offsets first would skip the earlier one after a crash.
type ackTracker struct {
	// mark receives the records whose offsets may be committed, in read order.
	mark func(...*kgo.Record)

	mu      sync.Mutex
	head    uint64         // ticket of pending[0]
	pending []pendingBatch // batches read and not yet released, in read order
}

type pendingBatch struct {
	records []*kgo.Record
	acked   bool
}

func newAckTracker(mark func(...*kgo.Record)) *ackTracker {
	return &ackTracker{mark: mark}
}

// add registers the records of a batch just read and returns its ticket.
func (t *ackTracker) add(records []*kgo.Record) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, pendingBatch{records: records})
	return t.head + uint64(len(t.pending)) - 1
}

// acked records that the batch of ticket was acknowledged, and marks the records of
// every acknowledged batch that no unacknowledged one precedes.
func (t *ackTracker) acked(ticket uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending[ticket-t.head].acked = true
	n := 0
	for n < len(t.pending) && t.pending[n].acked {
		t.mark(t.pending[n].records...)
		t.pending[n] = pendingBatch{}
		n++
	}
	t.pending = t.pending[n:]
	t.head += uint64(n)
}
