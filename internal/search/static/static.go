package static

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	kflate "github.com/klauspost/compress/flate"

	"github.com/banmian/banmian/internal/parallel"
	"github.com/banmian/banmian/internal/search"
)

// The static index: files a browser script fetches, so search works on a
// static host. Layout under its directory:
//
//	meta.json          version, story count, live stories, base day,
//	                   credit names, doc chunk size, segments
//	docs-G.bin         (docs.bin, named by the last segment G) per story number: zigzag uvarint days after the
//	                   previous story (the first: after base), uvarint
//	                   credit number+1 times two, plus one if removed,
//	                   uvarint length of its record; then the live stories in rank order
//	                   (newest first, then by slug) as zigzag uvarint
//	                   steps from the previous number plus one
//	s/G-XXX.bin        postings shard XXX (hex) of segment G: a table
//	                   of B+1 little-endian uint32 offsets (B: the
//	                   segment's buckets), then B buckets back to back
//	                   (bucket v from offset v to offset v+1), then the
//	                   long postings, each compressed with raw DEFLATE.
//	                   A bucket's entries are sorted by gram, then field
//	                   number (indexedFields): uvarint-prefixed gram,
//	                   uvarint field, uvarint count n, uvarint length
//	                   times two, plus one if the postings are long; then
//	                   short postings themselves, or for long ones the
//	                   uvarint offset of their compressed bytes from the
//	                   end of the buckets (the last table offset).
//	                   Postings are n uvarint gaps between local story
//	                   numbers (the first from 0), then n impact bytes.
//	d/G-K.bin          records (JSON Docs, normalised, with "py": the
//	                   readings of the Han characters of title, credit
//	                   and tags; each compressed
//	                   with raw DEFLATE) of segment G's stories K·chunk to
//	                   (K+1)·chunk−1, back to back: the script fetches one
//	                   record with an HTTP Range request and inflates it
//	                   (DecompressionStream "deflate-raw")
//	search.js          the query script (a mirror of Index.Search)
//	index.html         the reader search page
//
// Stories are numbered across segments in order; a segment's postings
// use numbers local to it. A gram lives in shard h mod S and in its
// bucket h/S mod B, for h = fnv1a32(gram) and the segment's S shards and
// B buckets, in every field. A query reads, per segment and distinct
// gram, ranges of one shard with HTTP Range requests: the table, the
// gram's bucket (about defaultBucketBytes), and the compressed postings
// of each field it needs whose postings are long. It fetches what it
// uses, not whole shards. Write writes one segment;
// Update adds a segment holding the changed stories, marks their
// old records removed and rewrites only meta.json, docs.bin and
// stories.txt (slug and hash per story number, for Update; not
// fetched by the browser) besides. Past maxSegments an update folds the
// segments after the first into its new one; a placeholder segment
// (folded, one empty shard) keeps their story numbers. meta.json is written last: it names
// the files of the index, so readers see the old index or the new.

// staticMeta is meta.json.
type staticMeta struct {
	Version  string       `json:"version"`
	N        int          `json:"n"`    // story numbers, removed ones included
	Live     int          `json:"live"` // stories not removed
	Base     int          `json:"base"` // day docs.bin starts from
	Chunk    int          `json:"chunk"`
	Docs     string       `json:"docs"` // the docs.bin of this meta.json
	Credits  []string     `json:"credits"`
	Segments []staticSeg  `json:"segments"`
	Stories  []staticStub `json:"-"`
}

// staticSeg is one segment of the static index.
type staticSeg struct {
	ID      string `json:"id"`
	N       int    `json:"n"`
	Shards  int    `json:"shards"`
	Buckets int    `json:"buckets"`
	// Folded marks the placeholder of segments folded into a later one:
	// it keeps their story numbers (all removed) and has no postings.
	Folded bool `json:"folded,omitempty"`
}

// staticStub is what docs.bin says of a story.
type staticStub struct {
	day, credit, size int
	removed           bool
}

// shardBytes is the target size of a postings shard; maxShards bounds the
// shards of a segment (and so the files of the index).
// defaultBucketBytes is the target size of a bucket of a shard (what a
// query reads per gram besides long postings), maxBuckets bounds the
// buckets of a shard, and postings longer than inlineMax bytes are
// stored compressed after the buckets (see the layout above).
const (
	shardBytes = 24 << 10
	maxShards  = 1024
	maxBuckets = 1024
	inlineMax  = 128

	defaultBucketBytes = 1 << 10
)

// docChunk is the number of story records per doc chunk file.
const docChunk = 256

// fnv1a32 is the 32-bit FNV-1a hash of gram.
func fnv1a32[S string | []byte](gram S) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(gram); i++ {
		h ^= uint32(gram[i])
		h *= 16777619
	}
	return h
}

// shardOf is fnv1a32(gram) mod shards.
func shardOf[S string | []byte](gram S, shards int) int {
	return int(fnv1a32(gram) % uint32(shards))
}

// bucketOf is the bucket of gram in its shard: fnv1a32(gram) / shards
// mod buckets.
func bucketOf[S string | []byte](gram S, shards, buckets int) int {
	return int(fnv1a32(gram) / uint32(shards) % uint32(buckets))
}

// Options tune Write.
type Options struct {
	// Title is the site title shown on the search page.
	Title string
	// Home is the URL of the site's home page (default "../").
	Home string
	// Stylesheet, if set, is linked from the search page.
	Stylesheet string
	// Header and Footer, if set, are the site's own header and footer
	// (trusted HTML from its theme), shown around the search page.
	Header, Footer template.HTML

	// bucketBytes, if set, replaces defaultBucketBytes (for tests).
	bucketBytes int
}

// orderDocs returns normalised docs newest first, then by slug: story
// numbers in the static index; ds[k] is docs[perm[k]].
func orderDocs(docs []search.Doc) (ds []search.Doc, perm []int) {
	perm = make([]int, len(docs))
	for i := range perm {
		perm[i] = i
	}
	norm := make([]search.Doc, len(docs))
	for i, d := range docs {
		norm[i] = d.Normalized()
	}
	sort.Slice(perm, func(i, j int) bool {
		a, b := norm[perm[i]], norm[perm[j]]
		if da, db := search.Day(a.Date), search.Day(b.Date); da != db {
			return da > db
		}
		return a.ID < b.ID
	})
	ds = make([]search.Doc, len(docs))
	for k, i := range perm {
		ds[k] = norm[i]
	}
	return ds, perm
}

