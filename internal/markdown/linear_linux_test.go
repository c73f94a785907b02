//go:build linux

package markdown

import (
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"
)

// TestNearLinearTime asserts that 10× the input takes at most 20× the
// time, by ratio, so a slow machine does not make it flaky while a
// quadratic path (100×) still fails it. Time is the CPU time of the
// rendering's own thread (threadCPU), the best of a few runs: on a shared
// machine with a load of 20 on 2 cores, wall-clock ratios of even plain
// Chinese copy ranged from 10 to 40.
func TestNearLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("timing ratios need a few seconds")
	}
	r := New(Options{Typeset: true, Timeout: time.Minute})
	n := 20 << 10 // and 10×n
	if raceEnabled {
		n = 8 << 10
	}
	// Fewer collections: a larger input keeps more heap live, and mark
	// assists charged to this thread skewed the ratio of plain copy.
	defer debug.SetGCPercent(debug.SetGCPercent(1000))
	// perRender is the CPU time per rendering of src: it renders src
	// until 40 ms of CPU time have passed, well above the clock's tick.
	perRender := func(src []byte) time.Duration {
		runtime.GC()
		start := threadCPU(t)
		n, d := 0, time.Duration(0)
		for ; d < 40*time.Millisecond; d = threadCPU(t) - start {
			renderAll(t, r, src)
			n++
		}
		return d / time.Duration(n)
	}
	// ratio measures the small and the large input in turn, runs times,
	// and compares the least time of each. Taking turns spreads both
	// over the same stretch of time, so a burst of load from the rest of
	// the machine does not land on one size only: in CI a single slow
	// stretch during the large input's runs pushed a linear shape, whose
	// ratio is 10–11 on a quiet machine, to 20.0.
	ratio := func(small, large []byte, runs int) (ts, tl time.Duration) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for i := 0; i < runs; i++ {
			s, l := perRender(small), perRender(large)
			if i == 0 || s < ts {
				ts = s
			}
			if i == 0 || l < tl {
				tl = l
			}
		}
		return ts, tl
	}
	for _, sh := range hostileShapes {
		t.Run(sh.name, func(t *testing.T) {
			small, large := sh.gen(n), sh.gen(10*n)
			// Interference only ever adds time, so a linear shape over
			// the bound is measured again, up to three times in all; a
			// quadratic path (about 100×) is over it every time.
			var q float64
			for attempt := 1; attempt <= 3; attempt++ {
				ts, tl := ratio(small, large, 4)
				q = float64(tl) / float64(ts)
				t.Logf("attempt %d: %d bytes: %v; %d bytes: %v; ratio %.1f", attempt, len(small), ts, len(large), tl, q)
				if q <= 20 {
					return
				}
			}
			t.Errorf("10× the input took %.1f× the time, in each of three measurements", q)
		})
	}
}

// threadCPU is the CPU time the calling OS thread has used (the caller
// locks its goroutine to the thread). Unlike wall-clock time it does not
// count time spent waiting for a core on a loaded machine.
func threadCPU(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
