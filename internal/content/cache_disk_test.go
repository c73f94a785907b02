package content

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// diskSite writes a small content folder and returns it.
func diskSite(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"site.yaml":                "title: 多维世界\n",
		"stories/a.md":             "---\ntitle: 小区管道“添堵”\nslug: a\nkicker: 普陀区长征镇为“网格”赋能\ncredit: 长征镇\ndate: 2025-05-22\ntags: [社区治理, 网格]\ncorrections:\n  - date: 2025-05-23\n    note: 更正错字\nphotos:\n  - file: 1.jpg\n    caption: 居民议事\n    taken: 2025-05-20T08:00:00Z\n    size: 3\n    ratio: 1.5\n---\n自党建引领“多格合一”试点工作启动以来……\n\n## 从“痛点”到“焦点”\n",
		"stories/b.md":             "+++\ntitle = \"佘山镇翠鑫苑巧解社区“千千结”\"\ndate = 2025-05-22\ncredit = \"佘山镇\"\nslug = \"b\"\n+++\n正文。\n",
		"editions/2025-05-22.yaml": "date: 2025-05-22\npage: 14\nitems:\n  - story: a\n    lead: true\n    module: {columns: 4, lines: 30}\n  - story: b\ngeometry:\n  columns: 6\n  headlineSizes: [30, 24]\nlayout:\n  - {item: a, column: 1, columns: 4, row: 0, lines: 30}\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadedOnce writes a content folder and loads it through a cache that
// keeps files written a moment ago; it returns the folder and the cache.
func loadedOnce(t *testing.T) (string, *Cache) {
	t.Helper()
	dir := diskSite(t)
	c := NewCache()
	c.once, c.settle = true, -time.Hour
	if _, err := Load(os.DirFS(dir), LoadOptions{Cache: c}); err != nil {
		t.Fatal(err)
	}
	return dir, c
}

// saved writes c as a cache file and reads it back for one Load.
func saved(t *testing.T, c *Cache) *Cache {
	t.Helper()
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCache(buf.Bytes(), true)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// bodies returns each story's body by slug, through LoadBody.
func bodies(t *testing.T, c *Content) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range c.Stories {
		b, err := s.LoadBody()
		if err != nil {
			t.Fatal(err)
		}
		out[s.Slug] = string(b)
	}
	return out
}

// A cache written by one process and read by the next gives the same
// content as reading every file, field for field, without parsing any.
func TestCacheFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir := diskSite(t)
	fsys := os.DirFS(dir)
	want, err := Load(fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := NewCache()
	first.once = true
	first.settle = -time.Hour
	if _, err := Load(fsys, LoadOptions{Cache: first}); err != nil {
		t.Fatal(err)
	}
	if first.Parsed() != 3 || !first.Changed() {
		t.Fatalf("first load parsed %d files (changed %v), want 3", first.Parsed(), first.Changed())
	}
	next := saved(t, first)
	got, err := Load(fsys, LoadOptions{Cache: next})
	if err != nil {
		t.Fatal(err)
	}
	if next.Parsed() != 0 || next.Changed() {
		t.Errorf("second load parsed %d files (changed %v), want none", next.Parsed(), next.Changed())
	}
	if w, g := bodies(t, want), bodies(t, got); !reflect.DeepEqual(w, g) {
		t.Errorf("bodies differ:\n%q\n%q", w, g)
	}
	for i := range want.Stories {
		w, g := *want.Stories[i], *got.Stories[i]
		w.Body, g.Body, w.lazy, g.lazy = nil, nil, nil, nil
		if !reflect.DeepEqual(w, g) {
			t.Errorf("story %s differs after the cache:\n%#v\n%#v", w.Path, w, g)
		}
		if w.Date.String() != g.Date.String() {
			t.Errorf("date %s became %s", w.Date, g.Date)
		}
	}
	if !reflect.DeepEqual(want.Editions, got.Editions) {
		t.Errorf("editions differ:\n%#v\n%#v", want.Editions[0], got.Editions[0])
	}
}

// A story's body is read from its file when it is needed, and only if
// the file is still the one whose front matter was loaded.
func TestCachedBodyIsReadWhenNeeded(t *testing.T) {
	t.Parallel()
	dir, c := loadedOnce(t)
	fsys := os.DirFS(dir)
	got, err := Load(fsys, LoadOptions{Cache: saved(t, c)})
	if err != nil {
		t.Fatal(err)
	}
	a := got.Story("a")
	if a.Body != nil {
		t.Fatalf("a cached story came with its body: %q", a.Body)
	}
	b, err := a.LoadBody()
	if err != nil || !bytes.HasPrefix(b, []byte("自党建引领")) {
		t.Errorf("LoadBody = %q, %v", b, err)
	}
	// Changed after the load: the body no longer belongs to the front
	// matter the build has, so the build must fail, not mix the two.
	os.WriteFile(filepath.Join(dir, "stories/b.md"), []byte("+++\ntitle = \"改了\"\ndate = 2025-05-22\nslug = \"b\"\n+++\n新正文。\n"), 0o644)
	if _, err := got.Story("b").LoadBody(); !errors.Is(err, ErrChangedDuringBuild) {
		t.Errorf("body of a file changed during the build: %v", err)
	}
	var fe *FileError
	if _, err := got.Story("b").LoadBody(); !errors.As(err, &fe) || fe.File != "stories/b.md" || fe.Zh == "" {
		t.Errorf("the error names no file or has no Chinese message: %#v", err)
	}
	// MarshalStory writes the body it reads, never an empty one.
	if out, err := MarshalStory(a); err != nil || !bytes.Contains(out, []byte("自党建引领")) {
		t.Errorf("MarshalStory of a cached story: %v\n%s", err, out)
	}
}

// A file written again is parsed again, even with the same size and its
// old modification time put back (the change time and inode tell), and a
// file read within the settling time of its last change is not kept for
// the next process.
func TestCacheNoticesRewrittenFiles(t *testing.T) {
	t.Parallel()
	dir, c := loadedOnce(t)
	fsys := os.DirFS(dir)
	next := saved(t, c)
	name := filepath.Join(dir, "stories/b.md")
	info, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(name)
	same := bytes.Replace(old, []byte("正文"), []byte("内容"), 1) // same length
	if len(same) != len(old) {
		t.Fatal("test edit changes the size")
	}
	if err := os.WriteFile(name, same, 0o644); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		os.Chtimes(name, info.ModTime(), info.ModTime())
	}
	got, err := Load(fsys, LoadOptions{Cache: next})
	if err != nil {
		t.Fatal(err)
	}
	if next.Parsed() != 1 || bodies(t, got)["b"] != "内容。\n" {
		t.Errorf("rewritten file: parsed %d, body %q", next.Parsed(), bodies(t, got)["b"])
	}

	// With the real settling time, files written a moment ago are parsed
	// and used, but not written for the next process.
	fresh := NewCache()
	fresh.once = true
	if _, err := Load(fsys, LoadOptions{Cache: fresh}); err != nil {
		t.Fatal(err)
	}
	if fresh.Changed() {
		t.Error("files written a moment ago would be kept for the next process")
	}
	if after := saved(t, fresh); len(after.m)+len(after.eds) != 0 {
		t.Errorf("cache file has %d stories and %d editions, want none", len(after.m), len(after.eds))
	}
}

