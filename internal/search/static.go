package search

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"
)

// The static index: files a browser script fetches, so search works on a
// static host. Layout under its directory:
//
//	meta.json     version, number of stories, shard count, credit names
//	docs.bin      per story (numbered newest first, then by slug): uvarint
//	              days before the previous story, uvarint credit number+1
//	s/XXXX.bin    postings shard XXXX (hex): entries of uvarint-prefixed
//	              field and gram, uvarint document count, then uvarint
//	              gaps between story numbers
//	d/N.json      story N, normalised (for titles and snippets)
//	search.js     the query script (a mirror of StaticIndex.Search)
//	index.html    the reader search page
//
// A gram lives in shard fnv1a32(gram) mod shard count, in every field: a
// query fetches one shard per distinct gram, at most five for four
// characters (three bigrams, two trigrams).

// staticMeta is meta.json.
type staticMeta struct {
	Version string   `json:"version"`
	N       int      `json:"n"`
	Shards  int      `json:"shards"`
	Base    int      `json:"base"` // day of story 0
	Credits []string `json:"credits"`
}

// shardBytes is the target size of a postings shard.
const shardBytes = 8 << 10

// shardOf is fnv1a32(gram) mod shards.
func shardOf(gram string, shards int) int {
	h := uint32(2166136261)
	for i := 0; i < len(gram); i++ {
		h ^= uint32(gram[i])
		h *= 16777619
	}
	return int(h % uint32(shards))
}

// StaticOptions tune WriteStatic.
type StaticOptions struct {
	// Title is the site title shown on the search page.
	Title string
	// Home is the URL of the site's home page (default "../").
	Home string
	// Stylesheet, if set, is linked from the search page.
	Stylesheet string
	// Header and Footer, if set, are the site's own header and footer
	// (trusted HTML from its theme), shown around the search page.
	Header, Footer template.HTML
}

// orderDocs returns normalised docs newest first, then by slug: story
// numbers in the static index.
func orderDocs(docs []Doc) []Doc {
	out := make([]Doc, len(docs))
	for i, d := range docs {
		out[i] = d.normalized()
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := day(out[i].Date), day(out[j].Date)
		if a != b {
			return a > b
		}
		return out[i].Slug < out[j].Slug
	})
	return out
}