// bodyFiller fills the bodies of ordered docs ds[i], i in which, on
// worker w of staticPostings (nil: the docs are complete).
type bodyFiller func(w int, which []int) error

// lazyBodies returns a bodyFiller for ds, ordered from docs by perm,
// whose bodies fill fills: each worker fills a few at a time into its
// own scratch copy, so the texts are not all held at once (they are let
// go of as each story is indexed). With no fill, or docs without a
// Source (their hashes need their bodies), it fills every doc now and
// returns nil.
func lazyBodies(ctx context.Context, docs, ds []search.Doc, perm []int, fill search.Filler) (bodyFiller, error) {
	lazy := fill != nil
	for _, d := range docs {
		lazy = lazy && d.Source != 0
	}
	if !lazy {
		if _, err := search.Fill(ctx, docs, nil, fill); err != nil {
			return nil, err
		}
		for k, i := range perm {
			ds[k].Body = search.Normalize(docs[i].Body)
		}
		return nil, nil
	}
	scratch := make([][]search.Doc, runtime.GOMAXPROCS(0))
	var mu sync.Mutex // a Filler is called by one worker at a time
	return func(w int, which []int) error {
		if scratch[w] == nil {
			scratch[w] = make([]search.Doc, len(docs))
		}
		sc := scratch[w]
		orig := make([]int, len(which))
		for k, i := range which {
			orig[k] = perm[i]
			sc[perm[i]] = docs[perm[i]]
		}
		mu.Lock()
		err := fill(ctx, sc, orig)
		mu.Unlock()
		if err != nil {
			return err
		}
		for k, i := range which {
			ds[i].Body = search.Normalize(sc[orig[k]].Body)
			sc[orig[k]] = search.Doc{}
		}
		return nil
	}, nil
}

// Write writes the static index of docs, the script and the search
// page into dir, replacing it: the files are written to a sibling
// directory first and renamed into place. Duplicate slugs are an error.
func Write(dir string, docs []search.Doc, opt Options) error {
	return writeLazy(context.Background(), dir, docs, nil, opt)
}

// writeLazy is Write for docs whose bodies fill fills on demand (see
// lazyBodies). The files go to a sibling directory as each is made, and
// it is renamed into place once all are written.
func writeLazy(ctx context.Context, dir string, docs []search.Doc, fill search.Filler, opt Options) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+"-")
	if err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	defer os.RemoveAll(tmp)
	// Temporary postings go beside the index being written, not in it.
	work := filepath.Join(tmp, ".work")
	if err := os.Mkdir(work, 0o755); err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	var mu sync.Mutex
	made := map[string]bool{}
	emit := func(f File) error {
		path := filepath.Join(tmp, filepath.FromSlash(f.Name))
		d := filepath.Dir(path)
		mu.Lock()
		if !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				mu.Unlock()
				return err
			}
			made[d] = true
		}
		mu.Unlock()
		return os.WriteFile(path, f.Data, 0o644)
	}
	if err := build(ctx, docs, fill, opt, work, emit); err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	if err := os.Remove(work); err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	old := tmp + ".old"
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replacing static search index %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("replacing static search index %s: %w", dir, err)
	}
	return os.RemoveAll(old)
}

// Fingerprint identifies what Write writes besides the
// stories' postings: the format version, the search page for opt and the
// script. A builder that reuses a static index while the stories are
// unchanged must compare it too, or a new page or script never ships.
func Fingerprint(opt Options) (string, error) {
	page, err := staticPage(opt)
	if err != nil {
		return "", err
	}
	h := fnv.New64a()
	h.Write([]byte(Version))
	h.Write(page)
	h.Write(Script())
	return strconv.FormatUint(h.Sum64(), 16), nil
}

// File is one file of the static index.
type File struct {
	Name string // slash-separated, relative to the index directory
	Data []byte
}

