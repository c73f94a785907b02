package server

import (
	"context"
	"time"
)

// heavyShare is the share of one CPU that work on long bodies (heavyBody)
// may take over time: a quarter. One user sending long bodies without
// pause kept one CPU of two busy; through the gate the hostile stream of
// BenchmarkLoadWithHostileBodies falls from about 9 requests a second to
// 3. A real long story renders in tens of milliseconds, so its author
// waits for the cooldown only behind another long body.
const heavyShare = 0.25

// heavyGate admits one job on a long body at a time (a preview, or a
// submission's rendering for the index), and keeps such jobs to a share
// of one CPU: after a job that took d, the next may start d×(1/share−1)
// later. Time is wall time, which under load is longer than CPU time, so
// the busier the server the further apart long bodies are.
//
// A heavyGate is safe for concurrent use.
type heavyGate struct {
	slot  chan struct{}
	share float64
	// now and after are time.Now and time.AfterFunc; tests replace them.
	now   func() time.Time
	after func(time.Duration, func())
}

func newHeavyGate(share float64) *heavyGate {
	return &heavyGate{slot: make(chan struct{}, 1), share: share, now: time.Now,
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// acquire passes the gate if it is open, or else waits for it, or for ctx
// to be done (returning its error). The caller calls release once its job
// is done; the gate opens again after the job's cooldown.
func (g *heavyGate) acquire(ctx context.Context) (release func(), err error) {
	select {
	case g.slot <- struct{}{}:
	default:
		select {
		case g.slot <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	start := g.now()
	return func() {
		rest := time.Duration(float64(g.now().Sub(start)) * (1/g.share - 1))
		if rest <= 0 {
			<-g.slot
			return
		}
		g.after(rest, func() { <-g.slot })
	}, nil
}
