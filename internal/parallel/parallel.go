// Package parallel runs the iterations of a loop on several goroutines.
// It imports only the standard library, so every package, the domain
// package included, may use it.
package parallel

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is the number of goroutines For uses: one a CPU the Go runtime
// may use at once.
func Workers() int { return runtime.GOMAXPROCS(0) }

// For calls f(i) for every i in [0, n) on up to workers goroutines (one
// a CPU when workers ≤ 0), handing out indexes one at a time so uneven
// work balances, and returns when all calls have returned. f must be safe
// to call concurrently; results go into a slice indexed by i.
func For(n, workers int, f func(i int)) {
	if workers <= 0 {
		workers = Workers()
	}
	workers = min(workers, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// Chunks splits [0, n) into one contiguous range a worker (one a CPU
// when workers ≤ 0, never more than n) and calls f(w, lo, hi) for each on
// its own goroutine: for work that keeps per-worker state, such as a map
// merged afterwards in order. It returns the number of chunks.
func Chunks(n, workers int, f func(w, lo, hi int)) int {
	workers = chunkCount(n, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(w, n*w/workers, n*(w+1)/workers)
		}()
	}
	wg.Wait()
	return workers
}

// chunkCount is the number of chunks Chunks makes of n for workers.
func chunkCount(n, workers int) int {
	if workers <= 0 {
		workers = Workers()
	}
	return max(min(workers, n), 1)
}

// ChunksErr is Chunks for work that can fail. Once any chunk's f has
// returned an error, stop reports true, so that the others can give up at
// their next step rather than run to the end of their range. It returns
// the number of chunks and their errors, joined in chunk order.
func ChunksErr(n, workers int, f func(w, lo, hi int, stop func() bool) error) (int, error) {
	errs := make([]error, chunkCount(n, workers))
	var failed atomic.Bool
	k := Chunks(n, workers, func(w, lo, hi int) {
		if errs[w] = f(w, lo, hi, failed.Load); errs[w] != nil {
			failed.Store(true)
		}
	})
	return k, errors.Join(errs...)
}