// Build returns the files Write writes, by name, for builders that
// write their own output (for example into an fs.FS or an archive).
func Build(docs []search.Doc, opt Options) ([]File, error) {
	var files []File
	if err := build(context.Background(), docs, nil, opt, "", collector(&files)); err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

// collector returns an emit function (see buildSegment) that appends
// to *files, safe for concurrent calls.
func collector(files *[]File) func(File) error {
	var mu sync.Mutex
	return func(f File) error {
		mu.Lock()
		defer mu.Unlock()
		*files = append(*files, f)
		return nil
	}
}

// build hands the files of the static index of docs to emit (see
// buildSegment), meta.json last; temporary postings go in tmp.
func build(ctx context.Context, docs []search.Doc, fill search.Filler, opt Options, tmp string, emit func(File) error) error {
	ds, perm := orderDocs(docs)
	seen := map[string]bool{}
	for _, d := range ds {
		if seen[d.ID] {
			return fmt.Errorf("two documents have the ID %q", d.ID)
		}
		seen[d.ID] = true
	}
	page, err := staticPage(opt)
	if err != nil {
		return err
	}
	bodies, err := lazyBodies(ctx, docs, ds, perm, fill)
	if err != nil {
		return err
	}
	meta := staticMeta{Version: Version, Chunk: docChunk, Credits: []string{}}
	seg, stubs, err := buildSegment("0", ds, bodies, &meta, opt, tmp, emit)
	if err != nil {
		return err
	}
	meta.Segments = []staticSeg{seg}
	meta.Stories = stubs
	rank := make([]int, len(ds))
	for i := range rank {
		rank[i] = i
	}
	files := []File{{"stories.txt", storiesFile(ds)}, {"search.js", Script()}, {"index.html", page}}
	files = append(files, staticMetaFiles(&meta, rank)...)
	for _, f := range files {
		if err := emit(f); err != nil {
			return err
		}
	}
	return nil
}

// staticMetaFiles encodes meta.json and docs.bin; rank lists the live
// story numbers in rank order.
func staticMetaFiles(meta *staticMeta, rank []int) []File {
	meta.N = len(meta.Stories)
	meta.Live = len(rank)
	if len(meta.Stories) > 0 && meta.Base == 0 {
		meta.Base = meta.Stories[0].day
	}
	var b []byte
	prev := meta.Base
	for _, st := range meta.Stories {
		b = binary.AppendUvarint(b, zigzag(st.day-prev))
		prev = st.day
		b = binary.AppendUvarint(b, uint64(st.credit)<<1|uint64(boolInt(st.removed)))
		b = binary.AppendUvarint(b, uint64(st.size))
	}
	last := -1
	for _, i := range rank {
		b = binary.AppendUvarint(b, zigzag(i-last-1))
		last = i
	}
	meta.Docs = "docs-" + meta.Segments[len(meta.Segments)-1].ID + ".bin"
	mb, _ := json.Marshal(meta) // plain values: cannot fail
	return []File{{meta.Docs, b}, {"meta.json", mb}}
}

// storiesFile is stories.txt: per story number, its slug and hash, or
// "-" for a removed story.
func storiesFile(ds []search.Doc) []byte {
	var b []byte
	for _, d := range ds {
		if d.ID == "" {
			b = append(b, "-\n"...)
			continue
		}
		b = fmt.Appendf(b, "%s %x %d\n", d.ID, d.Hash(), search.Day(d.Date))
	}
	return b
}

func zigzag(x int) uint64   { return uint64(x<<1) ^ uint64(x>>63) }
func unzigzag(u uint64) int { return int(u>>1) ^ -int(u&1) }

// creditNumber returns the number+1 of credit c in meta, adding it.
func creditNumber(meta *staticMeta, c string) int {
	if c == "" {
		return 0
	}
	for i, x := range meta.Credits {
		if x == c {
			return i + 1
		}
	}
	meta.Credits = append(meta.Credits, c)
	return len(meta.Credits)
}

// buildSegment encodes segment id of the normalised stories ds, whose
// bodies fill fills when not nil: it hands its doc chunks and postings
// shards to emit (from several goroutines at once) as each is done, and
// returns the segment and the docs.bin stub of each story. Temporary
// postings go in tmp (see staticPostings).
func buildSegment(id string, ds []search.Doc, fill bodyFiller, meta *staticMeta, opt Options, tmp string, emit func(File) error) (staticSeg, []staticStub, error) {
	seg := staticSeg{ID: id, N: len(ds)}
	stubs := make([]staticStub, len(ds))
	recs := make([][]byte, len(ds))
	post, err := staticPostings(ds, fill, recs, tmp)
	if err != nil {
		return seg, nil, err
	}
	defer post.close()
	for i, d := range ds {
		stubs[i] = staticStub{day: search.Day(d.Date), credit: creditNumber(meta, d.Credit), size: len(recs[i])}
	}
	for k := 0; k*docChunk < len(ds); k++ {
		var b []byte
		for _, r := range recs[k*docChunk : min((k+1)*docChunk, len(ds))] {
			b = append(b, r...)
		}
		if err := emit(File{chunkName(id, k), b}); err != nil {
			return seg, nil, err
		}
	}
	clear(recs)
	merged, total, heads, err := mergeRuns(post, tmp)
	if err != nil {
		return seg, nil, err
	}
	seg.Shards, seg.Buckets = segmentSize(total, heads, opt)
	if err := encodeShards(id, merged, seg.Shards, seg.Buckets, emit); err != nil {
		return seg, nil, err
	}
	return seg, stubs, nil
}

// mergeRuns merges each partition's entries of every run of post, in
// story order, into one run per CPU (in a file if any run was; post
// closes them), and returns those with the size of the segment's entries
// and of their bucket entries (entrySizes).
func mergeRuns(post *postRuns, tmp string) (merged []*run, total, heads int, err error) {
	spilled := false
	for _, r := range post.runs {
		spilled = spilled || r.f != nil
	}
	type sized struct {
		total, heads int
		run          *run
	}
	sums := make([]sized, parallel.Workers())
	mws := make([]*runWriter, len(sums))
	for w := range mws {
		mws[w] = &runWriter{dir: tmp}
		post.writers = append(post.writers, mws[w])
	}
	workers, err := parallel.ChunksErr(parts, len(sums), func(w, lo, hi int, stop func() bool) error {
		m, mw, s := newMerger(post.runs), mws[w], &sums[w]
		if err := mw.start(spilled); err != nil {
			return err
		}
		var pairs []byte
		for p := lo; p < hi && !stop(); p++ {
			if err := mw.endSection(p - 1); err != nil {
				return err
			}
			err := m.part(p, func(same []*cursor) error {
				n, size := mergedLen(same)
				all, head := entrySizes(same[0].gramLen(), int(same[0].field), n, size)
				s.total += all
				s.heads += head
				pairs = appendPairs(pairs[:0], same)
				mw.buf = appendRunEntry(mw.buf, same[0].runKey(), same[0].gram, int(same[0].field), n, same[len(same)-1].last, pairs)
				return nil
			})
			if err != nil {
				return err
			}
		}
		var err error
		s.run, err = mw.end()
		return err
	})
	if err != nil {
		return nil, 0, 0, err
	}
	for _, s := range sums[:workers] {
		total += s.total
		heads += s.heads
		merged = append(merged, s.run)
	}
	post.runs = nil // let go of the runs in memory
	return merged, total, heads, nil
}

// segmentSize returns the shards and buckets of a segment whose entries
// take total bytes, and heads bytes in their buckets.
func segmentSize(total, heads int, opt Options) (shards, buckets int) {
	shards = 1
	for shards*shardBytes < total && shards < maxShards {
		shards *= 2
	}
	bucketBytes := defaultBucketBytes
	if opt.bucketBytes > 0 {
		bucketBytes = opt.bucketBytes
	}
	buckets = 1
	for shards*buckets*bucketBytes < heads && buckets < maxBuckets {
		buckets *= 2
	}
	return shards, buckets
}

// encodeShards encodes each shard of segment id from the merged runs (a
// shard is the partitions p ≡ shard mod shards), its entries sorted by
// gram, then field, and hands it to emit, on every CPU.
func encodeShards(id string, merged []*run, shards, buckets int, emit func(File) error) error {
	_, err := parallel.ChunksErr(shards, 0, func(w, lo, hi int, stop func() bool) error {
		m := newMerger(merged)
		var sb shardBuf
		var imps []byte
		for sh := lo; sh < hi && !stop(); sh++ {
			sb.items, sb.grams, sb.posts = sb.items[:0], sb.grams[:0], sb.posts[:0]
			for p := sh; p < parts; p += shards {
				err := m.part(p, func(same []*cursor) error {
					it := shardItem{g0: uint32(len(sb.grams)), p0: uint32(len(sb.posts)), n: int32(same[0].n), field: uint8(same[0].field)}
					sb.grams = same[0].appendGram(sb.grams)
					var err error
					sb.posts, imps, err = appendMerged(sb.posts, imps, same) // one merged run holds each partition
					it.g1, it.p1 = uint32(len(sb.grams)), uint32(len(sb.posts))
					sb.items = append(sb.items, it)
					return err
				})
				if err != nil {
					return err
				}
			}
			if shards < parts { // partitions interleave: sort them together
				slices.SortFunc(sb.items, func(a, b shardItem) int {
					if c := bytes.Compare(sb.gram(a), sb.gram(b)); c != 0 {
						return c
					}
					return int(a.field) - int(b.field)
				})
			}
			if err := emit(File{shardName(id, sh), encodeShard(&sb, shards, buckets)}); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

func shardName(seg string, s int) string { return fmt.Sprintf("s/%s-%03x.bin", seg, s) }
func chunkName(seg string, k int) string { return fmt.Sprintf("d/%s-%d.bin", seg, k) }

// Index reads a static index: the reference implementation of the
// browser script, used to test that both agree with the server.
type Index struct {
	fsys   fs.FS
	meta   staticMeta
	days   []int
	credit []int32 // credit number+1 per story, 0 for none
	years  []int32
	alive  []bool
	rank   []int32
	seg    []int // segment of each story
	base   []int // first story number of each segment
	offset []int // byte offset of each story's record in its chunk
	size   []int // byte length of each story's record (0: removed)
	files  map[string][]byte
	// fetched counts the bytes a browser would fetch since the last
	// ResetFetched: whole files, each once, but only the record of a
	// story (a Range request); fetchedShards counts postings alone.
	fetched, fetchedShards int
	seen                   map[string]bool
}

// Open opens the static index in fsys (its root is the index
// directory), reading meta.json and docs.bin.
func Open(fsys fs.FS) (*Index, error) {
	s := &Index{fsys: fsys, files: map[string][]byte{}, seen: map[string]bool{}}
	mb, err := s.read("meta.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(mb, &s.meta); err != nil {
		return nil, fmt.Errorf("reading static search index: meta.json: %w", err)
	}
	if s.meta.Version != Version {
		return nil, fmt.Errorf("static search index version %q, want %q", s.meta.Version, Version)
	}
	db, err := s.read(s.meta.Docs)
	if err != nil {
		return nil, err
	}
	n := s.meta.N
	r := bytes.NewReader(db)
	bad := func(what string) error {
		return fmt.Errorf("reading static search index: docs.bin is damaged (%s)", what)
	}
	for k, sg := range s.meta.Segments {
		s.base = append(s.base, len(s.seg))
		for j := 0; j < sg.N; j++ {
			s.seg = append(s.seg, k)
		}
	}
	if len(s.seg) != n || s.meta.Chunk <= 0 {
		return nil, bad("segments")
	}
	d := s.meta.Base
	s.days, s.credit, s.years = make([]int, n), make([]int32, n), make([]int32, n)
	s.alive, s.offset, s.size, s.rank = make([]bool, n), make([]int, n), make([]int, n), make([]int32, n)
	off := 0
	for i := 0; i < n; i++ {
		dd, err1 := binary.ReadUvarint(r)
		cr, err2 := binary.ReadUvarint(r)
		c := cr >> 1
		size, err3 := binary.ReadUvarint(r)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, bad(fmt.Sprintf("story %d", i))
		}
		if c > uint64(len(s.meta.Credits)) {
			return nil, bad(fmt.Sprintf("credit %d of %d", c, len(s.meta.Credits)))
		}
		d += unzigzag(dd)
		if (i-s.base[s.seg[i]])%s.meta.Chunk == 0 {
			off = 0
		}
		s.days[i], s.credit[i], s.offset[i], s.size[i], s.alive[i] = d, int32(c), off, int(size), cr&1 == 0
		off += int(size)
		s.years[i] = int32(time.Unix(int64(d)*86400, 0).UTC().Year())
	}
	last := -1
	for k := 0; k < s.meta.Live; k++ {
		u, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, bad("rank")
		}
		last += 1 + unzigzag(u)
		if last < 0 || last >= n || !s.alive[last] {
			return nil, bad("rank")
		}
		s.rank[last] = int32(k)
	}
	return s, nil
}

// read returns a file, counting its bytes once.
func (s *Index) read(name string) ([]byte, error) {
	b, err := s.file(name)
	if err != nil {
		return nil, err
	}
	if !s.seen[name] {
		s.seen[name] = true
		s.fetched += len(b)
	}
	return b, nil
}

// Fetched returns the bytes a browser would fetch since the last
// ResetFetched (or Open), counting each file once, as its cache would,
// and how many of them were postings shards (the rest: meta.json,
// docs.bin, story records).
func (s *Index) Fetched() (total, shards int) { return s.fetched, s.fetchedShards }

// ResetFetched forgets fetched files and zeroes the byte counts.
func (s *Index) ResetFetched() {
	s.fetched, s.fetchedShards = 0, 0
	s.seen = map[string]bool{}
}

// file returns a file of the index, read once; fetched bytes are counted
// by the caller (charge), since the browser fetches ranges.
func (s *Index) file(name string) ([]byte, error) {
	b, ok := s.files[name]
	if !ok {
		var err error
		if b, err = fs.ReadFile(s.fsys, name); err != nil {
			return nil, fmt.Errorf("reading static search index: %w", err)
		}
		s.files[name] = b
	}
	return b, nil
}

// charge counts n bytes of a range (named key) the browser fetches, once
// until ResetFetched.
func (s *Index) charge(key string, n int, postings bool) {
	if s.seen[key] {
		return
	}
	s.seen[key] = true
	s.fetched += n
	if postings {
		s.fetchedShards += n
	}
}

// postings returns the live story numbers holding gram in field, and
// their impacts.
func (s *Index) postings(field, gram string) ([]int32, []uint8, error) {
	fno := uint64(search.FieldNumber(field))
	var ids []int32
	var imps []uint8
	for k, sg := range s.meta.Segments {
		name := shardName(sg.ID, shardOf(gram, sg.Shards))
		local, imp, err := s.shardPostings(name, sg, gram, fno)
		if err != nil {
			return nil, nil, fmt.Errorf("reading static search index: %s: %w", name, err)
		}
		for j, id := range local {
			g := int32(s.base[k]) + id
			if int(g) >= len(s.alive) {
				return nil, nil, fmt.Errorf("reading static search index: %s names story %d of %d", name, g, len(s.alive))
			}
			if s.alive[g] {
				ids = append(ids, g)
				imps = append(imps, imp[j])
			}
		}
	}
	return ids, imps, nil
}

var errCorrupt = errors.New("shard is damaged")

// shardPostings reads the postings of (gram, field) in shard name of
// segment sg as the browser does: the bucket table, the gram's bucket,
// and the compressed postings if they are long.
func (s *Index) shardPostings(name string, sg staticSeg, gram string, field uint64) ([]int32, []uint8, error) {
	b, err := s.file(name)
	if err != nil {
		return nil, nil, err
	}
	nb := sg.Buckets
	if nb < 1 || len(b) < 4*(nb+1) {
		return nil, nil, errCorrupt
	}
	s.charge(name+"#table", 4*(nb+1), true)
	v := bucketOf(gram, sg.Shards, nb)
	lo, hi := int(binary.LittleEndian.Uint32(b[4*v:])), int(binary.LittleEndian.Uint32(b[4*v+4:]))
	end := int(binary.LittleEndian.Uint32(b[4*nb:]))
	if lo > hi || hi > end || end > len(b) {
		return nil, nil, errCorrupt
	}
	if lo == hi {
		return nil, nil, nil
	}
	s.charge(name+"#"+strconv.Itoa(lo), hi-lo, true)
	e, ok, err := findEntry(b[lo:hi], gram, field)
	if err != nil || !ok {
		return nil, nil, err
	}
	p := e.short
	if e.long {
		from := end + e.off
		if e.off > len(b) || from+e.size > len(b) {
			return nil, nil, errCorrupt
		}
		s.charge(name+"#"+strconv.Itoa(from), e.size, true)
		if p, err = io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b[from:from+e.size])), int64(10*e.n+10))); err != nil {
			return nil, nil, errCorrupt
		}
	}
	return decodePostings(p, e.n)
}

