package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
)

// Index is the server-side search index, stored in a directory.
type Index struct {
	dir string
	mu  sync.Mutex // serialises writers; bleve handles concurrent readers
	ix  bleve.Index
	// Rebuilt is set when Open found an unreadable index or one built by
	// another version, and started afresh.
	Rebuilt bool
	man     manifest
	tables  tableCache
	// afterBatch, when set (by tests), runs after each batch of Sync.
	afterBatch func()
}

// manifest records what the index holds. It is written in the same batch
// as the documents it describes, so it never disagrees with them.
type manifest struct {
	Version string `json:"version"`
	// Complete is false while a Sync is under way: an index found
	// incomplete is completed by the next Sync.
	Complete bool              `json:"complete"`
	Hashes   map[string]uint64 `json:"hashes"`
}

const manifestKey = "banmian-manifest"

// batchSize is the number of stories indexed per bleve batch.
const batchSize = 500

// ErrLocked is returned by Open when another process holds the index.
var ErrLocked = errors.New("index is in use by another process")

// Open opens the index in dir, creating it if missing. An index that
// cannot be read, or was built by another version of banmian, is removed
// and created empty (Rebuilt is set); the next Sync fills it.
func Open(dir string) (*Index, error) {
	x := &Index{dir: dir}
	cfg := map[string]interface{}{"bolt_timeout": "2s"}
	ix, err := bleve.OpenUsing(dir, cfg)
	switch {
	case err == nil:
		x.ix = ix
		if err := x.loadManifest(); err != nil || x.man.Version != analysisVersion {
			_ = ix.Close()
			if err := x.recreate(cfg); err != nil {
				return nil, err
			}
		}
	case strings.Contains(err.Error(), "timeout"):
		return nil, fmt.Errorf("opening search index %s: %w", dir, ErrLocked)
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return nil, fmt.Errorf("creating search index: %w", err)
		}
		ix, err := bleve.NewUsing(dir, newMapping(), "scorch", "scorch", cfg)
		if err != nil {
			return nil, fmt.Errorf("creating search index %s: %w", dir, err)
		}
		x.ix = ix
		x.man = manifest{Version: analysisVersion, Hashes: map[string]uint64{}}
	default:
		if err := x.recreate(cfg); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// looksLikeIndex reports whether dir is empty or holds a bleve index, so
// that recreate never deletes a folder given by mistake.
func looksLikeIndex(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return true
	}
	for _, e := range entries {
		if e.Name() == "index_meta.json" || e.Name() == "store" {
			return true
		}
	}
	return false
}

func (x *Index) recreate(cfg map[string]interface{}) error {
	if !looksLikeIndex(x.dir) {
		return fmt.Errorf("%s is not a search index; refusing to replace it (choose another -index folder)", x.dir)
	}
	x.Rebuilt = true
	if err := os.RemoveAll(x.dir); err != nil {
		return fmt.Errorf("removing unreadable search index %s: %w", x.dir, err)
	}
	ix, err := bleve.NewUsing(x.dir, newMapping(), "scorch", "scorch", cfg)
	if err != nil {
		return fmt.Errorf("creating search index %s: %w", x.dir, err)
	}
	x.ix = ix
	x.man = manifest{Version: analysisVersion, Hashes: map[string]uint64{}}
	return nil
}

func (x *Index) loadManifest() error {
	b, err := x.ix.GetInternal([]byte(manifestKey))
	if err != nil {
		return fmt.Errorf("reading search index manifest: %w", err)
	}
	if b == nil {
		return errors.New("search index has no manifest")
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("reading search index manifest: %w", err)
	}
	if m.Hashes == nil {
		m.Hashes = map[string]uint64{}
	}
	x.man = m
	return nil
}

// Close closes the index.
func (x *Index) Close() error {
	if err := x.ix.Close(); err != nil {
		return fmt.Errorf("closing search index: %w", err)
	}
	return nil
}

