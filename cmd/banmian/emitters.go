package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/static"
	"github.com/banmian/banmian/internal/site"
)

// siteEmitters are the extra outputs of a site build: the static search
// index under /search/, written as part of each build. docs, when not
// nil, keeps the search docs of the build for later use.
func siteEmitters(o *siteOptions, docs *snapshotDocs) []site.Emitter {
	ss := &staticSearch{liveOut: o.out, docs: docs}
	if docs == nil {
		return []site.Emitter{ss.emit}
	}
	return []site.Emitter{docs.capture, ss.emit}
}

// staticSearchFingerprint is the file in the static index folder that
// records which stories it was made from.
const staticSearchFingerprint = ".stories"

// staticSearch writes the sharded static search index and its page into
// <site>/search/. It is rebuilt only when stories changed; a full build of
// unchanged stories reuses the previous index by hard links.
//
// With ctx set (banmian serve), rebuilds after incremental builds run in
// the background, one at a time, the latest snapshot winning: rebuilding
// the static index of a large archive takes seconds, and publishing must
// not wait for it. The server answers /search itself, so only a copy of
// the site put on a static host sees the static index, a moment later.
type staticSearch struct {
	liveOut string
	ctx     context.Context // background mode when set
	logf    func(err error)
	docs    *snapshotDocs // shares the search docs of a build (may be nil)

	mu      sync.Mutex
	pending *site.Snapshot
	running bool
	idle    chan struct{} // closed when a background run ends
	gate    func(func() error) error
	wg      sync.WaitGroup
}

func (ss *staticSearch) emit(ctx context.Context, dir string, snap *site.Snapshot) error {
	target := filepath.Join(dir, "search")
	fp := staticSearchFP(snap)
	if !snap.Full && !snap.StoriesChanged {
		// Unchanged stories: nothing to do, unless the index in place is
		// missing or of other stories (a folder put back by hand).
		if cur, err := os.ReadFile(filepath.Join(target, staticSearchFingerprint)); err == nil && string(cur) == fp {
			return nil
		}
	}
	// A full build's folder is swapped in after the emitters, so its index
	// is written now, even in background mode.
	if ss.ctx != nil && !snap.Full {
		ss.schedule(target, snap)
		return nil
	}
	if snap.Full {
		prev := filepath.Join(ss.liveOut, "search")
		if old, err := os.ReadFile(filepath.Join(prev, staticSearchFingerprint)); err == nil {
			// Start from the live index (hard links: every later write
			// goes through a new file), so that only what changed is
			// written; unchanged, it is the whole index.
			if err := linkTree(prev, target); err != nil {
				os.RemoveAll(target)
			} else if string(old) == fp {
				return nil
			} else if err := os.Remove(filepath.Join(target, staticSearchFingerprint)); err != nil {
				return fmt.Errorf("static search index: %w", err)
			}
		}
	}
	sd := ss.docs
	if sd == nil {
		sd = &snapshotDocs{snap: snap}
	}
	docs, fill := sd.get()
	return writeStaticSearch(ctx, target, fp, snap, docs, fill)
}

// schedule queues a background rebuild into target (the live site).
func (ss *staticSearch) schedule(target string, snap *site.Snapshot) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.pending = snap
	if ss.running {
		return
	}
	ss.running = true
	ss.idle = make(chan struct{})
	ss.wg.Add(1)
	go func() {
		defer ss.wg.Done()
		for {
			// The next snapshot is taken, and written, while no publish
			// runs: a publish that fails or is killed after its build
			// leaves the live index as it was.
			err := ss.exclusive(func() error {
				ss.mu.Lock()
				snap := ss.pending
				ss.pending = nil
				if snap == nil || ss.ctx.Err() != nil {
					ss.running = false
					close(ss.idle)
					ss.mu.Unlock()
					return errStopWorker
				}
				ss.mu.Unlock()
				docs, fill := (&snapshotDocs{snap: snap}).get()
				return writeStaticSearch(ss.ctx, target, staticSearchFP(snap), snap, docs, fill)
			})
			if errors.Is(err, errStopWorker) {
				return
			}
			if err != nil && ss.ctx.Err() == nil && ss.logf != nil {
				ss.logf(err)
			}
		}
	}()
}