// decodePostings decodes n postings: uvarint gaps, then impacts.
func decodePostings(p []byte, n int) ([]int32, []uint8, error) {
	if n < 0 || 2*n > len(p) { // a posting takes two bytes at least
		return nil, nil, errCorrupt
	}
	ids := make([]int32, n)
	id := int32(0)
	for i := range ids {
		gap, k := binary.Uvarint(p)
		if k <= 0 {
			return nil, nil, errCorrupt
		}
		p = p[k:]
		id += int32(gap)
		ids[i] = id
	}
	if len(p) != n {
		return nil, nil, errCorrupt
	}
	return ids, p, nil
}

// findEntry returns the entry of (gram, field) in bucket b, if any.
func findEntry(b []byte, gram string, field uint64) (shardEntry, bool, error) {
	uv := func() (uint64, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return x, true
	}
	for len(b) > 0 {
		l, ok := uv()
		if !ok || l > uint64(len(b)) {
			return shardEntry{}, false, errCorrupt
		}
		g := b[:l]
		b = b[l:]
		f, ok1 := uv()
		cnt, ok2 := uv()
		tag, ok3 := uv()
		if !ok1 || !ok2 || !ok3 || cnt > 1<<31 {
			return shardEntry{}, false, errCorrupt
		}
		size := tag >> 1
		e := shardEntry{n: int(cnt), long: tag&1 == 1, size: int(size)}
		if e.long {
			off, ok := uv()
			if !ok || off > 1<<31 || size > 1<<31 {
				return shardEntry{}, false, errCorrupt
			}
			e.off = int(off)
		} else {
			if size > uint64(len(b)) {
				return shardEntry{}, false, errCorrupt
			}
			e.short = b[:size:size]
			b = b[size:]
		}
		if f == field && string(g) == gram {
			return e, true, nil
		}
	}
	return shardEntry{}, false, nil
}

