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
	// best is the least CPU time per rendering of src over runs
	// measurements. Each measurement renders src until 40 ms of CPU time
	// have passed, well above the clock's tick.
	best := func(src []byte, runs int) time.Duration {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var min time.Duration
		for i := 0; i < runs; i++ {
			runtime.GC()
			start := threadCPU(t)
			n, d := 0, time.Duration(0)
			for ; d < 40*time.Millisecond; d = threadCPU(t) - start {
				renderAll(t, r, src)
				n++
			}
			if d /= time.Duration(n); i == 0 || d < min {
				min = d
			}
		}
		return min
	}
	for _, sh := range hostileShapes {
		t.Run(sh.name, func(t *testing.T) {
			small, large := sh.gen(n), sh.gen(10*n)
			// The least of several runs: interference from the rest of
			// a loaded machine (other test binaries, under -race) only
			// ever adds time, and a single slow run of the large input
			// pushed a linear shape to a ratio of 20.1 in CI.
			ts, tl := best(small, 5), best(large, 4)
			ratio := float64(tl) / float64(ts)
			t.Logf("%d bytes: %v; %d bytes: %v; ratio %.1f", len(small), ts, len(large), tl, ratio)
			if ratio > 20 {
				t.Errorf("10× the input took %.1f× the time (%v → %v)", ratio, ts, tl)
			}
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
