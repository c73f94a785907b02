package deploy

import (
	"context"
	"sync"
	"time"
)

// State is where an automatic deploy stands.
type State int

const (
	StateIdle    State = iota // nothing deployed since the server started
	StateRunning              // 部署中
	StateDone                 // 已部署
	StateFailed               // 失败
)

// Status is the state of automatic deploys, for the desk.
type Status struct {
	State  State
	Target string
	// At is when the last deploy finished (or, running, started).
	At time.Time
	// Reason says in Chinese why the last deploy failed.
	Reason string
	Stats  Stats
}

// Auto deploys in the background when asked, one deploy at a time: a
// request while one runs starts one more when it ends, so the last
// publish is always deployed, and any number of requests meanwhile cost a
// single deploy. A failure is kept as the status until the next deploy;
// it never reaches the caller of Trigger. Safe for concurrent use.
type Auto struct {
	run    func(ctx context.Context) (Stats, error)
	target string
	now    func() time.Time
	onDone func(Status, error)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	status  Status
	running bool
	pending bool
	cond    *sync.Cond
}

// NewAuto returns an Auto that deploys with run to the target named
// target. onDone, when set, is called after each deploy (to log it).
func NewAuto(target string, run func(ctx context.Context) (Stats, error), onDone func(Status, error)) *Auto {
	a := &Auto{run: run, target: target, now: time.Now, onDone: onDone}
	a.cond = sync.NewCond(&a.mu)
	a.status.Target = target
	a.ctx, a.cancel = context.WithCancel(context.Background())
	return a
}

// Trigger asks for a deploy and returns at once.
func (a *Auto) Trigger() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx.Err() != nil {
		return
	}
	if a.running {
		a.pending = true
		return
	}
	a.running = true
	a.status.State, a.status.At, a.status.Reason = StateRunning, a.now(), ""
	a.wg.Add(1)
	go a.loop()
}

func (a *Auto) loop() {
	defer a.wg.Done()
	for {
		st, err := a.run(a.ctx)
		a.mu.Lock()
		a.status.At = a.now()
		a.status.Stats = st
		if err != nil {
			a.status.State, a.status.Reason = StateFailed, Reason(err)
		} else {
			a.status.State, a.status.Reason = StateDone, ""
		}
		done := a.status
		again := a.pending && a.ctx.Err() == nil
		a.pending = false
		if again {
			a.status.State = StateRunning
		} else {
			a.running = false
		}
		a.cond.Broadcast()
		a.mu.Unlock()
		if a.onDone != nil {
			a.onDone(done, err)
		}
		if !again {
			return
		}
	}
}

// Status returns the state of the last or running deploy.
func (a *Auto) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status
}

// Wait blocks until no deploy runs or is pending (for tests and shutdown).
func (a *Auto) Wait() {
	a.mu.Lock()
	for a.running {
		a.cond.Wait()
	}
	a.mu.Unlock()
}

// Close cancels a running deploy and waits for it to stop.
func (a *Auto) Close() {
	a.mu.Lock()
	a.cancel()
	a.mu.Unlock()
	a.wg.Wait()
}