// record reads story i's record.
func (s *Index) record(i int) (record, error) {
	var r record
	k := s.seg[i]
	j := i - s.base[k]
	name := chunkName(s.meta.Segments[k].ID, j/s.meta.Chunk)
	b, err := s.file(name)
	if err != nil {
		return r, err
	}
	end := s.offset[i] + s.size[i]
	if end > len(b) {
		return r, fmt.Errorf("reading static search index: story %d is out of %s", i, name)
	}
	rec := b[s.offset[i]:end]
	s.charge(name+"#"+strconv.Itoa(s.offset[i]), len(rec), false)
	if err := decodeRecord(rec, &r); err != nil {
		return r, fmt.Errorf("reading static search index: story %d: %w", i, err)
	}
	return r, nil
}

// Search runs q as search.js does.
func (s *Index) Search(q search.Query) (*search.Result, error) {
	c := &search.Collection{
		N: s.meta.N, Live: s.meta.Live, Alive: s.alive,
		Day:  func(i int) int { return s.days[i] },
		Year: s.years, Credit: s.credit, Credits: s.meta.Credits, Rank: s.rank,
		Postings: s.postings,
		Doc: func(i int) (search.Doc, error) {
			r, err := s.record(i)
			return r.Doc, err
		},
		Readings: func(i int) (map[string][]string, error) {
			r, err := s.record(i)
			return r.Py, err
		},
	}
	return c.Search(q)
}

// Searcher adapts an Index to the interface of the server's index,
// Search(ctx, q). It is not safe for concurrent use.
type Searcher struct{ *Index }

