// Package memlimit gives a batch command (banmian build, banmian index) a
// soft memory limit that follows its working set.
//
// With the Go default (GOGC=100) a process's heap grows to about twice
// what is live, and the pages freed are returned to the system lazily:
// a build whose live heap peaks at 130 MB reached 370 MB of resident
// memory. A soft limit (runtime/debug.SetMemoryLimit) makes the collector
// work harder only as the heap nears the limit. A fixed limit below a
// large site's working set would have the collector run without end (the
// runtime caps that at half the CPU), so the limit starts at a floor and
// is raised to keep it half again above the live heap: a collection then
// always frees at least a third of the heap, as with GOGC=50 at worst.
//
// Under the limit the collector does not run at all (GOGC=off while
// started): a heap well below the floor is not worth collecting, and the
// collections that GOGC=100 makes while a heap grows from nothing to its
// working set are most of a short build's collector time (a one-story
// rebuild of 10,000 stories: 18% less CPU, 171 MiB peak against 131).
// Past the floor the limit alone paces the collector, at GOGC=50 or
// lazier.
//
// GOMEMLIMIT, when set, wins: Start does nothing. GOGC, when set, is
// kept.
package memlimit

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Floor is the soft limit to start from: 256 MiB.
const Floor = 256 << 20

// IndexFloor is the floor for building the search index (banmian index,
// and banmian build once the site is written). Its working set (a few
// batches of analysed stories, a segment being written, the segments
// mapped from disk beside the heap) is smaller than the site's. On 10,000
// stories, measured interleaved: banmian index peaked at 257-263 MiB with
// it against 285 with Floor, at the same CPU time.
const IndexFloor = 200 << 20

// headroom is the limit over the live heap, in eighths (12/8 = 1.5×).
const headroom = 12

// every is how often the live heap is read.
const every = 20 * time.Millisecond

// budget decides the limit from the live heap.
type budget struct {
	floor, cur int64
}

// next returns the limit for a live heap of live bytes, and whether it
// differs from the current one: the floor, raised to headroom above the
// live heap, and never lowered.
func (b *budget) next(live int64) (int64, bool) {
	want := max(b.floor, live/8*headroom)
	if want <= b.cur {
		return b.cur, false
	}
	b.cur = want
	return want, true
}

// Start sets the soft memory limit and keeps it above the live heap until
// the returned function is called, which removes the limit.
func Start() (stop func()) { return StartAt(Floor) }

// StartAt is Start from another floor.
func StartAt(floor int64) (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	b := &budget{floor: floor}
	limit, _ := b.next(0)
	prev := debug.SetMemoryLimit(limit)
	restoreGC := func() {}
	if os.Getenv("GOGC") == "" {
		pct := debug.SetGCPercent(-1)
		restoreGC = func() { debug.SetGCPercent(pct) }
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() != metrics.KindUint64 {
					continue
				}
				live := int64(min(sample[0].Value.Uint64(), math.MaxInt64))
				if limit, ok := b.next(live); ok {
					debug.SetMemoryLimit(limit)
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		debug.SetMemoryLimit(prev)
		restoreGC()
	}
}
