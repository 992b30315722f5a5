// Package vmtest holds test helpers for the evaluation machinery and its users, such as
// measuring how much memory a sandboxed evaluation takes.
package vmtest

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// PeakHeapGrowth runs f and returns by how much the heap's live objects grew above
// their size before f, at the most, sampled every 200µs.
func PeakHeapGrowth(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			if h := read(); h > base && h-base > peak {
				peak = h - base
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak
}

// LiveHeap is the heap in use after two garbage collections (the second frees what
// finalizers and pools released in the first).
func LiveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Retained runs work(200), so that caches and pools reach their working size, then
// work(10_000), and returns by how much the live heap grew across the second call: what
// 10,000 more units of work keep. Each measurement is a LiveHeap after settle, when
// settle is not nil, has run between two collections: code that frees what it dropped
// at its next call (a sandbox, at its next evaluation) sees the first collection.
func Retained(work func(n int), settle func()) int64 {
	measure := func() uint64 {
		if settle != nil {
			LiveHeap()
			settle()
		}
		return LiveHeap()
	}
	work(200)
	before := measure()
	work(10_000)
	return int64(measure()) - int64(before)
}