// Search runs q on the static index.
func (s Searcher) Search(_ context.Context, q search.Query) (*search.Result, error) {
	return s.Index.Search(q)
}

// postEntry is the postings of one gram in one field: ascending story
// numbers, kept encoded since they are made as a uvarint gap (the first
// from 0) followed by the impact each. Encoded, a posting takes about two
// bytes instead of five, which is most of a large build's memory; gaps
// and impacts together, each posting added touches one block. Most grams
// of a large vocabulary occur in one story only: their one posting
// (last, imp0) is kept in the entry. Longer postings are a block of the
// table's arena. The gram is its key (gramKey, or postTable.text),
// not a string of its own. An entry holds no pointer, so the garbage
// collector does not scan the millions of them.
type postEntry struct {
	key      uint64 // gramKey, or textKey|i for the table's texts[i]
	ref      uint64 // the block of postings in the arena (n ≥ 2)
	n        int32
	last     int32  // the last story (with n = 1, the only one)
	len, cap uint32 // of the block
	part     uint16 // fnv1a32(gram) mod parts
	field    uint8
	imp0     uint8 // the impact of the first posting
}

// fillBatch is how many bodies a worker of staticPostings fills at a
// time.
const fillBatch = 32

// postRuns is the postings of a segment's stories as runs, in story
// order, and the writers of their temporary files.
type postRuns struct {
	runs    []*run
	writers []*runWriter
}

// close removes the temporary files.
func (r *postRuns) close() {
	for _, w := range r.writers {
		w.close()
	}
}

// staticPostings returns the postings of the stories ds as runs (see
// runs.go), and sets recs[i] to the record of story i. Each CPU takes a
// contiguous range of stories, and writes its runs past the first to a
// temporary file in tmp (os.TempDir when empty). With fill, each worker
// fills its stories' bodies a batch at a time and lets go of each once it
// is indexed. The caller closes the result.
func staticPostings(ds []search.Doc, fill bodyFiller, recs [][]byte, tmp string) (*postRuns, error) {
	workers := parallel.Workers()
	runs := make([][]*run, workers)
	post := &postRuns{writers: make([]*runWriter, workers)}
	for w := range post.writers {
		post.writers[w] = &runWriter{dir: tmp}
	}
	workers, err := parallel.ChunksErr(len(ds), workers, func(w, lo, hi int, stop func() bool) error {
		t := newPostTable()
		var sc runScratch
		// flush makes a run of t: in memory if it is the worker's only
		// one, else in the worker's file.
		flush := func(last bool) error {
			r, err := t.writeRun(post.writers[w], &sc, !last || len(runs[w]) > 0)
			if err != nil {
				return err
			}
			runs[w] = append(runs[w], r)
			t.reset()
			return nil
		}
		which := make([]int, 0, fillBatch)
		for i := lo; i < hi && !stop(); i++ {
			if fill != nil && (i-lo)%fillBatch == 0 {
				which = which[:0]
				for k := i; k < min(i+fillBatch, hi); k++ {
					which = append(which, k)
				}
				if err := fill(w, which); err != nil {
					return err
				}
			}
			d := ds[i]
			if fill != nil {
				ds[i].Body = ""
			}
			search.EachStoryTerms(d, func(fno int, post []search.Posting) {
				for _, p := range post {
					t.add(t.entry(fno, p.Gram), int32(i), p.Impact)
				}
			})
			b, err := encodeRecord(d)
			if err != nil {
				return fmt.Errorf("encoding story %s: %w", d.ID, err)
			}
			recs[i] = b
			if i+1 < hi && t.bytes() >= runBudget {
				if err := flush(false); err != nil {
					return err
				}
			}
		}
		return flush(true)
	})
	for _, r := range runs[:workers] {
		post.runs = append(post.runs, r...)
	}
	if err != nil {
		post.close()
		return nil, err
	}
	return post, nil
}

// postTable holds the postings entries of a worker of staticPostings, one
// per gram and field. A gram of at most three non-ASCII characters (most
// grams of Chinese text) is found by, and stored as, an integer key made
// of its runes (gramKey), which hashes and compares faster than its text
// and takes no string; the entries live in slabs, which grow without
// copying those before.
type postTable struct {
	slabs  [][]postEntry
	n      int
	byKey  []keyIndex         // by field
	byText []map[string]int32 // by field
	texts  []string           // the grams without a gramKey
	arena  [][]byte           // blocks of postings (postEntry.ref)
	cur    int                // the chunk that small blocks are cut from, or -1
	used   int                // bytes of chunk cur cut
	spare  [][]byte           // chunks of arenaChunk bytes to reuse
	held   int                // bytes of the arena's chunks and spare
}

func newPostTable() *postTable { return &postTable{cur: -1} }

// textKey marks the key of a gram kept in postTable.texts: above any
// gramKey, which takes 63 bits at most.
const textKey = 1 << 63

// slabSize is the number of entries in a slab of a postTable.
const slabSize = 4096

// at returns entry k.
func (t *postTable) at(k int) *postEntry { return &t.slabs[k/slabSize][k%slabSize] }

// text returns the text of the gram kept as text whose key is key, or ""
// for a gramKey.
func (t *postTable) text(key uint64) string {
	if key&textKey == 0 {
		return ""
	}
	return t.texts[key&^textKey]
}