// WriteStatic writes the static index of docs, the script and the search
// page into dir, replacing it: the files are written to a sibling
// directory first and renamed into place. Duplicate slugs are an error.
func WriteStatic(dir string, docs []Doc, opt StaticOptions) error {
	files, err := buildStatic(docs, opt)
	if err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+"-")
	if err != nil {
		return fmt.Errorf("writing static search index: %w", err)
	}
	defer os.RemoveAll(tmp)
	made := map[string]bool{}
	for _, f := range files {
		if d := filepath.Dir(filepath.Join(tmp, filepath.FromSlash(f.Name))); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("writing static search index: %w", err)
			}
			made[d] = true
		}
	}
	// Files are small and many: write each directory's from its own
	// goroutine (creating files in one directory does not parallelise).
	byDir := map[string][]int{}
	for i, f := range files {
		d := path.Dir(f.Name)
		byDir[d] = append(byDir[d], i)
	}
	errs := make([]error, 0, len(byDir))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, idx := range byDir {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range idx {
				if err := os.WriteFile(filepath.Join(tmp, filepath.FromSlash(files[i].Name)), files[i].Data, 0o644); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
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

// StaticFingerprint identifies what WriteStatic writes besides the
// stories' postings: the format version, the search page for opt and the
// script. A builder that reuses a static index while the stories are
// unchanged must compare it too, or a new page or script never ships.
func StaticFingerprint(opt StaticOptions) (string, error) {
	page, err := staticPage(opt)
	if err != nil {
		return "", err
	}
	h := fnv.New64a()
	h.Write([]byte(analysisVersion))
	h.Write(page)
	h.Write(Script())
	return strconv.FormatUint(h.Sum64(), 16), nil
}

// StaticFile is one file of the static index.
type StaticFile struct {
	Name string // slash-separated, relative to the index directory
	Data []byte
}

// BuildStatic returns the files WriteStatic writes, for builders that write
// their own output (for example into an fs.FS or an archive).
func BuildStatic(docs []Doc, opt StaticOptions) ([]StaticFile, error) {
	return buildStatic(docs, opt)
}

func buildStatic(docs []Doc, opt StaticOptions) ([]StaticFile, error) {
	ds := orderDocs(docs)
	seen := map[string]bool{}
	for _, d := range ds {
		if seen[d.Slug] {
			return nil, fmt.Errorf("two stories have the slug %q", d.Slug)
		}
		seen[d.Slug] = true
	}
	meta := staticMeta{Version: analysisVersion, N: len(ds), Credits: []string{}}
	creditNo := map[string]int{}
	var docsBin []byte
	prev := 0
	if len(ds) > 0 {
		meta.Base = day(ds[0].Date)
		prev = meta.Base
	}
	for _, d := range ds {
		dd := day(d.Date)
		docsBin = binary.AppendUvarint(docsBin, uint64(prev-dd))
		prev = dd
		c := 0
		if d.Credit != "" {
			n, ok := creditNo[d.Credit]
			if !ok {
				n = len(meta.Credits)
				creditNo[d.Credit] = n
				meta.Credits = append(meta.Credits, d.Credit)
			}
			c = n + 1
		}
		docsBin = binary.AppendUvarint(docsBin, uint64(c))
	}
	files := make([]StaticFile, len(ds), len(ds)+8)
	post, err := staticPostings(ds, files)
	if err != nil {
		return nil, err
	}
	// Size the shards, then encode each shard's entries (sorted by field,
	// then gram) on every CPU.
	total := 0
	for _, fp := range post {
		for _, e := range fp.entries {
			total += entrySize(fp.name, e.gram, e.ids)
		}
	}
	shards := 1
	for shards*shardBytes < total && shards < 1<<16 {
		shards *= 2
	}
	meta.Shards = shards
	bufs := make([][]byte, shards)
	parallel(func(w, workers int) {
		for _, fp := range post {
			for _, e := range fp.entries {
				sh := shardOf(e.gram, shards)
				if sh%workers == w {
					bufs[sh] = appendEntry(bufs[sh], fp.name, e.gram, e.ids)
				}
			}
		}
	})
	for sh, b := range bufs {
		files = append(files, StaticFile{shardName(sh), b})
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("encoding static search index: %w", err)
	}
	files = append(files,
		StaticFile{"meta.json", mb},
		StaticFile{"docs.bin", docsBin},
		StaticFile{"search.js", Script()},
	)
	page, err := staticPage(opt)
	if err != nil {
		return nil, err
	}
	files = append(files, StaticFile{"index.html", page})
	return files, nil
}

func shardName(s int) string { return fmt.Sprintf("s/%04x.bin", s) }

// StaticIndex reads a static index: the reference implementation of the
// browser script, used to test that both agree with the server.
type StaticIndex struct {
	fsys    fs.FS
	meta    staticMeta
	days    []int
	credit  []int32 // credit number+1 per story, 0 for none
	years   []int32
	shards  map[int][]byte
	fetched int // bytes read since the last ResetFetched
	// fetchedShards counts the postings bytes of fetched alone.
	fetchedShards int
}

// OpenStatic opens the static index in fsys (its root is the index
// directory), reading meta.json and docs.bin.
func OpenStatic(fsys fs.FS) (*StaticIndex, error) {
	s := &StaticIndex{fsys: fsys, shards: map[int][]byte{}}
	mb, err := s.read("meta.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(mb, &s.meta); err != nil {
		return nil, fmt.Errorf("reading static search index: meta.json: %w", err)
	}
	if s.meta.Version != analysisVersion {
		return nil, fmt.Errorf("static search index version %q, want %q", s.meta.Version, analysisVersion)
	}
	db, err := s.read("docs.bin")
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(db)
	d := s.meta.Base
	for i := 0; i < s.meta.N; i++ {
		delta, err1 := binary.ReadUvarint(r)
		c, err2 := binary.ReadUvarint(r)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("reading static search index: docs.bin is truncated at story %d", i)
		}
		d -= int(delta)
		if c > uint64(len(s.meta.Credits)) {
			return nil, fmt.Errorf("reading static search index: docs.bin names credit %d of %d", c, len(s.meta.Credits))
		}
		s.days = append(s.days, d)
		s.credit = append(s.credit, int32(c))
		s.years = append(s.years, int32(time.Unix(int64(d)*86400, 0).UTC().Year()))
	}
	return s, nil
}

func (s *StaticIndex) read(name string) ([]byte, error) {
	b, err := fs.ReadFile(s.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading static search index: %w", err)
	}
	s.fetched += len(b)
	return b, nil
}

// Fetched returns the bytes read since the last ResetFetched (or Open),
// counting each shard once, as a browser cache would, and how many of
// them were postings shards (the rest: meta.json, docs.bin, stories).
func (s *StaticIndex) Fetched() (total, shards int) { return s.fetched, s.fetchedShards }

// ResetFetched forgets fetched shards and zeroes the byte counts.
func (s *StaticIndex) ResetFetched() {
	s.fetched, s.fetchedShards = 0, 0
	s.shards = map[int][]byte{}
}

// postings returns the story numbers holding gram in field.
func (s *StaticIndex) postings(field, gram string) ([]int32, error) {
	n := shardOf(gram, s.meta.Shards)
	b, ok := s.shards[n]
	if !ok {
		var err error
		b, err = s.read(shardName(n))
		if err != nil {
			return nil, err
		}
		s.fetchedShards += len(b)
		s.shards[n] = b
	}
	r := bytes.NewReader(b)
	readStr := func() (string, error) {
		l, err := binary.ReadUvarint(r)
		if err != nil || l > uint64(r.Len()) {
			return "", fmt.Errorf("reading static search index: shard %d is corrupt", n)
		}
		buf := make([]byte, l)
		_, _ = r.Read(buf)
		return string(buf), nil
	}
	for r.Len() > 0 {
		f, err := readStr()
		if err != nil {
			return nil, err
		}
		g, err := readStr()
		if err != nil {
			return nil, err
		}
		cnt, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("reading static search index: shard %d is corrupt", n)
		}
		match := f == field && g == gram
		var ids []int32
		id := int32(0)
		for i := uint64(0); i < cnt; i++ {
			gap, err := binary.ReadUvarint(r)
			if err != nil {
				return nil, fmt.Errorf("reading static search index: shard %d is corrupt", n)
			}
			if match {
				id += int32(gap)
				ids = append(ids, id)
			}
		}
		if match {
			return ids, nil
		}
	}
	return nil, nil
}

