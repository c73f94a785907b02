package content

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/banmian/banmian/internal/parallel"
)

// Cache holds parsed stories and editions between loads of the same
// folder, in memory (serve keeps one) and, written with WriteTo and read
// back with ReadCache, between processes (banmian build keeps one beside
// its output). A file is taken from the cache only when its stamp (size,
// modification and change times, inode) is the one it was parsed with.
// It is safe for concurrent use.
type Cache struct {
	mu  sync.Mutex
	m   map[string]cacheEntry
	eds map[string]editionEntry
	// once: the cache serves one Load (banmian build), which owns what
	// it is handed; entries are not deep-copied in or out.
	once bool
	// seen has the paths the last Load asked for.
	seen map[string]bool
	// changed: entries were added, replaced or dropped since the cache was
	// read, so WriteTo has something new to write.
	changed bool
	parsed  int // files parsed (not taken from the cache) by the last Load
	// settle is CacheSettle when the cache was made.
	settle time.Duration
}

// stamp identifies one version of a file without reading it.
type stamp struct {
	Size, Mod, Change int64 // Mod and Change in Unix nanoseconds
	Ino, Dev          uint64
}

// CacheSettle is how old a file's times must be, when it is read, for
// its stamp to be trusted by a later process: a file written again within
// the file system's timestamp granularity of the read may keep its stamp
// (as git's "racily clean" entries). Such a file is read again next time.
// Tests that write files and build at once set it below zero.
var CacheSettle = 2 * time.Second

func (s stamp) settled(read time.Time, settle time.Duration) bool {
	limit := read.Add(-settle).UnixNano()
	return s.Mod < limit && s.Change < limit
}

type cacheEntry struct {
	stamp   stamp
	trusted bool   // may be written for a later process
	story   *Story // as parsed (Load sets fields on its own copy)
}

type editionEntry struct {
	stamp   stamp
	trusted bool
	edition *Edition // as parsed; never modified by Load
	errs    ErrorList
}

// NewCache returns an empty cache for repeated loads in one process.
func NewCache() *Cache {
	return &Cache{m: map[string]cacheEntry{}, eds: map[string]editionEntry{}, settle: CacheSettle}
}

// begin marks the start of a Load.
func (c *Cache) begin() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.seen, c.parsed = map[string]bool{}, 0
	c.mu.Unlock()
}

// Parsed is how many story and edition files the last Load through c read
// and parsed, rather than took from the cache.
func (c *Cache) Parsed() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.parsed
}

func (c *Cache) getEdition(p string, info fs.FileInfo) (*Edition, ErrorList, bool) {
	if c == nil || info == nil {
		return nil, nil, false
	}
	c.mu.Lock()
	e, ok := c.eds[p]
	c.seen[p] = true
	c.mu.Unlock()
	if !ok || e.stamp != stampOf(info) {
		return nil, nil, false
	}
	return e.edition.clone(), cloneErrs(e.errs), true
}

func (c *Cache) putEdition(p string, info fs.FileInfo, read time.Time, e *Edition, errs ErrorList) {
	if c == nil || info == nil {
		return
	}
	st := stampOf(info)
	if !c.once {
		e = e.clone()
	}
	c.mu.Lock()
	trusted := st.settled(read, c.settle) && len(errs) == 0 && e != nil && e.Date.Location() == Newsroom
	c.eds[p] = editionEntry{stamp: st, trusted: trusted, edition: e, errs: cloneErrs(errs)}
	c.changed = c.changed || trusted // an entry too new to keep changes no file
	c.parsed++
	c.mu.Unlock()
}

// lazyBody reads the body of a story the cache kept without it, once,
// from the story's file, checking that the file is still the one parsed.
type lazyBody struct {
	fsys fs.FS
	path string
	hash uint64
	once sync.Once
	body []byte
	err  error
}

// loaded reports whether load has run. It is not safe to call while a
// load runs.
func (l *lazyBody) loaded() bool { return l.body != nil || l.err != nil }