// Len returns the number of stories indexed.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.man.Hashes)
}

// Complete reports whether the last Sync finished.
func (x *Index) Complete() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.man.Complete
}

// SyncStats counts what a Sync did.
type SyncStats struct {
	Added, Updated, Removed, Unchanged int
}

// Sync makes the index hold exactly docs: stories whose hash changed are
// re-indexed, missing ones removed, unchanged ones left alone. Duplicate
// slugs are an error. Sync is crash-safe: every batch records its stories'
// hashes with them, so after a crash the next Sync redoes only what is
// missing. It stops early, leaving a consistent index, when ctx is done.
func (x *Index) Sync(ctx context.Context, docs []Doc) (SyncStats, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var st SyncStats
	want := make(map[string]bool, len(docs))
	var todo []Doc
	for _, d := range docs {
		if d.Slug == "" {
			return st, fmt.Errorf("story %q has no slug", d.Title)
		}
		if want[d.Slug] {
			return st, fmt.Errorf("two stories have the slug %q", d.Slug)
		}
		want[d.Slug] = true
		h := d.Hash()
		old, ok := x.man.Hashes[d.Slug]
		switch {
		case !ok:
			st.Added++
			todo = append(todo, d)
		case old != h:
			st.Updated++
			todo = append(todo, d)
		default:
			st.Unchanged++
		}
	}
	var gone []string
	for slug := range x.man.Hashes {
		if !want[slug] {
			gone = append(gone, slug)
		}
	}
	sort.Strings(gone)
	st.Removed = len(gone)
	if len(todo) == 0 && len(gone) == 0 && x.man.Complete {
		return st, nil
	}
	for start := 0; start < len(todo) || start == 0; start += batchSize {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		end := min(start+batchSize, len(todo))
		last := end == len(todo)
		var del []string
		if last {
			del = gone
		}
		if err := x.apply(todo[start:end], del, last); err != nil {
			return st, err
		}
		if x.afterBatch != nil {
			x.afterBatch()
		}
		if last {
			break
		}
	}
	return st, nil
}

// Put indexes or re-indexes one story.
func (x *Index) Put(d Doc) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.man.Hashes[d.Slug] == d.Hash() {
		return nil
	}
	return x.apply([]Doc{d}, nil, x.man.Complete)
}

// Delete removes one story; removing a missing story is not an error.
func (x *Index) Delete(slug string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.man.Hashes[slug]; !ok {
		return nil
	}
	return x.apply(nil, []string{slug}, x.man.Complete)
}

// apply writes one batch: docs, deletions and the updated manifest.
func (x *Index) apply(docs []Doc, del []string, complete bool) error {
	next := manifest{Version: analysisVersion, Complete: complete, Hashes: make(map[string]uint64, len(x.man.Hashes)+len(docs))}
	for k, v := range x.man.Hashes {
		next.Hashes[k] = v
	}
	b := x.ix.NewBatch()
	bds, err := bleveDocs(docs)
	if err != nil {
		return err
	}
	for i, d := range docs {
		if err := b.IndexAdvanced(bds[i]); err != nil {
			return fmt.Errorf("indexing story %s: %w", d.Slug, err)
		}
		next.Hashes[d.Slug] = d.Hash()
	}
	for _, slug := range del {
		b.Delete(slug)
		delete(next.Hashes, slug)
	}
	mb, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("encoding search index manifest: %w", err)
	}
	b.SetInternal([]byte(manifestKey), mb)
	if err := x.ix.Batch(b); err != nil {
		return fmt.Errorf("writing search index: %w", err)
	}
	x.man = next
	return nil
}

// bleveDocs builds the bleve documents of docs, on every CPU.
func bleveDocs(docs []Doc) ([]*document.Document, error) {
	out := make([]*document.Document, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(docs); i += workers {
				out[i], errs[i] = bleveDoc(docs[i].normalized())
			}
		}(w)
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