// doc reads story i.
func (s *StaticIndex) doc(i int) (Doc, error) {
	var d Doc
	b, err := s.read("d/" + strconv.Itoa(i) + ".json")
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("reading static search index: story %d: %w", i, err)
	}
	return d, nil
}

// Search runs q as search.js does.
func (s *StaticIndex) Search(q Query) (*Result, error) {
	res, err := s.search(q, planQuery(q.Text, false))
	if err != nil {
		return nil, err
	}
	if res.Total == 0 && relaxable(q.Text) {
		return s.search(q, planQuery(q.Text, true))
	}
	return res, nil
}

func (s *StaticIndex) search(q Query, p *plan) (*Result, error) {
	n := s.meta.N
	limit, offset := q.limit(), max(q.Offset, 0)
	res := &Result{Query: q.Text, Partial: p.Partial, Offset: offset, Limit: limit, Hits: []Hit{}}
	ok, err := filterMask(q, n, nil, s.postings, func(i int) int { return s.days[i] })
	if err != nil {
		return nil, err
	}
	score, err := scorePlan(p, n, n, ok, s.postings)
	if err != nil {
		return nil, err
	}
	fs := docFacets{credit: s.credit, credits: s.meta.Credits, year: s.years}
	for _, i := range collect(q, p, res, ok, score, nil, fs) {
		d, err := s.doc(i)
		if err != nil {
			return nil, err
		}
		res.Hits = append(res.Hits, newHit(d, score[i], p))
	}
	return res, nil
}