func (l *lazyBody) load() ([]byte, error) {
	l.once.Do(func() {
		src, err := fs.ReadFile(l.fsys, l.path)
		if err != nil {
			l.err = &FileError{File: l.path, Msg: "cannot read: " + err.Error(), Zh: "无法读取文件", Err: err}
			return
		}
		if hashBytes(src) != l.hash {
			l.err = &FileError{File: l.path, Msg: "the file changed during the build; build again", Zh: "文件在生成过程中被修改，请重新生成", Err: ErrChangedDuringBuild}
			return
		}
		_, _, body, _, _, err := SplitFrontMatter(src)
		if err != nil {
			l.err = &FileError{File: l.path, Line: 1, Msg: err.Error(), Err: err}
			return
		}
		l.body = body
	})
	return l.body, l.err
}

// ErrChangedDuringBuild: a story file changed between loading its front
// matter and reading its body.
var ErrChangedDuringBuild = errors.New("file changed during the build")

// LoadBody returns the story's Markdown body: Body, or for a story that
// came from a content cache without it, the body read from its file (once;
// an error if the file is no longer the one loaded).
func (s *Story) LoadBody() ([]byte, error) {
	if s.Body != nil || s.lazy == nil {
		return s.Body, nil
	}
	return s.lazy.load()
}

// ReleaseBody lets go of a loaded story's body for a caller done with it
// (banmian index, once a story is indexed): a later LoadBody reads it from
// the file again. A story not loaded from a file keeps its body.
func (s *Story) ReleaseBody() {
	if s.lazy != nil {
		s.Body = nil
		if s.lazy.loaded() { // the body it read is let go too
			s.lazy = &lazyBody{fsys: s.lazy.fsys, path: s.lazy.path, hash: s.lazy.hash}
		}
	}
}

func (c *Cache) get(fsys fs.FS, p string, info fs.FileInfo) (*Story, bool) {
	if c == nil || info == nil {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.m[p]
	c.seen[p] = true
	c.mu.Unlock()
	if !ok || e.stamp != stampOf(info) {
		return nil, false
	}
	var s *Story
	if c.once {
		cp := *e.story // Load sets fields of its own copy only
		s = &cp
	} else {
		s = e.story.clone()
	}
	if s.Body == nil {
		s.lazy = &lazyBody{fsys: fsys, path: p, hash: s.Hash}
	}
	return s, true
}

func (c *Cache) put(p string, info fs.FileInfo, read time.Time, s *Story) {
	if c == nil || info == nil {
		return
	}
	st := stampOf(info)
	var kept *Story
	if c.once {
		cp := *s
		// The cache file holds no bodies, and a story taken from it
		// reads its body from the file: keeping it here would keep every
		// source alive after its story let go of it (ReleaseBody).
		cp.Body = nil
		kept = &cp
	} else {
		kept = s.clone()
	}
	c.mu.Lock()
	// Drafts are never written: the output folder may be copied to a
	// web server whole, dot files too.
	trusted := st.settled(read, c.settle) && len(s.Warnings) == 0 && !s.Draft && portable(s)
	c.m[p] = cacheEntry{stamp: st, trusted: trusted, story: kept}
	c.changed = c.changed || trusted // an entry too new to keep changes no file
	c.parsed++
	c.mu.Unlock()
}

// cacheMagic starts a cache file; cacheFormat changes with its layout,
// and storyShape with the fields of Story and Edition, so a cache written
// by another version of banmian is never misread.
const (
	cacheMagic  = "banmian content cache\n"
	cacheFormat = 2
)

var storyShape = shapeOf(reflect.TypeFor[Story]()) + shapeOf(reflect.TypeFor[Edition]())

// shapeOf describes t's fields, recursively, by name and type.
func shapeOf(t reflect.Type) string {
	var b bytes.Buffer
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		fmt.Fprintf(&b, "%s(", t.String())
		if depth < 4 {
			switch t.Kind() {
			case reflect.Struct:
				for i := range t.NumField() {
					f := t.Field(i)
					fmt.Fprintf(&b, "%s:", f.Name)
					walk(f.Type, depth+1)
				}
			case reflect.Pointer, reflect.Slice:
				walk(t.Elem(), depth+1)
			}
		}
		b.WriteString(")")
	}
	walk(t, 0)
	return b.String()
}

