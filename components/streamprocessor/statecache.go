package streamprocessor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/internal/clock"
	"github.com/unsproc/unsproc/processor"
	"github.com/unsproc/unsproc/state"
	"github.com/unsproc/unsproc/value"
)

// stateRestoreTimeout bounds reading the state back at start-up.
const stateRestoreTimeout = 30 * time.Second

// stateWriteTimeout bounds one run of the background writer.
const stateWriteTimeout = 30 * time.Second

// stateCache keeps a processor's state in a Benthos cache resource (state_cache), so
// that it survives restarts. Every alias has one entry, key <prefix><alias>, value
// {"topic": <source topic>, "value": <value>, "timestamp_ms": <int>}; so has every
// dynamic mapping that other mappings read, key <prefix><path>, with its output topic. The entries are
// read back at construction. They are written either at the end of every batch that
// updated their alias, before the batch is acknowledged (interval 0), or by a
// background writer at most once per interval and at Close.
type stateCache struct {
	mgr    *service.Resources
	label  string
	table  *state.Table
	keys   []string // by slot
	topics []string // the source topic of each slot
	// locks serialise the writes of each slot: a write loads the slot and sets its key
	// under the lock, so the last write of a key carries the newest value even when
	// pipeline threads flush concurrently.
	locks  []sync.Mutex
	dirty  sync.Pool // *dirtySlots, for per-batch writes
	log    *service.Logger
	errors *service.MetricCounter
	errLog rateLimiter

	// Background writing (interval > 0): pending marks the slots updated since the
	// writer last ran.
	interval  time.Duration
	pending   []atomic.Bool
	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// dirtySlots collects the slots one batch updated.
type dirtySlots struct {
	marked []bool // by slot
	list   []int
}

// newStateCache binds core's state to the cache resource labelled s.stateCache and
// restores the state from it. A missing resource is a configuration error; an entry
// that cannot be restored is logged and its alias starts empty.
func newStateCache(mgr *service.Resources, s pluginSettings, core *processor.Processor) (*stateCache, error) {
	if !mgr.HasCache(s.stateCache) {
		return nil, fmt.Errorf("field %s: there is no cache resource labelled %q (declare it under cache_resources)", fieldStateCache, s.stateCache)
	}
	table := core.State()
	layout := table.Layout()
	c := &stateCache{
		mgr:      mgr,
		label:    s.stateCache,
		table:    table,
		keys:     make([]string, layout.Len()),
		topics:   make([]string, layout.Len()),
		locks:    make([]sync.Mutex, layout.Len()),
		log:      mgr.Logger().With("state_cache", s.stateCache),
		errors:   mgr.Metrics().NewCounter("state_cache_errors", "operation"),
		interval: s.stateInterval,
	}
	for slot := range layout.Len() {
		topic, kept := core.SlotTopic(slot)
		if !kept {
			continue // no entry: the slot's value is known without one
		}
		c.keys[slot] = s.stateKeyPrefix + layout.Alias(slot)
		c.topics[slot] = topic
	}
	c.dirty.New = func() any { return &dirtySlots{marked: make([]bool, layout.Len())} }

	ctx, cancel := context.WithTimeout(context.Background(), stateRestoreTimeout)
	defer cancel()
	restored, err := c.restore(ctx)
	if err != nil {
		return nil, fmt.Errorf("field %s: reading the state from cache %q: %w", fieldStateCache, s.stateCache, err)
	}
	c.log.Infof("restored the last value of %d of %s from the state cache", restored, countOf(layout.Len(), "source alias", "source aliases"))
	if c.interval > 0 {
		c.pending = make([]atomic.Bool, layout.Len())
		c.stop, c.stopped = make(chan struct{}), make(chan struct{})
		go c.writeEvery(c.interval)
	}
	return c, nil
}

// restore loads every alias's entry into the state table and returns how many it
// restored. Only a failure to reach the cache resource is an error.
func (c *stateCache) restore(ctx context.Context) (int, error) {
	restored := 0
	err := c.mgr.AccessCache(ctx, c.label, func(cache service.Cache) {
		for slot, key := range c.keys {
			if key == "" {
				continue
			}
			raw, err := cache.Get(ctx, key)
			if errors.Is(err, service.ErrKeyNotFound) {
				continue
			}
			var v value.Value
			var ts int64
			if err == nil {
				v, ts, err = c.decode(slot, raw)
			}
			if err != nil {
				c.errors.Incr(1, "read")
				c.log.With("key", key, "alias", c.table.Layout().Alias(slot), "error", err.Error()).
					Warn("state cache entry not restored; this alias starts without a value")
				continue
			}
			c.table.Store(slot, v, ts)
			restored++
		}
	})
	return restored, err
}

// decode checks one entry: it must be a state entry recorded for the slot's topic
// whose value and timestamp follow the payload rules of inputs.
func (c *stateCache) decode(slot int, raw []byte) (value.Value, int64, error) {
	topic, v, ts, err := processor.ParseStateEntry(raw)
	if err != nil {
		return value.Value{}, 0, err
	}
	if topic != c.topics[slot] {
		return value.Value{}, 0, fmt.Errorf("recorded for topic %q, but the alias now reads %q", topic, c.topics[slot])
	}
	return v, ts, nil
}

// begin returns an empty set for the slots a batch updates, or nil when a background
// writer stores them.
func (c *stateCache) begin() *dirtySlots {
	if c.interval > 0 {
		return nil
	}
	return c.dirty.Get().(*dirtySlots)
}

// mark records that an accepted message updated slots: in d for the batch's own
// write, or for the background writer when d is nil.
func (c *stateCache) mark(d *dirtySlots, slots []int) {
	for _, slot := range slots {
		switch {
		case d == nil:
			if !c.pending[slot].Load() { // a plain load keeps the cache line shared
				c.pending[slot].Store(true)
			}
		case !d.marked[slot]:
			d.marked[slot] = true
			d.list = append(d.list, slot)
		}
	}
}

// flush writes the current value of every slot in d to the cache and recycles d (a
// nil d, in background mode, is ignored). Failures are counted and logged; they never
// fail the batch.
func (c *stateCache) flush(ctx context.Context, d *dirtySlots) {
	if d == nil {
		return
	}
	c.writeSlots(ctx, d.list)
	for _, slot := range d.list {
		d.marked[slot] = false
	}
	d.list = d.list[:0]
	c.dirty.Put(d)
}

// writeEvery is the background writer: it stores the pending slots every interval
// until Close.
func (c *stateCache) writeEvery(interval time.Duration) {
	defer close(c.stopped)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var slots []int
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), stateWriteTimeout)
			slots = c.writePending(ctx, slots[:0])
			cancel()
		}
	}
}