// A damaged or foreign cache file is refused whole: an empty cache, and
// every file read.
func TestDamagedCacheFile(t *testing.T) {
	t.Parallel()
	_, c := loadedOnce(t)
	var buf bytes.Buffer
	c.WriteTo(&buf)
	good := buf.Bytes()
	flip := bytes.Clone(good)
	flip[len(flip)/2] ^= 1
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-9],
		"bit flip":  flip,
		"foreign":   []byte("一个别的文件，不是缓存。一个别的文件，不是缓存。"),
	} {
		got, err := ReadCache(data, true)
		if !errors.Is(err, ErrCacheInvalid) {
			t.Errorf("%s: error %v, want ErrCacheInvalid", name, err)
		}
		if got == nil || len(got.m)+len(got.eds) != 0 {
			t.Errorf("%s: a refused cache still has entries", name)
		}
	}
}

// FuzzReadCache: any bytes are a cache or ErrCacheInvalid, never a panic
// or a cache with entries from a damaged file.
func FuzzReadCache(f *testing.F) {
	dir := diskSite(f)
	c := NewCache()
	c.once, c.settle = true, -time.Hour
	if _, err := Load(os.DirFS(dir), LoadOptions{Cache: c}); err == nil {
		var buf bytes.Buffer
		c.WriteTo(&buf)
		f.Add(buf.Bytes())
	}
	f.Add([]byte(cacheMagic))
	f.Add([]byte("banmian content cache\n\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadCache(data, true)
		if got == nil {
			t.Fatal("nil cache")
		}
		if err != nil && len(got.m)+len(got.eds) != 0 {
			t.Fatalf("refused cache has entries: %v", err)
		}
	})
}