// The front matter values a cache file can hold in Story.Params.
func init() {
	gob.Register(map[string]any{})
	gob.Register([]any{})
	gob.Register(time.Time{})
}

// portable reports whether every value of s survives a cache file
// unchanged: times in the newsroom's zone (or UTC in params), and params
// of the plain types front matter gives.
func portable(s *Story) bool {
	if s.Date.Location() != Newsroom {
		return false
	}
	for _, c := range s.Corrections {
		if c.Date.Location() != Newsroom {
			return false
		}
	}
	return plainValue(s.Params)
}

func plainValue(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, int, int64, uint64, float64:
		return true
	case time.Time:
		return v.Location() == time.UTC
	case map[string]any:
		for _, x := range v {
			if !plainValue(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !plainValue(x) {
				return false
			}
		}
		return true
	}
	return false
}

// diskCache is what a cache file holds after its magic and format: the
// stories without their bodies (LoadBody reads those from the files when
// they are needed) and the editions, in cacheShards shards, each a count
// of bytes and a gob stream of its own, so that they are encoded and
// decoded in parallel (decoding 13,000 entries on one core was a seventh
// of a one-story rebuild). A CRC-32C of all that went before ends it.
type diskCache struct {
	Shape    string
	Stories  []diskStory
	Editions []diskEdition
}

type diskStory struct {
	Path  string
	Stamp stamp
	Story *Story // without its body
}

type diskEdition struct {
	Path    string
	Stamp   stamp
	Edition *Edition
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// cacheShards is how many parts a cache file is cut into.
const cacheShards = 8

// shardOf is part k of cacheShards of list.
func shardOf[T any](list []T, k int) []T {
	return list[len(list)*k/cacheShards : len(list)*(k+1)/cacheShards]
}

// WriteTo writes the cache's entries for the files the last Load saw, as
// a later process reads them with ReadCache. Entries whose files changed
// too shortly before they were read are left out (they are read again).
func (c *Cache) WriteTo(w io.Writer) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var d diskCache
	d.Shape = storyShape
	for p, e := range c.m {
		if !e.trusted || (c.seen != nil && !c.seen[p]) {
			continue
		}
		s := *e.story
		s.Body = nil
		d.Stories = append(d.Stories, diskStory{Path: p, Stamp: e.stamp, Story: &s})
	}
	for p, e := range c.eds {
		if !e.trusted || (c.seen != nil && !c.seen[p]) {
			continue
		}
		d.Editions = append(d.Editions, diskEdition{Path: p, Stamp: e.stamp, Edition: e.edition})
	}
	sort.Slice(d.Stories, func(i, j int) bool { return d.Stories[i].Path < d.Stories[j].Path })
	sort.Slice(d.Editions, func(i, j int) bool { return d.Editions[i].Path < d.Editions[j].Path })
	shards := make([]bytes.Buffer, cacheShards)
	errs := make([]error, cacheShards)
	parallel.For(cacheShards, 0, func(k int) {
		part := diskCache{Shape: d.Shape, Stories: shardOf(d.Stories, k), Editions: shardOf(d.Editions, k)}
		errs[k] = gob.NewEncoder(&shards[k]).Encode(&part)
	})
	if err := errors.Join(errs...); err != nil {
		return 0, fmt.Errorf("encoding the content cache: %w", err)
	}
	crc := crc32.New(crcTable)
	cw := &countWriter{w: io.MultiWriter(w, crc)}
	cw.Write([]byte(cacheMagic))
	cw.Write(binary.LittleEndian.AppendUint32(nil, cacheFormat))
	for k := range shards {
		cw.Write(binary.LittleEndian.AppendUint64(nil, uint64(shards[k].Len())))
		cw.Write(shards[k].Bytes())
	}
	if cw.err != nil {
		return cw.n, cw.err
	}
	sum := crc.Sum32()
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, sum))
	return cw.n + 4, err
}

