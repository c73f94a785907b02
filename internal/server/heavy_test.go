package server

import (
	"context"
	"testing"
	"time"
)

// TestHeavyGate: one job at a time, and after a job of d the gate stays
// shut for d×(1/share−1), on a fake clock.
func TestHeavyGate(t *testing.T) {
	g := newHeavyGate(0.25)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	var wait time.Duration
	var open func()
	g.after = func(d time.Duration, f func()) { wait, open = d, f }
	done, cancel := context.WithCancel(context.Background())
	cancel()

	release, err := g.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.acquire(done); err == nil {
		t.Fatal("a second job got in while the first ran")
	}
	now = now.Add(40 * time.Millisecond)
	release()
	if wait != 120*time.Millisecond {
		t.Errorf("after a 40 ms job the gate shuts for %v, want 120 ms (a quarter of the time)", wait)
	}
	if _, err := g.acquire(done); err == nil {
		t.Fatal("a job got in during the cooldown")
	}
	open()
	release, err = g.acquire(done)
	if err != nil {
		t.Fatalf("the gate stayed shut after the cooldown: %v", err)
	}
	release() // took no time: open at once
	if _, err := g.acquire(done); err != nil {
		t.Fatalf("the gate stayed shut after a job that took no time: %v", err)
	}
}
