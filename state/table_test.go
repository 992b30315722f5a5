package state

import (
	"strconv"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/value"
)

func newTestTable(t testing.TB, aliases ...string) *Table {
	t.Helper()
	l, err := NewLayout(aliases, nil)
	require.NoError(t, err)
	return NewTable(l)
}

func TestTableStoreLoad(t *testing.T) {
	tab := newTestTable(t, "a", "b", "c")
	_, ok := tab.Load(0)
	assert.False(t, ok, "empty before the first store")
	assert.Equal(t, 0, tab.Present())

	tests := []struct {
		slot int
		v    any
		ts   int64
	}{
		{0, 25.5, 1},
		{1, "running", 2},
		{0, false, 3},
		{2, map[string]any{"x": 1.0}, 4},
		{2, []any{1.0, "a"}, 5},
	}
	for _, tt := range tests {
		tab.Store(tt.slot, value.FromAny(tt.v), tt.ts)
		got, ok := tab.Load(tt.slot)
		require.True(t, ok)
		assert.Equal(t, Entry{V: tt.v, TimestampMs: tt.ts}, got)
	}
	assert.Equal(t, 3, tab.Present(), "replacing a value does not count twice")
	assert.Same(t, tab.Layout(), tab.Layout())
}

func TestTableStoreChangesType(t *testing.T) {
	tab := newTestTable(t, "a")
	values := []any{1.5, "s", true, map[string]any{}, []any{2.0}, int64(3), nil, 2.5, struct{ X int }{1}, "t"}
	for i, v := range values {
		tab.Store(0, value.FromAny(v), int64(i+1))
		got, ok := tab.Load(0)
		require.True(t, ok)
		assert.Equal(t, Entry{V: v, TimestampMs: int64(i + 1)}, got)
		dst := make([]value.Value, 1)
		require.True(t, tab.Gather([]int{0}, dst))
		assert.Equal(t, v, dst[0].Interface())
	}
	assert.Equal(t, 1, tab.Present())
}

func TestTableStoreDoesNotAllocate(t *testing.T) {
	tab := newTestTable(t, "a")
	values := []any{25.5, "running", true, map[string]any{"x": 1.0}, []any{1.0}}
	allocs := testing.AllocsPerRun(100, func() {
		for i, v := range values {
			tab.Store(0, value.FromAny(v), int64(i))
		}
	})
	assert.Zero(t, allocs)
}

func TestSlotSizeIsWholeCacheLines(t *testing.T) {
	assert.Zero(t, unsafe.Sizeof(slot{})%cacheLine)
}

func TestTableGather(t *testing.T) {
	tab := newTestTable(t, "a", "b", "c")
	dst := make([]value.Value, 3)

	tab.Store(2, value.FromAny("z"), 1)
	assert.False(t, tab.Gather([]int{2, 0}, dst), "slot 0 is missing")

	tab.Store(0, value.FromAny(1.5), 2)
	require.True(t, tab.Gather([]int{2, 0, 2}, dst))
	assert.Equal(t, []value.Value{{Any: "z"}, value.Num(1.5), {Any: "z"}}, dst)

	assert.True(t, tab.Gather(nil, dst), "no dependencies are always present")
}

func TestTableGatherDoesNotAllocate(t *testing.T) {
	tab := newTestTable(t, "a", "b")
	tab.Store(0, value.FromAny(1.0), 1)
	tab.Store(1, value.Num(2), 1)
	slots, dst := []int{0, 1}, make([]value.Value, 2)
	allocs := testing.AllocsPerRun(100, func() { tab.Gather(slots, dst) })
	assert.Zero(t, allocs)
}

// TestTableConcurrent runs writers and readers on shared slots (meant for -race): every
// record a reader sees must be one a writer stored whole, and Present must count each
// slot once.
func TestTableConcurrent(t *testing.T) {
	const (
		slots   = 4
		writers = 4
		rounds  = 2000
	)
	tab := newTestTable(t, "a", "b", "c", "d")
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := range rounds {
				ts := int64(w*rounds + n + 1)
				var v any = float64(ts)
				if n%3 == 0 {
					v = strconv.FormatInt(ts, 10) // the type changes too
				}
				tab.Store(n%slots, value.FromAny(v), ts)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			dst := make([]value.Value, slots)
			all := []int{0, 1, 2, 3}
			for range rounds {
				for s := range slots {
					if v, ok := tab.Load(s); ok {
						want := []any{float64(v.TimestampMs), strconv.FormatInt(v.TimestampMs, 10)}
						assert.Contains(t, want, v.V, "value and timestamp from different stores")
					}
				}
				if tab.Gather(all, dst) {
					for _, v := range dst {
						switch v.Interface().(type) {
						case float64, string:
						default:
							t.Errorf("gathered %T", v.Interface())
						}
					}
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, slots, tab.Present())
}

func BenchmarkTableStore(b *testing.B) {
	tab := newTestTable(b, "a", "b", "c", "d")
	var v any = 25.5
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			tab.Store(i&3, value.FromAny(v), int64(i))
			i++
		}
	})
}

func BenchmarkTableGather(b *testing.B) {
	tab := newTestTable(b, "a", "b", "c", "d")
	for s := range 4 {
		tab.Store(s, value.FromAny(float64(s)), 1)
	}
	all := []int{0, 1, 2, 3}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]value.Value, 4)
		for pb.Next() {
			tab.Gather(all, dst)
		}
	})
}
