package static

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/banmian/banmian/internal/search"
)

// Builder keeps the static index of a site's search folder current, build
// after build of the site. An index is rewritten only when its fingerprint
// (Job.Fingerprint, kept in the index folder) changes, and then only what
// changed is written (UpdateLazy). A full build, which writes a fresh
// site folder, starts from the live index by hard links, so that it too
// writes only the changed stories; unchanged, the live index is the
// whole of it.
//
// A background Builder (NewBackground, for banmian serve) rebuilds the
// index after an incremental build in the background instead: one rebuild
// at a time, under the gate (SetGate) when there is one, the latest job
// winning. Rebuilding the index of a large archive takes seconds, and a
// publish must not wait for it. A full build still writes its index at
// once, since its folder is swapped in after it.
//
// A Builder is safe for concurrent use. Close stops a background Builder
// and waits for its worker.
type Builder struct {
	live   string          // the live index folder
	ctx    context.Context // background mode when set; ends with Close
	cancel context.CancelFunc
	logf   func(error)

	mu      sync.Mutex
	pending *pendingJob
	running bool
	closed  bool
	idle    chan struct{} // closed when a background run ends
	gate    func(func() error) error
	wg      sync.WaitGroup
}

// Job is what one build of a site gives its static index.
type Job struct {
	// Full is set when the build writes a fresh site folder.
	Full bool
	// Changed is set when stories changed since the previous build. An
	// index whose fingerprint is current is left alone when no story
	// changed; a missing or stale one is written all the same.
	Changed bool
	// Fingerprint identifies everything the index and its page are made
	// from (the stories, the site, Options): the index is rewritten when
	// it changes.
	Fingerprint string
	Options     Options
	// Docs returns the search docs of the build, and the filler of their
	// bodies (nil when they are complete); it is called only when the
	// index is written, so a build that writes nothing renders nothing.
	Docs func() ([]search.Doc, search.Filler)
}

type pendingJob struct {
	target string
	job    Job
}

// fingerprintFile is the file in the index folder that records the
// fingerprint of the job it was written from.
const fingerprintFile = ".stories"

// NewBuilder returns a Builder that writes each build's index at once.
// live is the live index folder (the search folder of the site in place),
// from which full builds start; "" for none.
func NewBuilder(live string) *Builder { return &Builder{live: live} }

// NewBackground returns a Builder that writes the index of incremental
// builds in the background, until ctx ends or Close; logf, when not nil,
// is told of the failures of background rebuilds.
func NewBackground(ctx context.Context, live string, logf func(error)) *Builder {
	ctx, cancel := context.WithCancel(ctx)
	return &Builder{live: live, ctx: ctx, cancel: cancel, logf: logf}
}

// Emit brings the index in target, the search folder of a build's site
// folder, up to date with job. A background Builder only queues the work
// of an incremental build. Errors are those of writing the index (none
// for queued work: a background rebuild's go to logf).
func (b *Builder) Emit(ctx context.Context, target string, job Job) error {
	if !job.Full && !job.Changed {
		// Unchanged stories: nothing to do, unless the index in place is
		// missing or of other stories (a folder put back by hand).
		if cur, err := os.ReadFile(filepath.Join(target, fingerprintFile)); err == nil && string(cur) == job.Fingerprint {
			return nil
		}
	}
	// A full build's folder is swapped in after the emitters, so its index
	// is written now, even in background mode.
	if b.ctx != nil && !job.Full {
		b.schedule(target, job)
		return nil
	}
	if job.Full && b.live != "" {
		if old, err := os.ReadFile(filepath.Join(b.live, fingerprintFile)); err == nil {
			// Start from the live index (hard links: every later write
			// goes through a new file), so that only what changed is
			// written; unchanged, it is the whole index.
			if err := linkTree(b.live, target); err != nil {
				os.RemoveAll(target)
			} else if string(old) == job.Fingerprint {
				return nil
			} else if err := os.Remove(filepath.Join(target, fingerprintFile)); err != nil {
				return fmt.Errorf("static search index: %w", err)
			}
		}
	}
	return write(ctx, target, job)
}

// write brings the index in target up to date with job: only what changed
// is written when target holds one.
func write(ctx context.Context, target string, job Job) error {
	docs, fill := job.Docs()
	if _, err := UpdateLazy(ctx, target, docs, fill, job.Options); err != nil {
		return fmt.Errorf("static search index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(target, fingerprintFile), []byte(job.Fingerprint), 0o644); err != nil {
		return fmt.Errorf("static search index: %w", err)
	}
	return nil
}

// schedule queues a background rebuild into target (the live index).
func (b *Builder) schedule(target string, job Job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.pending = &pendingJob{target, job}
	if b.running {
		return
	}
	b.running = true
	b.idle = make(chan struct{})
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			// The next job is taken, and written, while the gate is held
			// (no publish runs): a publish that fails or is killed after
			// its build leaves the live index as it was.
			err := b.exclusive(func() error {
				b.mu.Lock()
				p := b.pending
				b.pending = nil
				if p == nil || b.ctx.Err() != nil {
					b.running = false
					close(b.idle)
					b.mu.Unlock()
					return errStopWorker
				}
				b.mu.Unlock()
				return write(b.ctx, p.target, p.job)
			})
			if errors.Is(err, errStopWorker) {
				return
			}
			if err != nil && b.ctx.Err() == nil && b.logf != nil {
				b.logf(err)
			}
		}
	}()
}

// errStopWorker ends the background worker: nothing is pending.
var errStopWorker = errors.New("no static index work pending")

// SetGate makes background rebuilds run under gate (banmian serve: the
// server's Exclusive, so that none writes while a publish runs) from now
// on.
func (b *Builder) SetGate(gate func(func() error) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gate = gate
}

// exclusive runs fn under the gate, or at once when there is none yet.
func (b *Builder) exclusive(fn func() error) error {
	b.mu.Lock()
	gate := b.gate
	b.mu.Unlock()
	if gate == nil {
		return fn()
	}
	return gate(fn)
}

// Wait returns when no background rebuild is running. It must not run
// while rebuilds are being scheduled (use Settle).
func (b *Builder) Wait() { b.wg.Wait() }

// Settle returns when no background rebuild is running or queued, so
// that a deploy after a publish sends the finished index, or with ctx's
// error when ctx ends first. Unlike Wait, it may run while new rebuilds
// are being scheduled.
func (b *Builder) Settle(ctx context.Context) error {
	b.mu.Lock()
	if !b.running {
		b.mu.Unlock()
		return nil
	}
	idle := b.idle
	b.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops a background Builder: the rebuild under way is cancelled
// (leaving the live index as it was, or written), queued ones are
// dropped, and Close returns once the worker has ended. Later jobs of an
// incremental build are dropped too. It returns nil.
func (b *Builder) Close() error {
	b.mu.Lock()
	b.closed = true
	if b.cancel != nil {
		b.cancel()
	}
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}

// linkTree recreates the files of src under dst as hard links.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if !d.Type().IsRegular() {
			return errors.New("not a regular file: " + p)
		}
		return os.Link(p, to)
	})
}
