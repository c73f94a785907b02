package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/static"
	"github.com/banmian/banmian/internal/site"
)

// TestStaticSearchInBackground checks banmian serve's mode of the static
// search emitter: the first (full) build writes the index at once; after a
// story changes, the incremental build returns without it and the index
// catches up in the background.
func TestStaticSearchInBackground(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	writeFiles(t, src, map[string]string{
		"stories/a.md": "---\ntitle: 小区管道“添堵”\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n管道疏通。\n",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs []error
	bg := static.NewBackground(ctx, filepath.Join(out, "search"), func(err error) { errs = append(errs, err) })
	defer bg.Close()
	ss := &staticSearch{b: bg}
	b := site.New(site.Options{Source: os.DirFS(src), OutDir: out, Emitters: []site.Emitter{ss.emit}})
	if _, err := b.Build(ctx); err != nil {
		t.Fatal(err)
	}
	fp := func() string {
		data, err := os.ReadFile(filepath.Join(out, "search", "meta.json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	first := fp()

	writeFiles(t, src, map[string]string{
		"stories/b.md": "---\ntitle: 社区食堂开张\ncredit: 佘山镇\ndate: 2025-05-23\nslug: b\n---\n社区食堂今天开张。\n",
	})
	st, err := b.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Full {
		t.Fatal("second build was not incremental")
	}
	bg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if fp() == first {
		t.Fatal("static index not rebuilt after a story was added")
	}
	ix, err := static.Open(os.DirFS(filepath.Join(out, "search")))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(search.Query{Text: "社区食堂开张"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || res.Hits[0].ID != "b" || res.Hits[0].Title != "社区食堂开张" {
		t.Errorf("the new story is not found in the static index: %+v", res)
	}
	if entries, _ := filepath.Glob(filepath.Join(out, ".search-*")); len(entries) > 0 {
		t.Errorf("temporary folders left: %v", entries)
	}
}

// TestStaticSearchFingerprint: the static index is rebuilt when its page
// would change (here the site's header), not only when stories do.
func TestStaticSearchFingerprint(t *testing.T) {
	t.Parallel()
	c := &content.Content{Site: content.DefaultSite()}
	a := staticSearchFP(&site.Snapshot{Content: c, Header: `<header>甲</header>`})
	b := staticSearchFP(&site.Snapshot{Content: c, Header: `<header>乙</header>`})
	if a == b || a != staticSearchFP(&site.Snapshot{Content: c, Header: `<header>甲</header>`}) {
		t.Errorf("fingerprints %s %s", a, b)
	}
}

// TestStaticSearchSettle: settle (what a deploy after a publish waits on)
// returns once the background rebuild has written the new index.
func TestStaticSearchSettle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	writeFiles(t, src, map[string]string{
		"stories/a.md": "---\ntitle: 小区管道“添堵”\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n管道疏通。\n",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bg := static.NewBackground(ctx, filepath.Join(out, "search"), nil)
	defer bg.Close()
	ss := &staticSearch{b: bg}
	if err := bg.Settle(ctx); err != nil {
		t.Fatalf("settle with nothing running: %v", err)
	}
	b := site.New(site.Options{Source: os.DirFS(src), OutDir: out, Emitters: []site.Emitter{ss.emit}})
	if _, err := b.Build(ctx); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, src, map[string]string{
		"stories/b.md": "---\ntitle: 社区食堂开张\ncredit: 佘山镇\ndate: 2025-05-23\nslug: b\n---\n社区食堂今天开张。\n",
	})
	if _, err := b.Build(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bg.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	meta, err := os.ReadFile(filepath.Join(out, "search", "meta.json"))
	if err != nil || !strings.Contains(string(meta), `"n":2`) {
		t.Fatalf("after settle the static index is not the new one: %s, %v", meta, err)
	}
}

// TestBuildUpdatesStaticIndex: a build after one story changed starts
// from the live static index and writes the change as a new segment
// instead of rebuilding the whole index, and leaves the fingerprint of the
// live index alone until the new site is swapped in.
func TestBuildUpdatesStaticIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	story := func(slug, title string) string {
		return "---\ntitle: " + title + "\ncredit: 长征镇\ndate: 2025-05-22\nslug: " + slug + "\n---\n正文。\n"
	}
	files := map[string]string{"stories/b.md": story("b", "小区管道通了")}
	for i := range 9 {
		slug := string(rune('c' + i))
		files["stories/"+slug+".md"] = story(slug, "社区里的新年第"+slug+"篇")
	}
	writeFiles(t, src, files)
	build := func() {
		t.Helper()
		if code, _, stderr := runCmd(t, "build", "-source", src, "-out", out, "-index", ""); code != 0 {
			t.Fatalf("build: exit %d: %s", code, stderr)
		}
	}
	segments := func() int {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, "search", "meta.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ Segments []json.RawMessage }
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return len(m.Segments)
	}
	build()
	if n := segments(); n != 1 {
		t.Fatalf("first build: %d segments", n)
	}
	writeFiles(t, src, map[string]string{"stories/b.md": story("b", "小区管道修好了")})
	build()
	if n := segments(); n != 2 {
		t.Errorf("after one story changed: %d segments, want the old one and one new (a whole rebuild has 1)", n)
	}
	if code, stdout, _ := runCmd(t, "build", "-source", src, "-out", out, "-index", ""); code != 0 || segments() != 2 {
		t.Errorf("an unchanged build: exit %d, %d segments: %s", code, segments(), stdout)
	}
}

// TestStaticSearchRendersOnlyChangedBodies: search docs are stubs filled
// on demand, so after one story changes the static index renders that
// story's body alone, not every story's.
func TestStaticSearchRendersOnlyChangedBodies(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	story := func(slug, body string) string {
		return "---\ntitle: 社区新闻" + slug + "\ncredit: 长征镇\ndate: 2025-05-22\nslug: " + slug + "\n---\n" + body + "\n"
	}
	files := map[string]string{}
	for _, slug := range []string{"a", "b", "c", "d", "e"} {
		files["stories/"+slug+".md"] = story(slug, "正文。")
	}
	writeFiles(t, src, files)
	docs := &snapshotDocs{}
	b := site.New(site.Options{Source: os.DirFS(src), OutDir: out, Emitters: siteEmitters(&siteOptions{out: out}, docs)})
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	if docs.filled != 5 {
		t.Fatalf("first build filled %d bodies for search, want 5", docs.filled)
	}
	writeFiles(t, src, map[string]string{"stories/c.md": story("c", "正文有了更正。")})
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	if docs.filled != 1 {
		t.Errorf("after one story changed, %d bodies filled for search, want that story's alone", docs.filled)
	}
}
