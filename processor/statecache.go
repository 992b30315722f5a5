package processor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/state"
	"github.com/unsproc/unsproc/vm"
)

// stateRestoreTimeout bounds reading the state back at start-up.
const stateRestoreTimeout = 30 * time.Second

// stateCache keeps a processor's state in a Benthos cache resource (state_cache), so
// that it survives restarts. Every alias has one entry, key <prefix><alias>, value
// stateEntry as JSON. The entries are read back at construction and written at the
// end of every batch that updated their alias (one write per alias and batch),
// before the batch is acknowledged.
type stateCache struct {
	mgr    *service.Resources
	label  string
	table  *state.Table
	keys   []string         // by slot
	topics []string         // the source topic of each slot
	slots  map[string][]int // source topic → the slots a message on it updates
	// locks serialise the writes of each slot: a write loads the slot and sets its key
	// under the lock, so the last write of a key carries the newest value even when
	// pipeline threads flush concurrently.
	locks  []sync.Mutex
	dirty  sync.Pool // *dirtySlots
	log    *service.Logger
	errors *service.MetricCounter
	errLog rateLimiter
}

// stateEntry is the cache value of one alias: its source topic (an entry recorded for
// another topic is not restored) and the latest accepted value with its timestamp.
type stateEntry struct {
	Topic       string `json:"topic"`
	Value       any    `json:"value"`
	TimestampMs int64  `json:"timestamp_ms"`
}

// dirtySlots collects the slots one batch updated.
type dirtySlots struct {
	marked []bool // by slot
	list   []int
}

// newStateCache binds core's state to the cache resource labelled s.stateCache and
// restores the state from it. A missing resource is a configuration error; an entry
// that cannot be restored is logged and its alias starts empty.
func newStateCache(mgr *service.Resources, s pluginSettings, core *Processor, sources map[string]string) (*stateCache, error) {
	if !mgr.HasCache(s.stateCache) {
		return nil, fmt.Errorf("field %s: there is no cache resource labelled %q (declare it under cache_resources)", fieldStateCache, s.stateCache)
	}
	table := core.State()
	layout := table.Layout()
	c := &stateCache{
		mgr:    mgr,
		label:  s.stateCache,
		table:  table,
		keys:   make([]string, layout.Len()),
		topics: make([]string, layout.Len()),
		slots:  make(map[string][]int, len(sources)),
		locks:  make([]sync.Mutex, layout.Len()),
		log:    mgr.Logger().With("state_cache", s.stateCache),
		errors: mgr.Metrics().NewCounter("state_cache_errors", "operation"),
	}
	for slot := range layout.Len() {
		alias := layout.Alias(slot)
		c.keys[slot] = s.stateKeyPrefix + alias
		c.topics[slot] = sources[alias]
		c.slots[sources[alias]] = append(c.slots[sources[alias]], slot)
	}
	c.dirty.New = func() any { return &dirtySlots{marked: make([]bool, layout.Len())} }

	ctx, cancel := context.WithTimeout(context.Background(), stateRestoreTimeout)
	defer cancel()
	restored, err := c.restore(ctx)
	if err != nil {
		return nil, fmt.Errorf("field %s: reading the state from cache %q: %w", fieldStateCache, s.stateCache, err)
	}
	c.log.Infof("restored the last value of %d of %d source aliases from the state cache", restored, layout.Len())
	return c, nil
}

// restore loads every alias's entry into the state table and returns how many it
// restored. Only a failure to reach the cache resource is an error.
func (c *stateCache) restore(ctx context.Context) (int, error) {
	restored := 0
	err := c.mgr.AccessCache(ctx, c.label, func(cache service.Cache) {
		for slot, key := range c.keys {
			raw, err := cache.Get(ctx, key)
			if errors.Is(err, service.ErrKeyNotFound) {
				continue
			}
			var v vm.Value
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

// decode checks one entry: it must be a stateEntry recorded for the slot's topic whose
// value and timestamp follow the payload rules of inputs.
func (c *stateCache) decode(slot int, raw []byte) (vm.Value, int64, error) {
	v, ts, err := decodePayload(raw)
	if err != nil {
		return vm.Value{}, 0, fmt.Errorf("not a state entry %s: %w", stateEntryShape, err)
	}
	var (
		fields map[string]json.RawMessage
		topic  string
	)
	if json.Unmarshal(raw, &fields) != nil || json.Unmarshal(fields["topic"], &topic) != nil {
		return vm.Value{}, 0, fmt.Errorf(`not a state entry %s: "topic" is missing or not a string`, stateEntryShape)
	}
	if topic != c.topics[slot] {
		return vm.Value{}, 0, fmt.Errorf("recorded for topic %q, but the alias now reads %q", topic, c.topics[slot])
	}
	return v, ts, nil
}

// stateEntryShape describes stateEntry in error messages.
const stateEntryShape = `{"topic": …, "value": …, "timestamp_ms": …}`

// begin returns an empty set for the slots a batch updates.
func (c *stateCache) begin() *dirtySlots { return c.dirty.Get().(*dirtySlots) }

// mark records that an accepted message on topic updated its slots.
func (c *stateCache) mark(d *dirtySlots, topic string) {
	for _, slot := range c.slots[topic] {
		if !d.marked[slot] {
			d.marked[slot] = true
			d.list = append(d.list, slot)
		}
	}
}

// flush writes the current value of every slot in d to the cache and recycles d.
// Failures are counted and logged; they never fail the batch.
func (c *stateCache) flush(ctx context.Context, d *dirtySlots) {
	if len(d.list) > 0 {
		err := c.mgr.AccessCache(ctx, c.label, func(cache service.Cache) {
			for _, slot := range d.list {
				c.write(ctx, cache, slot)
			}
		})
		if err != nil {
			c.writeFailed(c.label, err)
		}
	}
	for _, slot := range d.list {
		d.marked[slot] = false
	}
	d.list = d.list[:0]
	c.dirty.Put(d)
}

// write sets the entry of slot to the slot's current value.
func (c *stateCache) write(ctx context.Context, cache service.Cache, slot int) {
	c.locks[slot].Lock()
	defer c.locks[slot].Unlock()
	v, ok := c.table.Load(slot)
	if !ok {
		return
	}
	entry, err := json.Marshal(stateEntry{Topic: c.topics[slot], Value: v.V, TimestampMs: v.TimestampMs})
	if err == nil {
		err = cache.Set(ctx, c.keys[slot], entry, nil)
	}
	if err != nil {
		c.writeFailed(c.keys[slot], err)
	}
}

func (c *stateCache) writeFailed(key string, err error) {
	c.errors.Incr(1, "write")
	if n, ok := c.errLog.allow(monotonic(), logEvery); ok {
		c.log.With("key", key, "error", err.Error(), "suppressed", n).Warn("writing the state cache failed; the value would be lost on restart")
	}
}