// Changed reports whether WriteTo would write anything new: entries were
// parsed (and settled), or files dropped, since the cache was read.
func (c *Cache) Changed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed {
		return true
	}
	if c.seen == nil {
		return false
	}
	for p := range c.m {
		if !c.seen[p] {
			return true
		}
	}
	for p := range c.eds {
		if !c.seen[p] {
			return true
		}
	}
	return false
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (w *countWriter) Write(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(b)
	w.n += int64(n)
	w.err = err
	return n, err
}

// ErrCacheInvalid is returned by ReadCache for data that is not a cache
// file of this version of banmian (or is damaged).
var ErrCacheInvalid = errors.New("not a content cache of this version")

// ReadCache returns the cache written to data by WriteTo. once makes a
// cache for a single Load (see Cache). On an error (data empty,
// damaged or from another version) it returns an empty cache as well.
func ReadCache(data []byte, once bool) (*Cache, error) {
	c := NewCache()
	c.once = once
	if len(data) < len(cacheMagic)+16 || string(data[:len(cacheMagic)]) != cacheMagic {
		return c, ErrCacheInvalid
	}
	body, tail := data[:len(data)-4], data[len(data)-4:]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(tail) {
		return c, fmt.Errorf("%w: checksum", ErrCacheInvalid)
	}
	rest := body[len(cacheMagic):]
	if binary.LittleEndian.Uint32(rest) != cacheFormat {
		return c, fmt.Errorf("%w: format", ErrCacheInvalid)
	}
	rest = rest[4:]
	var raw [cacheShards][]byte
	for k := range raw {
		if len(rest) < 8 {
			return c, fmt.Errorf("%w: length", ErrCacheInvalid)
		}
		n := binary.LittleEndian.Uint64(rest)
		rest = rest[8:]
		if n > uint64(len(rest)) {
			return c, fmt.Errorf("%w: length", ErrCacheInvalid)
		}
		raw[k], rest = rest[:n], rest[n:]
	}
	if len(rest) != 0 {
		return c, fmt.Errorf("%w: length", ErrCacheInvalid)
	}
	var parts [cacheShards]diskCache
	var errs [cacheShards]error
	parallel.For(cacheShards, 0, func(k int) {
		errs[k] = gob.NewDecoder(bytes.NewReader(raw[k])).Decode(&parts[k])
		if errs[k] == nil && parts[k].Shape != storyShape {
			errs[k] = errors.New("fields")
		}
	})
	if err := errors.Join(errs[:]...); err != nil {
		return c, fmt.Errorf("%w: %v", ErrCacheInvalid, err)
	}
	var d diskCache
	for _, part := range parts {
		d.Stories = append(d.Stories, part.Stories...)
		d.Editions = append(d.Editions, part.Editions...)
	}
	for _, ds := range d.Stories {
		if ds.Story == nil {
			continue
		}
		s := ds.Story
		s.Body = nil
		inNewsroom(s)
		c.m[ds.Path] = cacheEntry{stamp: ds.Stamp, trusted: true, story: s}
	}
	for _, de := range d.Editions {
		if de.Edition == nil {
			continue
		}
		de.Edition.Date = de.Edition.Date.In(Newsroom)
		c.eds[de.Path] = editionEntry{stamp: de.Stamp, trusted: true, edition: de.Edition}
	}
	return c, nil
}

// inNewsroom puts a decoded story's times back in the newsroom's zone
// (a cache file keeps their offset, not the zone's name).
func inNewsroom(s *Story) {
	s.Date = s.Date.In(Newsroom)
	for i := range s.Corrections {
		s.Corrections[i].Date = s.Corrections[i].Date.In(Newsroom)
	}
}
