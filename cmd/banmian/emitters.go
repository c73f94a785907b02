package main

import (
	"context"
	"fmt"
	"hash/fnv"
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
	ss := &staticSearch{b: static.NewBuilder(filepath.Join(o.out, "search")), docs: docs}
	if docs == nil {
		return []site.Emitter{ss.emit}
	}
	return []site.Emitter{docs.capture, ss.emit}
}

// staticSearch is the site emitter of the static search index: it gives
// each build's stories, options and fingerprint to a static.Builder,
// which writes the index into <site>/search/ (in the background in
// banmian serve: static.NewBackground).
type staticSearch struct {
	b    *static.Builder
	docs *snapshotDocs // shares the search docs of a build (may be nil; never in background mode)
}

func (ss *staticSearch) emit(ctx context.Context, dir string, snap *site.Snapshot) error {
	job := static.Job{
		Full:        snap.Full,
		Changed:     snap.StoriesChanged,
		Fingerprint: staticSearchFP(snap),
		Options:     staticOptions(snap),
		Docs: func() ([]search.Doc, search.Filler) {
			sd := ss.docs
			if sd == nil {
				sd = &snapshotDocs{snap: snap}
			}
			return sd.get()
		},
	}
	return ss.b.Emit(ctx, filepath.Join(dir, "search"), job)
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
	var line []byte
	for _, s := range c.Stories {
		line = append(append(line[:0], s.Slug...), '|')
		line = append(strconv.AppendUint(line, s.Hash, 10), '|')
		h.Write(append(append(line, s.Edition...), '\n'))
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

// snapshotDocs keeps the snapshot of the last build (capture, an emitter
// that runs first) and its search docs, whose bodies are filled only when
// an index needs them (fill) and handed out, not kept: an index lets go of
// each as it goes. The static index takes the texts the build kept from
// its one render (Snapshot.TextsOf); banmian build's index sync, which
// asks again, gets them read back from the builder's unnamed spill file.
// Keeping them in memory for it instead held every text through the site
// build, whose peak on 10,000 stories then passed 300 MiB.
type snapshotDocs struct {
	mu   sync.Mutex
	snap *site.Snapshot
	docs []search.Doc // stubs of snap's stories, bodies filled on demand
	// filled counts the bodies filled for the snapshot, for tests.
	filled int
}

// capture is an emitter recording the snapshot of the build.
func (sd *snapshotDocs) capture(ctx context.Context, dir string, snap *site.Snapshot) error {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if sd.snap != snap {
		sd.snap, sd.docs, sd.filled = snap, nil, 0
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
	}
	return sd.docs, sd.fill
}

// fill sets the bodies of docs[i], i in which.
func (sd *snapshotDocs) fill(ctx context.Context, docs []search.Doc, which []int) error {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	texts, err := sd.snap.TextsOf(ctx, which)
	if err != nil {
		return err
	}
	for k, i := range which {
		docs[i].Body = texts[k]
	}
	sd.filled += len(which)
	return nil
}
