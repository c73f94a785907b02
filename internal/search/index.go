package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	zapx "github.com/blevesearch/zapx/v17"
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
	// Progress, when set before Sync, is called after each batch written
	// with the stories indexed so far and the stories to index.
	Progress func(done, total int)
	lock     *os.File // held while open (lockIndex)
	lazy     bool     // Options.Lazy
}

// Options configure OpenWith.
type Options struct {
	// Lazy makes a write return as soon as searches see it, before it
	// reaches the disk, which it does moments later (Close waits for
	// it). A crash can then lose the latest writes, each one whole: the
	// index on disk holds some earlier write's stories with their hashes,
	// so the next Sync re-indexes what was lost. For an index that is
	// synced from another record at each start and whose writes are
	// waited for, as the desk's submission index is. Without Lazy, a
	// write returns once it is on disk.
	Lazy bool
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

// batchSize is the number of stories indexed per bleve batch. Each batch
// becomes a segment built on one CPU, two at once (writers). An analysed
// story holds its term frequencies (about 130 KB for 2,000 characters,
// BenchmarkBleveDoc) until its batch is written, and zap's working state
// for a segment grows with the distinct terms of the batch (about 60 MB
// for 100 stories of real vocabulary), so batches stay small. On 10,000
// generated stories with the vocabulary of real text (about 5.6 million
// distinct grams), banmian index peaked at 788-841 MiB with 200 stories a
// batch and 486-520 with 100 (when its content still held every story's
// source); now 417-440 with 100 and 314-355 (median 314) with 50, in 1.03
// (0.76-1.03) times the wall time and 1.02 times the CPU time
// (farm-bench, three pairs, /dev/shm). Building one segment of 100 at a
// time, the next batch analysed meanwhile, peaked as low (306-312 MiB)
// but took 1.17-1.34 times the wall time of two at once.
const batchSize = 50

// indexConfig is the scorch configuration. Segments of one batch or more
// are left alone by the merger until there are more than ten of a size
// (the default floor, 2000 stories, would merge every batch into the next
// over and over during a full Sync). A Lazy index has a lower floor
// (lazyFloor).
func indexConfig(opt Options) map[string]interface{} {
	floor := batchSize - batchSize/6
	if opt.Lazy {
		floor = lazyFloor
	}
	return map[string]interface{}{
		"bolt_timeout": "2s",
		"unsafe_batch": opt.Lazy,
		"scorchMergePlanOptions": map[string]interface{}{
			"FloorSegmentSize": floor,
		},
	}
}

// lazyFloor is the merge floor of a Lazy index (the desk's submission
// index), which is written a few submissions at a time. Under the floor
// the merger treats every segment as the same size, so with the batch
// floor it merged the one growing small segment with each new handful,
// over and over until it reached 167 stories: most stories were merged
// again about eight times, and a story with tens of thousands of distinct
// grams (a hostile body near the cap) rebuilt that big dictionary in each
// merge. With a floor of 10 small segments grow in tiers of ten, and a
// story is merged again about once per tier. Under
// BenchmarkLoadWithHostileBodies/paced the merger's CPU fell from about
// 0.9 s to 0.25 s in 4 s, and the p99 from about 60 to 40 ms; a search
// reads a few more segments (tiers of 10, 100, 1000 stories).
const lazyFloor = 10

// indexVersion changes with Version or the layout of the server
// index (fields, stored form); an index of another version is rebuilt.
const indexVersion = Version + "/index-2"

// noSegmentEstimate turns off zap's guess at the size of a new segment:
// the bytes per story of the last segment built (by any index in the
// process) times the stories of the new one plus 100, allocated and
// zeroed up front. After a segment holding one story near the 200 KB body
// cap, every small batch that followed allocated that story's whole
// segment size over a hundred times, and zeroing it took a fifth of the
// server's CPU under BenchmarkLoadWithHostileBodies (zapx newWithChunkMode,
// bytes.Buffer.Grow). Without the guess the buffer grows as the segment is
// written. It is set once, before the first index opens, so no segment is
// being built while it changes.
var noSegmentEstimate sync.Once

// ErrLocked is returned by Open when another process holds the index.
var ErrLocked = errors.New("index is in use by another process")

// Open opens the index in dir, creating it if missing. An index that
// cannot be read, or was built by another version of banmian, is removed
// and created empty (Rebuilt is set); the next Sync fills it.
func Open(dir string) (x *Index, err error) { return OpenWith(dir, Options{}) }

// OpenWith is Open with options.
func OpenWith(dir string, opt Options) (x *Index, err error) {
	noSegmentEstimate.Do(func() { zapx.NewSegmentBufferAvgBytesPerDocFactor = 0 })
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("creating search index: %w", err)
	}
	lock, err := lockIndex(dir + ".lock")
	if err != nil {
		return nil, fmt.Errorf("opening search index %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	x = &Index{dir: dir, lock: lock, lazy: opt.Lazy}
	cfg := indexConfig(opt)
	ix, err := bleve.OpenUsing(dir, cfg)
	switch {
	case err == nil:
		x.ix = ix
		if err := x.loadManifest(); err != nil || x.man.Version != indexVersion {
			_ = ix.Close()
			if err := x.recreate(cfg); err != nil {
				return nil, err
			}
		}
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		ix, err := bleve.NewUsing(dir, newMapping(), "scorch", "scorch", cfg)
		if err != nil {
			return nil, fmt.Errorf("creating search index %s: %w", dir, err)
		}
		x.ix = ix
		x.man = manifest{Version: indexVersion, Hashes: map[string]uint64{}}
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
	x.man = manifest{Version: indexVersion, Hashes: map[string]uint64{}}
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
	m, err := decodeManifest(b)
	if err != nil {
		return fmt.Errorf("reading search index manifest: %w", err)
	}
	if m.Hashes == nil {
		m.Hashes = map[string]uint64{}
	}
	x.man = m
	return nil
}

// Close closes the index and releases its lock. A Lazy index's writes
// reach the disk first.
func (x *Index) Close() error {
	var ferr error
	if x.lazy {
		ferr = x.flush()
	}
	err := x.ix.Close()
	x.lock.Close()
	if err = errors.Join(ferr, err); err != nil {
		return fmt.Errorf("closing search index: %w", err)
	}
	return nil
}

// flushTimeout bounds how long Close waits for a Lazy index's writes to
// reach the disk.
const flushTimeout = 30 * time.Second

// flush writes the manifest once more and returns when that write, and so
// every write before it, is on disk.
func (x *Index) flush() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	b := x.ix.NewBatch()
	b.SetInternal([]byte(manifestKey), x.man.encode())
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) {
		select {
		case persisted <- err:
		default:
		}
	})
	if err := x.ix.Batch(b); err != nil {
		return fmt.Errorf("writing search index: %w", err)
	}
	select {
	case err := <-persisted:
		if err != nil {
			return fmt.Errorf("writing search index to disk: %w", err)
		}
		return nil
	case <-time.After(flushTimeout):
		return fmt.Errorf("writing search index to disk: not done after %v", flushTimeout)
	}
}

