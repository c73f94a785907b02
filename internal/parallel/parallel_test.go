package parallel

import (
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
)

func TestFor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ n, workers int }{{0, 4}, {1, 4}, {7, 1}, {1000, 0}, {1000, 3}, {5, 100}} {
		seen := make([]int32, tt.n)
		For(tt.n, tt.workers, func(i int) { atomic.AddInt32(&seen[i], 1) })
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d workers=%d: index %d ran %d times", tt.n, tt.workers, i, c)
			}
		}
	}
}

func TestChunks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ n, workers, chunks int }{{0, 4, 1}, {3, 8, 3}, {1000, 3, 3}, {10, 0, min(Workers(), 10)}} {
		seen := make([]int32, tt.n)
		var calls atomic.Int32
		got := Chunks(tt.n, tt.workers, func(w, lo, hi int) {
			calls.Add(1)
			if lo > hi || w < 0 {
				t.Errorf("chunk %d: [%d, %d)", w, lo, hi)
			}
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		if got != tt.chunks || int(calls.Load()) != tt.chunks {
			t.Errorf("n=%d workers=%d: %d chunks (%d calls), want %d", tt.n, tt.workers, got, calls.Load(), tt.chunks)
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d covered %d times", tt.n, i, c)
			}
		}
	}
}

// TestChunksErr checks that a failing chunk's error comes back and that
// the other chunks are told to stop: the second waits for stop, so the
// test would hang without it.
func TestChunksErr(t *testing.T) {
	t.Parallel()
	errFirst := errors.New("第一块失败")
	k, err := ChunksErr(10, 2, func(w, lo, hi int, stop func() bool) error {
		if w == 0 {
			return errFirst
		}
		for !stop() {
			runtime.Gosched()
		}
		return nil
	})
	if k != 2 || !errors.Is(err, errFirst) {
		t.Errorf("ChunksErr = %d, %v; want 2 chunks and the first's error", k, err)
	}
	k, err = ChunksErr(10, 3, func(w, lo, hi int, stop func() bool) error { return nil })
	if k != 3 || err != nil {
		t.Errorf("ChunksErr with no failure = %d, %v", k, err)
	}
}