// writePending stores the slots marked pending, using buf as scratch space, and
// returns it. A slot whose write fails stays pending, to be retried.
func (c *stateCache) writePending(ctx context.Context, buf []int) []int {
	for slot := range c.pending {
		if c.pending[slot].Swap(false) {
			buf = append(buf, slot)
		}
	}
	for _, slot := range c.writeSlots(ctx, buf) {
		c.pending[slot].Store(true)
	}
	return buf
}

// close stops the background writer, if any, and stores what is still pending.
func (c *stateCache) close(ctx context.Context) {
	if c.interval == 0 {
		return
	}
	c.closeOnce.Do(func() {
		close(c.stop)
		select {
		case <-c.stopped:
			c.writePending(ctx, nil)
		case <-ctx.Done(): // the writer is stuck in a cache call; give up
		}
	})
}

// writeSlots sets the entries of slots to their current values and returns the slots
// whose write failed.
func (c *stateCache) writeSlots(ctx context.Context, slots []int) (failed []int) {
	if len(slots) == 0 {
		return nil
	}
	err := c.mgr.AccessCache(ctx, c.label, func(cache service.Cache) {
		for _, slot := range slots {
			if err := c.write(ctx, cache, slot); err != nil {
				c.writeFailed(c.keys[slot], err)
				failed = append(failed, slot)
			}
		}
	})
	if err != nil {
		c.writeFailed(c.label, err)
		return slots
	}
	return failed
}

// write sets the entry of slot to the slot's current value.
func (c *stateCache) write(ctx context.Context, cache service.Cache, slot int) error {
	c.locks[slot].Lock()
	defer c.locks[slot].Unlock()
	v, ok := c.table.Load(slot)
	if !ok {
		return nil
	}
	// A fresh buffer per write: a cache may keep the slice it is given.
	entry, err := processor.AppendStateEntry(make([]byte, 0, len(c.topics[slot])+96), c.topics[slot], v)
	if err != nil {
		return err
	}
	return cache.Set(ctx, c.keys[slot], entry, nil)
}

func (c *stateCache) writeFailed(key string, err error) {
	c.errors.Incr(1, "write")
	if n, ok := c.errLog.allow(clock.Monotonic(), logEvery); ok {
		c.log.With("key", key, "error", err.Error(), "suppressed", n).Warn("writing the state cache failed; the value would be lost on restart")
	}
}
