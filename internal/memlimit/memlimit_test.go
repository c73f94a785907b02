package memlimit

import (
	"runtime/debug"
	"testing"
)

// TestBudgetFollowsTheLiveHeap: the limit starts at the floor, rises to
// half again above a live heap that outgrows it, and never falls.
func TestBudgetFollowsTheLiveHeap(t *testing.T) {
	const MiB = 1 << 20
	b := &budget{floor: 256 * MiB}
	for _, c := range []struct {
		name    string
		live    int64
		want    int64
		changed bool
	}{
		{"start", 0, 256 * MiB, true},
		{"a small site", 130 * MiB, 256 * MiB, false},
		{"at two thirds of the floor", 170 * MiB, 256 * MiB, false},
		{"a large site", 400 * MiB, 600 * MiB, true},
		{"the heap shrinks", 100 * MiB, 600 * MiB, false},
		{"larger still", 1000 * MiB, 1500 * MiB, true},
	} {
		got, changed := b.next(c.live)
		if got != c.want || changed != c.changed {
			t.Errorf("%s (live %d MiB): limit %d MiB, changed %v; want %d MiB, %v", c.name, c.live/MiB, got/MiB, changed, c.want/MiB, c.changed)
		}
	}
}

// gcPercent reads the collector's GOGC setting.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestStartSetsAndRemovesTheLimit: Start sets the floor and turns the
// percentage collector off, and its stop puts both back; GOMEMLIMIT and
// GOGC win.
func TestStartSetsAndRemovesTheLimit(t *testing.T) {
	t.Setenv("GOGC", "") // as in a plain run
	before, pct := debug.SetMemoryLimit(-1), gcPercent()
	stop := Start()
	if got := debug.SetMemoryLimit(-1); got < Floor {
		t.Errorf("limit while started: %d, want at least %d", got, Floor)
	}
	if got := gcPercent(); got != -1 {
		t.Errorf("GOGC while started: %d, want off (-1)", got)
	}
	stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit after stop: %d, want %d", got, before)
	}
	if got := gcPercent(); got != pct {
		t.Errorf("GOGC after stop: %d, want %d", got, pct)
	}
	t.Setenv("GOGC", "200")
	stop = Start()
	if got := gcPercent(); got != pct {
		t.Errorf("with GOGC set, Start changed GOGC to %d", got)
	}
	stop()
	t.Setenv("GOGC", "")
	stop = StartAt(IndexFloor)
	if got := debug.SetMemoryLimit(-1); got != IndexFloor {
		t.Errorf("limit from the index floor: %d, want %d", got, IndexFloor)
	}
	stop()
	t.Setenv("GOMEMLIMIT", "1GiB")
	stop = Start()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("with GOMEMLIMIT set, Start changed the limit to %d", got)
	}
	stop()
}