// errStopWorker ends the background worker: nothing is pending.
var errStopWorker = errors.New("no static index work pending")

// setGate makes the background worker run under gate (the server's
// Exclusive) from now on.
func (ss *staticSearch) setGate(gate func(func() error) error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.gate = gate
}

// exclusive runs fn under the gate, or at once when there is none yet.
func (ss *staticSearch) exclusive(fn func() error) error {
	ss.mu.Lock()
	gate := ss.gate
	ss.mu.Unlock()
	if gate == nil {
		return fn()
	}
	return gate(fn)
}

// wait returns when no background rebuild is running.
func (ss *staticSearch) wait() { ss.wg.Wait() }

// settle returns when no background rebuild is running or queued (or ctx
// ends), so a deploy after a publish sends the finished index. Unlike
// wait, it may run while new rebuilds are being scheduled.
func (ss *staticSearch) settle(ctx context.Context) error {
	ss.mu.Lock()
	if !ss.running {
		ss.mu.Unlock()
		return nil
	}
	idle := ss.idle
	ss.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// staticOptions are the static index options of the site of snap.
func staticOptions(snap *site.Snapshot) static.Options {
	c := snap.Content
	root := content.SiteRoot(c.Site.BaseURL)
	return static.Options{Title: c.Site.Title, Home: root, Stylesheet: root + "assets/site.css", Header: snap.Header, Footer: snap.Footer}
}

// staticSearchFP fingerprints what the static index and its page are made
// from: the stories, the site, the page and the script.
func staticSearchFP(snap *site.Snapshot) string {
	c := snap.Content
	h := fnv.New64a()
	page, err := static.Fingerprint(staticOptions(snap))
	if err != nil {
		page = "?" // never equal to a written fingerprint's: rebuild
	}
	fmt.Fprintf(h, "%s|%v|%s\n", c.Site.BaseURL, c.Site.TypesetOn(), page)
	for _, s := range c.Stories {
		fmt.Fprintf(h, "%s|%d|%s\n", s.Slug, s.Hash, s.Edition)
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

// snapshotDocs keeps the snapshot of the last build (capture, an emitter
// that runs first) and its search docs, whose bodies are rendered only
// when an index needs them (fill), at most once: the static index and
// banmian build's index sync share them.
type snapshotDocs struct {
	mu     sync.Mutex
	snap   *site.Snapshot
	docs   []search.Doc // stubs of snap's stories, bodies filled on demand
	filled []bool
}

// capture is an emitter recording the snapshot of the build.
func (sd *snapshotDocs) capture(ctx context.Context, dir string, snap *site.Snapshot) error {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if sd.snap != snap {
		sd.snap, sd.docs, sd.filled = snap, nil, nil
	}
	return nil
}

// get returns the search docs of the captured snapshot, bodies not yet
// filled, and the filler of their bodies.
func (sd *snapshotDocs) get() ([]search.Doc, search.Filler) {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if sd.docs == nil {
		sd.docs = search.Stubs(sd.snap.Content)
		sd.filled = make([]bool, len(sd.docs))
	}
	return sd.docs, sd.fill
}

// fill renders the bodies of docs[i], i in which, that are not filled yet.
func (sd *snapshotDocs) fill(ctx context.Context, docs []search.Doc, which []int) error {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	var todo []int
	for _, i := range which {
		if !sd.filled[i] {
			todo = append(todo, i)
		}
	}
	texts, err := sd.snap.TextsOf(ctx, todo)
	if err != nil {
		return err
	}
	for k, i := range todo {
		sd.docs[i].Body = texts[k]
		sd.filled[i] = true
	}
	for _, i := range which {
		docs[i].Body = sd.docs[i].Body // docs may be a copy
	}
	return nil
}

// writeStaticSearch brings the static index in target up to date with
// snap's stories: only what changed is written when target holds one.
// fill, when not nil, fills the bodies of docs on demand.
func writeStaticSearch(ctx context.Context, target, fp string, snap *site.Snapshot, docs []search.Doc, fill search.Filler) error {
	if _, err := static.UpdateLazy(ctx, target, docs, fill, staticOptions(snap)); err != nil {
		return fmt.Errorf("static search index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(target, staticSearchFingerprint), []byte(fp), 0o644); err != nil {
		return fmt.Errorf("static search index: %w", err)
	}
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