// appendPacked appends the gram whose gramKey is key to b.
func appendPacked(b []byte, key uint64) []byte {
	for sh := 42; sh >= 0; sh -= 21 {
		if r := rune(key >> sh & (1<<21 - 1)); r != 0 {
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// packedLen is the length of the gram whose gramKey is key.
func packedLen(key uint64) int {
	n := 0
	for sh := 42; sh >= 0; sh -= 21 {
		if r := rune(key >> sh & (1<<21 - 1)); r != 0 {
			n += utf8.RuneLen(r)
		}
	}
	return n
}

// bytes is about how much memory t's entries take: their slabs, index
// slots and postings blocks (not what reset keeps for reuse).
func (t *postTable) bytes() int {
	n := t.n*int(unsafe.Sizeof(postEntry{})) + t.held - len(t.spare)*arenaChunk
	for _, x := range t.byKey {
		n += 8 * x.n * 4 / 3 // slots at most three quarters full
	}
	for _, g := range t.texts {
		n += len(g) + 64 // the string, its header and its map entry, about
	}
	return n
}

// reset empties t, keeping its slabs, index and arena chunks for reuse.
func (t *postTable) reset() {
	t.n = 0
	for f := range t.byKey {
		clear(t.byKey[f].slots)
		t.byKey[f].n = 0
		clear(t.byText[f])
	}
	clear(t.texts)
	t.texts = t.texts[:0]
	for _, c := range t.arena {
		if len(c) == arenaChunk {
			t.spare = append(t.spare, c)
		} else if c != nil {
			t.held -= len(c)
		}
	}
	clear(t.arena)
	t.arena, t.cur, t.used = t.arena[:0], -1, 0
}

// entry returns the entry of gram in field, made empty if new.
func (t *postTable) entry(field int, gram string) *postEntry {
	key, _ := gramKey(gram)
	return t.get(field, key, gram, true)
}

// get returns the entry in field of the gram whose gramKey is key, or,
// when key is 0 (the gram has none), of the gram text; with create, an
// empty one if there is none, else nil. A gram kept as text is cloned, so
// that the story's text is not kept alive.
func (t *postTable) get(field int, key uint64, text string, create bool) *postEntry {
	for field >= len(t.byKey) {
		t.byKey = append(t.byKey, keyIndex{})
		t.byText = append(t.byText, map[string]int32{})
	}
	var s *keySlot
	if key != 0 {
		if s = t.slot(&t.byKey[field], key); s.k != 0 {
			return t.at(int(s.k - 1))
		}
	} else if k, ok := t.byText[field][text]; ok {
		return t.at(int(k))
	}
	if !create {
		return nil
	}
	if t.n == len(t.slabs)*slabSize {
		t.slabs = append(t.slabs, make([]postEntry, slabSize))
	}
	k := int32(t.n)
	t.n++
	e := t.at(int(k))
	*e = postEntry{field: uint8(field), part: uint16(fnv1a32(text) % parts)} // a slab may be reused (reset)
	if key != 0 {
		e.key = key
		s.fp, s.k = uint32(keyHash(key)), uint32(k)+1
		t.byKey[field].n++
	} else {
		g := strings.Clone(text)
		e.key = textKey | uint64(len(t.texts))
		t.texts = append(t.texts, g)
		t.byText[field][g] = k
	}
	return e
}

// keyIndex is an open-addressing hash table from gram keys (gramKey) to
// the table's entries, at most three quarters full. A slot holds an
// entry's number and 32 bits of its key's hash, so that a lookup reads
// one slot (a few, in one cache line, on collisions) and then the entry,
// which the caller reads anyway: for the millions of grams of a large
// vocabulary, fewer cache misses than a Go map, in 8 bytes a slot.
type keyIndex struct {
	slots []keySlot
	n     int  // slots used
	shift uint // 64 − log2(len(slots))
}

type keySlot struct {
	fp uint32 // the low half of keyHash
	k  uint32 // entry number + 1; 0: empty
}

// keyHash is a Fibonacci hash: its high bits pick the slot, its low half
// tells keys apart.
func keyHash(key uint64) uint64 { return key * 0x9E3779B97F4A7C15 }

// slot returns the slot of x holding key or, if none does, the empty slot
// where key goes (the caller fills it and counts it in n). A table three
// quarters full grows first.
func (t *postTable) slot(x *keyIndex, key uint64) *keySlot {
	if 4*(x.n+1) > 3*len(x.slots) {
		old := x.slots
		size := max(1024, 2*len(old))
		x.slots, x.shift = make([]keySlot, size), uint(64-bits.TrailingZeros(uint(size)))
		mask := len(x.slots) - 1
		for _, s := range old {
			if s.k == 0 {
				continue
			}
			i := int(keyHash(t.at(int(s.k-1)).key) >> x.shift)
			for x.slots[i].k != 0 {
				i = (i + 1) & mask
			}
			x.slots[i] = s
		}
	}
	h := keyHash(key)
	fp, mask := uint32(h), len(x.slots)-1
	for i := int(h >> x.shift); ; i = (i + 1) & mask {
		if s := &x.slots[i]; s.k == 0 || s.fp == fp && t.at(int(s.k-1)).key == key {
			return s
		}
	}
}

// arenaChunk is the size of the arena's chunks; a block of postings over
// a quarter of it gets a chunk of its own.
const arenaChunk = 1 << 20

// alloc returns the reference of a new block of size bytes.
func (t *postTable) alloc(size int) uint64 {
	if size > arenaChunk/4 {
		t.arena = append(t.arena, make([]byte, size))
		t.held += size
		return uint64(len(t.arena)-1) << 32
	}
	if t.cur < 0 || t.used+size > arenaChunk {
		if n := len(t.spare); n > 0 {
			t.arena = append(t.arena, t.spare[n-1])
			t.spare = t.spare[:n-1]
		} else {
			t.arena = append(t.arena, make([]byte, arenaChunk))
			t.held += arenaChunk
		}
		t.cur, t.used = len(t.arena)-1, 0
	}
	ref := uint64(t.cur)<<32 | uint64(t.used)
	t.used += size
	return ref
}

// block returns the block of e, its capacity and all.
func (t *postTable) block(e *postEntry) []byte {
	off := int(e.ref & (1<<32 - 1))
	return t.arena[e.ref>>32][off : off+int(e.cap)]
}

// write appends p to the postings in e's block, moving them to a block
// twice the size when they outgrow it (the old block is not reused).
func (t *postTable) write(e *postEntry, p []byte) {
	if int(e.len)+len(p) > int(e.cap) {
		size := max(8, 2*int(e.cap), int(e.len)+len(p))
		ref := t.alloc(size)
		nb := t.arena[ref>>32][int(ref&(1<<32-1)):][:size]
		if e.cap > 0 {
			copy(nb, t.block(e)[:e.len])
			if e.cap > arenaChunk/4 { // a chunk of its own: let it go
				t.arena[e.ref>>32] = nil
				t.held -= int(e.cap)
			}
		}
		e.ref, e.cap = ref, uint32(size)
	}
	copy(t.block(e)[e.len:], p)
	e.len += uint32(len(p))
}

// add appends story i (greater than any before) with impact imp to e.
func (t *postTable) add(e *postEntry, i int32, imp uint8) {
	var buf [2*binary.MaxVarintLen64 + 2]byte
	var p []byte
	switch e.n {
	case 0:
		e.imp0 = imp
	case 1:
		p = append(binary.AppendUvarint(buf[:0], uint64(e.last)), e.imp0)
		fallthrough
	default:
		p = append(binary.AppendUvarint(p, uint64(i-e.last)), imp)
		t.write(e, p)
	}
	e.last = i
	e.n++
}

// entrySizes returns the size of an entry of a gram of g bytes in a
// field, with n postings of p bytes uncompressed, and an estimate of its
// size in its bucket (long postings are elsewhere).
func entrySizes(g, field, n, p int) (size, head int) {
	size = uvarintLen(uint64(g)) + g + uvarintLen(uint64(field)) + uvarintLen(uint64(n)) + 2 + p
	if p > inlineMax {
		return size, size - p + 3
	}
	return size, size
}

// shardItem is an entry of a shard: its gram and postings (every gap,
// then every impact) in the shard's buffers.
type shardItem struct {
	g0, g1 uint32 // the gram, grams[g0:g1]
	p0, p1 uint32 // the postings, posts[p0:p1]
	n      int32
	field  uint8
}

// shardBuf is the entries of a shard, as they are encoded.
type shardBuf struct {
	items        []shardItem
	grams, posts []byte
}

func (sb *shardBuf) gram(it shardItem) []byte { return sb.grams[it.g0:it.g1] }

// gramKey packs a gram of one to three runes, none ASCII, into an integer,
// 21 bits a rune from the top, a missing rune 0: one to one, since each
// rune is at least 0x80 and below 1<<21, and keys order as their grams'
// text does (UTF-8 keeps the order of code points, and a shorter gram
// comes before the longer ones it begins). Any other gram (with a letter
// or digit of a word, or not valid UTF-8) gives false.
func gramKey(g string) (uint64, bool) {
	var key uint64
	n := 0
	for _, r := range g {
		if r < 0x80 || r == utf8.RuneError || n == 3 {
			return 0, false
		}
		key = key<<21 | uint64(r)
		n++
	}
	return key << (21 * (3 - n)), n > 0
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// encodeShard encodes the entries of one shard (sorted by gram, then
// field): the bucket table, the buckets, the long postings compressed
// (see the layout above).
func encodeShard(sb *shardBuf, shards, buckets int) []byte {
	bs := make([][]byte, buckets)
	var long []byte
	for _, it := range sb.items {
		g, payload := sb.gram(it), sb.posts[it.p0:it.p1]
		v := bucketOf(g, shards, buckets)
		b := bs[v]
		b = binary.AppendUvarint(b, uint64(len(g)))
		b = append(b, g...)
		b = binary.AppendUvarint(b, uint64(it.field))
		b = binary.AppendUvarint(b, uint64(it.n))
		if len(payload) <= inlineMax {
			b = binary.AppendUvarint(b, uint64(len(payload))<<1)
			b = append(b, payload...)
		} else {
			start := len(long)
			long = appendDeflated(long, payload)
			b = binary.AppendUvarint(b, uint64(len(long)-start)<<1|1)
			b = binary.AppendUvarint(b, uint64(start))
		}
		bs[v] = b
	}
	size := 4 * (buckets + 1)
	for _, b := range bs {
		size += len(b)
	}
	out := make([]byte, 4*(buckets+1), size+len(long))
	off := len(out)
	for v, b := range bs {
		binary.LittleEndian.PutUint32(out[4*v:], uint32(off))
		off += len(b)
	}
	binary.LittleEndian.PutUint32(out[4*buckets:], uint32(off))
	for _, b := range bs {
		out = append(out, b...)
	}
	return append(out, long...)
}

// shardEntry is what a bucket says of a (gram, field): n postings, given
// (short) or at off, of length size, from the end of the buckets (long,
// compressed).
type shardEntry struct {
	n         int
	short     []byte
	long      bool
	off, size int
}

// flaters are raw DEFLATE writers for records and long postings. They
// are klauspost/compress's (already in the build, for S3 deploys) at
// level 4: on a 2,000-character story it took 76 µs for 0.59 of its size,
// where the standard library's BestSpeed, reused, took 113 µs for 0.60
// (its default level costs more to reset than to compress stories of a
// few KB). Readers inflate with any DEFLATE decoder.
var flaters sync.Pool

// flateLevel is the level of flaters.
const flateLevel = 4

// record is what a story's record holds: its normalised Doc and the
// pinyin readings of its title, credit and tags (search.PinyinReadings),
// for highlighting pinyin matches.
type record struct {
	search.Doc
	Py map[string][]string `json:"py,omitempty"`
}

// encodeRecord is a story's record as JSON, compressed with raw DEFLATE
// (a Chinese story shrinks to about a third).
func encodeRecord(d search.Doc) ([]byte, error) {
	py := search.PinyinReadings(d)
	if len(py) == 0 {
		py = nil
	}
	js, err := json.Marshal(record{d, py})
	if err != nil {
		return nil, err
	}
	return appendDeflated(make([]byte, 0, len(js)/2), js), nil
}

// appendDeflated appends p compressed with raw DEFLATE to b.
func appendDeflated(b, p []byte) []byte {
	buf := bytes.NewBuffer(b)
	fw, _ := flaters.Get().(*kflate.Writer)
	if fw == nil {
		fw, _ = kflate.NewWriter(buf, flateLevel) // a valid level: no error
	} else {
		fw.Reset(buf)
	}
	defer flaters.Put(fw)
	fw.Write(p) // writes to a bytes.Buffer: cannot fail
	fw.Close()
	return buf.Bytes()
}

// decodeRecord reads a record written by encodeRecord into d.
func decodeRecord(rec []byte, d *record) error {
	js, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(rec)), maxRecord))
	if err != nil {
		return err
	}
	return json.Unmarshal(js, d)
}

// maxRecord bounds an inflated record: a story's body is capped far below.
const maxRecord = 16 << 20