// ReleaseBody drops a loaded story's body; LoadBody reads it again from
// the file. A story made in memory keeps its body.
func TestReleaseBody(t *testing.T) {
	t.Parallel()
	dir := diskSite(t)
	c, err := Load(os.DirFS(dir), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Story("a")
	want, _ := a.LoadBody()
	a.ReleaseBody()
	if a.Body != nil {
		t.Fatal("body kept")
	}
	if got, err := a.LoadBody(); err != nil || !bytes.Equal(got, want) || len(got) == 0 {
		t.Errorf("LoadBody after ReleaseBody = %q, %v; want %q", got, err, want)
	}
	mem := &Story{Title: "内存中的稿件", Body: []byte("正文。")}
	mem.ReleaseBody()
	if got, _ := mem.LoadBody(); string(got) != "正文。" {
		t.Errorf("a story made in memory lost its body: %q", got)
	}
}

// TestOnceCacheKeepsNoBodies: a cache for one build keeps no story's
// body, so a story that lets go of its source (ReleaseBody) frees it; a
// story from that cache reads its body from its file.
func TestOnceCacheKeepsNoBodies(t *testing.T) {
	dir, c := loadedOnce(t)
	for p, e := range c.m {
		if e.story != nil && e.story.Body != nil {
			t.Errorf("%s: the cache keeps the body", p)
		}
	}
	got, err := Load(os.DirFS(dir), LoadOptions{Cache: saved(t, c)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got.Stories {
		body, err := s.LoadBody()
		if err != nil || len(body) == 0 {
			t.Errorf("%s: body %q, %v", s.Path, body, err)
		}
	}
}

// LazyBodies: Load keeps no body, LoadBody reads each from its file, and
// ReleaseBody lets go of a body read that way too. A file changed after
// Load is refused, in Chinese too.
func TestLazyBodies(t *testing.T) {
	t.Parallel()
	dir := diskSite(t)
	eager, err := Load(os.DirFS(dir), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := Load(os.DirFS(dir), LoadOptions{LazyBodies: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(lazy.Stories) != len(eager.Stories) || len(lazy.Stories) == 0 {
		t.Fatalf("%d stories lazily, %d eagerly", len(lazy.Stories), len(eager.Stories))
	}
	for i, s := range lazy.Stories {
		if s.Body != nil {
			t.Errorf("%s: body kept after Load", s.Path)
		}
		want, _ := eager.Stories[i].LoadBody()
		for range 2 { // read, let go, read again
			got, err := s.LoadBody()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: LoadBody = %q, %v; want %q", s.Path, got, err, want)
			}
			s.ReleaseBody()
			if s.Body != nil || s.lazy.loaded() {
				t.Errorf("%s: ReleaseBody kept the body read from the file", s.Path)
			}
		}
	}
	s := lazy.Story("a")
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(s.Path)), []byte("---\ntitle: 改过的稿件\n---\n改过的正文。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = s.LoadBody()
	var fe *FileError
	if !errors.Is(err, ErrChangedDuringBuild) || !errors.As(err, &fe) || fe.Zh == "" {
		t.Errorf("LoadBody of a changed file = %v; want ErrChangedDuringBuild with a Chinese message", err)
	}
}