// parallel runs fn(w, workers) for w in [0, workers), one worker a CPU.
func parallel(fn func(w, workers int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			fn(w, workers)
		}(w)
	}
	wg.Wait()
}

// postEntry is the postings of one gram: ascending story numbers.
type postEntry struct {
	gram string
	ids  []int32
}

// fieldPostings is the postings of one field, sorted by gram.
type fieldPostings struct {
	name    string
	entries []postEntry
}

// staticPostings returns the postings of the stories ds, by field name,
// and sets files[i] to story i. Each CPU takes a contiguous range of
// stories; their postings are then joined in story order.
func staticPostings(ds []Doc, files []StaticFile) ([]fieldPostings, error) {
	type part struct {
		post map[string]map[string][]int32
		err  error
	}
	workers := runtime.GOMAXPROCS(0)
	parts := make([]part, workers)
	parallel(func(w, workers int) {
		lo, hi := len(ds)*w/workers, len(ds)*(w+1)/workers
		post := map[string]map[string][]int32{}
		for i := lo; i < hi; i++ {
			d := ds[i]
			// Grams may repeat within a story: drop repeats here.
			for field, gs := range gramTerms(d, false) {
				if field == yearField {
					continue
				}
				fp := post[field]
				if fp == nil {
					fp = make(map[string][]int32, 1024)
					post[field] = fp
				}
				for _, g := range gs {
					ids := fp[g]
					if len(ids) > 0 && ids[len(ids)-1] == int32(i) {
						continue
					}
					fp[g] = append(ids, int32(i))
				}
			}
			b, err := json.Marshal(d)
			if err != nil {
				parts[w].err = fmt.Errorf("encoding story %s: %w", d.Slug, err)
				return
			}
			files[i] = StaticFile{"d/" + strconv.Itoa(i) + ".json", b}
		}
		parts[w].post = post
	})
	names := map[string]bool{}
	for _, p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		for f := range p.post {
			names[f] = true
		}
	}
	out := make([]fieldPostings, 0, len(names))
	for f := range names {
		out = append(out, fieldPostings{name: f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	// Join and sort each field on its own CPU.
	parallel(func(w, workers int) {
		for k := w; k < len(out); k += workers {
			fp := &out[k]
			joined := parts[0].post[fp.name]
			if joined == nil {
				joined = map[string][]int32{}
			}
			for _, p := range parts[1:] {
				for g, ids := range p.post[fp.name] {
					joined[g] = append(joined[g], ids...)
				}
			}
			fp.entries = make([]postEntry, 0, len(joined))
			for g, ids := range joined {
				fp.entries = append(fp.entries, postEntry{g, ids})
			}
			sort.Slice(fp.entries, func(i, j int) bool { return fp.entries[i].gram < fp.entries[j].gram })
		}
	})
	return out, nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// entrySize is the encoded size of a postings entry.
func entrySize(field, gram string, ids []int32) int {
	n := uvarintLen(uint64(len(field))) + len(field) + uvarintLen(uint64(len(gram))) + len(gram) + uvarintLen(uint64(len(ids)))
	last := int32(0)
	for _, id := range ids {
		n += uvarintLen(uint64(id - last))
		last = id
	}
	return n
}

// appendEntry appends a postings entry: uvarint-prefixed field and gram,
// uvarint count, uvarint gaps between story numbers.
func appendEntry(b []byte, field, gram string, ids []int32) []byte {
	b = binary.AppendUvarint(b, uint64(len(field)))
	b = append(b, field...)
	b = binary.AppendUvarint(b, uint64(len(gram)))
	b = append(b, gram...)
	b = binary.AppendUvarint(b, uint64(len(ids)))
	last := int32(0)
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(id-last))
		last = id
	}
	return b
}