// Len returns the number of stories known to be indexed.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	for _, h := range x.man.Hashes {
		if h != 0 {
			n++
		}
	}
	return n
}

// Complete reports whether the last Sync finished.
func (x *Index) Complete() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.man.Complete
}

// Indexed reports whether the index holds the story slug at hash h
// (Doc.Hash), so that Sync or Update would leave it alone.
func (x *Index) Indexed(slug string, h uint64) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	old, ok := x.man.Hashes[slug]
	return ok && old == h && h != 0
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
	return x.SyncLazy(ctx, docs, nil)
}

// SyncLazy is Sync for docs that fill fills on demand (see Filler): only
// the docs added or changed are filled, a batch at a time just before the
// batch is analysed, and each filled Body is emptied again once its batch
// is written, so that a full sync holds the texts of the batches in
// flight, not of every story. With a nil fill it is Sync, and docs are
// left as they are.
func (x *Index) SyncLazy(ctx context.Context, docs []Doc, fill Filler) (SyncStats, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var st SyncStats
	want := make(map[string]bool, len(docs))
	var which []int
	var hashes []uint64
	for i, d := range docs {
		if d.ID == "" {
			return st, fmt.Errorf("document %q has no ID", d.Title)
		}
		if want[d.ID] {
			return st, fmt.Errorf("two documents have the ID %q", d.ID)
		}
		want[d.ID] = true
		h := d.Hash()
		old, ok := x.man.Hashes[d.ID]
		switch {
		case !ok:
			st.Added++
			which, hashes = append(which, i), append(hashes, h)
		case old != h:
			st.Updated++
			which, hashes = append(which, i), append(hashes, h)
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
	if len(which) == 0 && len(gone) == 0 && x.man.Complete {
		return st, nil
	}
	if err := x.write(ctx, docs, which, hashes, fill); err != nil {
		return st, err
	}
	// The last batch removes what is gone and marks the index complete.
	if err := x.apply(nil, gone, true); err != nil {
		return st, err
	}
	return st, nil
}

// writers is the number of batches built at once: bleve builds a batch's
// segment on one CPU. Writing one batch at a time, the next prepared
// meanwhile, saved memory (267 MiB instead of 287 at the peak of a full
// index of 10,000 stories) and 2 to 5% of the CPU time, but took 1 to 4%
// more wall time: a batch keeps its turn while it waits to reach the
// disk, and a CPU idles.
const writers = 2

// write indexes docs[i] for i in which, whose hashes are given, in
// batches, several at once, and leaves the index marked incomplete. With
// fill set, each batch is filled before it is analysed (one fill at a
// time: a Filler need not be safe for concurrent use, and renders on
// every CPU itself) and its bodies emptied once it is written (SyncLazy). Each batch records in the
// manifest its own stories with their hashes, the stories of earlier
// batches written before it, and the stories of batches still being
// written with hash 0 (maybe indexed: the next Sync re-indexes them, or
// removes them if they are gone), so whichever manifest bleve keeps last
// never claims a story it lacks nor forgets one it holds.
func (x *Index) write(ctx context.Context, docs []Doc, which []int, hashes []uint64, fill Filler) error {
	var (
		mu       sync.Mutex
		fillMu   sync.Mutex // one fill at a time, as Filler expects
		next     int
		written  int
		firstErr error
		inFlight = map[string]bool{}
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	worker := func() {
		defer wg.Done()
		for {
			mu.Lock()
			if firstErr == nil {
				if err := ctx.Err(); err != nil {
					fail(err)
				}
			}
			if firstErr != nil || next >= len(which) {
				mu.Unlock()
				return
			}
			x.man.Complete = false
			end := min(next+batchSize, len(which))
			idx, hashes := which[next:end], hashes[next:end]
			next = end
			for _, i := range idx {
				inFlight[docs[i].ID] = true
			}
			mu.Unlock()
			var err error
			if fill != nil {
				fillMu.Lock()
				err = fill(ctx, docs, idx)
				fillMu.Unlock()
			}
			chunk := make([]Doc, len(idx))
			for k, i := range idx {
				chunk[k] = docs[i]
				if fill != nil {
					docs[i].Body = ""
				}
			}
			b := x.ix.NewBatch()
			for _, d := range chunk {
				if err != nil {
					break
				}
				var bd *document.Document
				if bd, err = bleveDoc(d.Normalized()); err == nil {
					err = b.IndexAdvanced(bd)
				}
				if err != nil {
					err = fmt.Errorf("indexing story %s: %w", d.ID, err)
				}
			}
			if err == nil {
				mu.Lock()
				man := manifest{Version: indexVersion, Hashes: make(map[string]uint64, len(x.man.Hashes)+len(inFlight))}
				for k, v := range x.man.Hashes {
					man.Hashes[k] = v
				}
				for k := range inFlight {
					man.Hashes[k] = 0
				}
				for i, d := range chunk {
					man.Hashes[d.ID] = hashes[i]
				}
				mu.Unlock()
				b.SetInternal([]byte(manifestKey), man.encode())
				if err = x.ix.Batch(b); err != nil {
					err = fmt.Errorf("writing search index: %w", err)
				}
			}
			mu.Lock()
			if err != nil {
				fail(err)
			} else {
				for i, d := range chunk {
					x.man.Hashes[d.ID] = hashes[i]
					delete(inFlight, d.ID)
				}
				written += len(chunk)
				if x.Progress != nil {
					x.Progress(written, len(which))
				}
			}
			mu.Unlock()
			if err == nil && x.afterBatch != nil {
				x.afterBatch()
			}
		}
	}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go worker()
	}
	wg.Wait()
	return firstErr
}

// Put indexes or re-indexes one story.
func (x *Index) Put(d Doc) error { return x.Update([]Doc{d}, nil) }

// Delete removes one story; removing a missing story is not an error.
func (x *Index) Delete(slug string) error { return x.Update(nil, []string{slug}) }

// Update indexes or re-indexes docs and removes the stories del, as one
// batch: one write however many stories change. Unchanged docs and
// stories not in the index are skipped.
func (x *Index) Update(docs []Doc, del []string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	var put []Doc
	var hashes []uint64
	for _, d := range docs {
		h := d.Hash()
		if old, ok := x.man.Hashes[d.ID]; !ok || old != h {
			put, hashes = append(put, d), append(hashes, h)
		}
	}
	bds, err := bleveDocs(put)
	if err != nil {
		return err
	}
	prepared := make([]*Prepared, len(put))
	for i, d := range put {
		prepared[i] = &Prepared{id: d.ID, hash: hashes[i], bd: bds[i]}
	}
	return x.applyChanged(prepared, del)
}

// Prepared is a Doc analysed for the server index, ready for
// UpdatePrepared. Analysis is most of the cost of indexing a story and
// grows with its text; Prepare takes no lock, so a caller can analyse a
// long text without holding up writers of short ones. A Prepared is
// written at most once.
type Prepared struct {
	id   string
	hash uint64
	bd   *document.Document
}

// Prepare analyses d for UpdatePrepared. It is safe for concurrent use
// and independent of any Index.
func Prepare(d Doc) (*Prepared, error) {
	bd, err := bleveDoc(d.Normalized())
	if err != nil {
		return nil, fmt.Errorf("indexing story %s: %w", d.ID, err)
	}
	return &Prepared{id: d.ID, hash: d.Hash(), bd: bd}, nil
}

// ID is the prepared doc's ID.
func (p *Prepared) ID() string { return p.id }

// UpdatePrepared is Update with docs prepared beforehand: it holds the
// writers' lock only to write the batch, not to analyse.
func (x *Index) UpdatePrepared(docs []*Prepared, del []string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.applyChanged(docs, del)
}

// applyChanged writes docs and removes del, skipping unchanged docs and
// stories not in the index. x.mu is held.
func (x *Index) applyChanged(docs []*Prepared, del []string) error {
	var put []*Prepared
	for _, d := range docs {
		if h, ok := x.man.Hashes[d.id]; !ok || h != d.hash {
			put = append(put, d)
		}
	}
	var gone []string
	for _, slug := range del {
		if _, ok := x.man.Hashes[slug]; ok {
			gone = append(gone, slug)
		}
	}
	if len(put) == 0 && len(gone) == 0 {
		return nil
	}
	return x.apply(put, gone, x.man.Complete)
}

// apply writes one batch: docs, deletions and the updated manifest. The
// manifest's map is changed in place (copying it for every write cost
// time in proportion to the index, under its lock) and put back if the
// write fails.
func (x *Index) apply(docs []*Prepared, del []string, complete bool) error {
	type was struct {
		h  uint64
		ok bool
	}
	undo := make(map[string]was, len(docs)+len(del))
	keep := func(id string) {
		if _, seen := undo[id]; !seen {
			h, ok := x.man.Hashes[id]
			undo[id] = was{h, ok}
		}
	}
	oldComplete := x.man.Complete
	b := x.ix.NewBatch()
	for _, d := range docs {
		if err := b.IndexAdvanced(d.bd); err != nil {
			return fmt.Errorf("indexing story %s: %w", d.id, err)
		}
	}
	for _, d := range docs {
		keep(d.id)
		x.man.Hashes[d.id] = d.hash
	}
	for _, slug := range del {
		b.Delete(slug)
		keep(slug)
		delete(x.man.Hashes, slug)
	}
	x.man.Version, x.man.Complete = indexVersion, complete
	b.SetInternal([]byte(manifestKey), x.man.encode())
	if err := x.ix.Batch(b); err != nil {
		for id, w := range undo {
			if w.ok {
				x.man.Hashes[id] = w.h
			} else {
				delete(x.man.Hashes, id)
			}
		}
		x.man.Complete = oldComplete
		return fmt.Errorf("writing search index: %w", err)
	}
	return nil
}

// manifestMagic starts a manifest in its binary form; an older index
// holds JSON (a "{" first), which decodeManifest still reads.
const manifestMagic = "banmian-manifest-1\n"

// encode writes the manifest compactly: magic, version, complete, then
// each story's ID and hash (JSON of a map sorts its keys, which cost
// milliseconds a write at 10,000 stories).
func (m *manifest) encode() []byte {
	n := len(manifestMagic) + len(m.Version) + 16
	for id := range m.Hashes {
		n += len(id) + 10 + 8
	}
	out := make([]byte, 0, n)
	out = append(out, manifestMagic...)
	out = binary.AppendUvarint(out, uint64(len(m.Version)))
	out = append(out, m.Version...)
	if m.Complete {
		out = append(out, 1)
	} else {
		out = append(out, 0)
	}
	out = binary.AppendUvarint(out, uint64(len(m.Hashes)))
	for id, h := range m.Hashes {
		out = binary.AppendUvarint(out, uint64(len(id)))
		out = append(out, id...)
		out = binary.LittleEndian.AppendUint64(out, h)
	}
	return out
}

// decodeManifest reads a manifest in either form.
func decodeManifest(b []byte) (manifest, error) {
	var m manifest
	if len(b) > 0 && b[0] == '{' {
		err := json.Unmarshal(b, &m)
		return m, err
	}
	rest, ok := bytes.CutPrefix(b, []byte(manifestMagic))
	if !ok {
		return m, errors.New("unknown manifest format")
	}
	str := func() (s string, ok bool) {
		s, rest, ok = cutString(rest)
		return s, ok
	}
	v, ok := str()
	if !ok || len(rest) < 1 {
		return m, errors.New("damaged manifest")
	}
	m.Version, m.Complete = v, rest[0] == 1
	rest = rest[1:]
	count, k := binary.Uvarint(rest)
	if k <= 0 || count > uint64(len(rest)) {
		return m, errors.New("damaged manifest")
	}
	rest = rest[k:]
	m.Hashes = make(map[string]uint64, count)
	for range count {
		id, ok := str()
		if !ok || len(rest) < 8 {
			return m, errors.New("damaged manifest")
		}
		m.Hashes[id] = binary.LittleEndian.Uint64(rest)
		rest = rest[8:]
	}
	return m, nil
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
				out[i], errs[i] = bleveDoc(docs[i].Normalized())
			}
		}(w)
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
