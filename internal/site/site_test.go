package site

import (
	"context"
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/banmian/banmian/internal/atomicfile"
	"github.com/banmian/banmian/internal/benchutil"
	"github.com/banmian/banmian/internal/content"
)

// writeArchive writes the files of a txtar archive under dir.
func writeArchive(tb testing.TB, dir string, a *txtar.Archive) {
	tb.Helper()
	for _, f := range a.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// testSite is a content folder made from a txtar fixture, and where it builds.
type testSite struct {
	tb      testing.TB
	src     string
	out     string
	builder *Builder
}

func newTestSite(tb testing.TB, fixture string) *testSite {
	tb.Helper()
	a, err := txtar.ParseFile(filepath.Join("testdata", fixture))
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	s := &testSite{tb: tb, src: filepath.Join(dir, "content"), out: filepath.Join(dir, "public")}
	writeArchive(tb, s.src, a)
	s.builder = s.newBuilder(s.out)
	return s
}

func (s *testSite) newBuilder(out string) *Builder {
	return New(Options{Source: os.DirFS(s.src), OutDir: out})
}

func (s *testSite) build() Stats {
	s.tb.Helper()
	st, err := s.builder.Build(context.Background())
	if err != nil {
		s.tb.Fatalf("build: %v", err)
	}
	return st
}

func (s *testSite) write(name, data string) {
	s.tb.Helper()
	p := filepath.Join(s.src, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		s.tb.Fatal(err)
	}
}

func (s *testSite) read(name string) string {
	s.tb.Helper()
	b, err := os.ReadFile(filepath.Join(s.out, filepath.FromSlash(name)))
	if err != nil {
		s.tb.Fatalf("output file: %v", err)
	}
	return string(b)
}

// assertFileContent checks that an output file contains every string.
func (s *testSite) assertFileContent(name string, want ...string) {
	s.tb.Helper()
	got := s.read(name)
	for _, w := range want {
		if !strings.Contains(got, w) {
			s.tb.Errorf("%s does not contain %q", name, w)
		}
	}
}

func (s *testSite) assertNoFileContent(name string, unwanted ...string) {
	s.tb.Helper()
	got := s.read(name)
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			s.tb.Errorf("%s contains %q", name, w)
		}
	}
}

// tree returns every file of dir with its content.
func tree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func sameTree(tb testing.TB, a, b map[string]string) {
	tb.Helper()
	for p, ca := range a {
		cb, ok := b[p]
		if !ok {
			tb.Errorf("%s only in the first tree", p)
		} else if ca != cb {
			tb.Errorf("%s differs", p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			tb.Errorf("%s only in the second tree", p)
		}
	}
}

const (
	czSlug = "xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin"
	czPage = "stories/" + czSlug + "/index.html"
)

func TestBuildPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	st := s.build()
	if st.Stories != 3 || st.Editions != 1 || !st.Full {
		t.Errorf("stats = %+v", st)
	}
	// Home: the latest edition as it ran.
	s.assertFileContent("index.html", `<html lang="zh-Hans">`, "多维世界", "小区管道“添堵”，“多格合一”舒心", "荣誉榜", "跳到正文", `<main id="main"`)
	// The edition: masthead, stories in order, the box.
	ed := s.read("editions/2025-05-22/index.html")
	for _, w := range []string{"<dt>责任编辑</dt><dd>郭爽</dd>", "<dt>微博</dt>", "9773859@qq.com", "<dt>热线电话</dt><dd>22897276</dd>", "第14版", "本版为样例页。",
		"<th scope=\"row\">江苏帅因特光电科技开发有限<span class=\"nobr\">公司</span></th><td>“帅因特”\u2060品牌太阳能热<span class=\"nobr\">水器</span></td><td>上海市太阳能热水器产品质量监督抽查合格<span class=\"nobr\">产品</span></td>",
		"<th scope=\"col\">企业</th><th scope=\"col\">受检产品</th><th scope=\"col\">荣誉</th>"} {
		if !strings.Contains(ed, w) {
			t.Errorf("edition page lacks %q", w)
		}
	}
	i1, i2, i3 := strings.Index(ed, "小区管道"), strings.Index(ed, "佘山镇翠鑫苑"), strings.Index(ed, "荣誉榜</h2>")
	if !(i1 >= 0 && i1 < i2 && i2 < i3) {
		t.Errorf("edition items out of order: %d %d %d", i1, i2, i3)
	}
	// The story page.
	s.assertFileContent(czPage,
		"<p class=\"kicker\">普陀区长征镇为<wbr>“网格”\u2060赋能，<wbr>形成社区治理新<span class=\"nobr\">格局</span></p>",
		"<h1 class=\"headline\" id=\"headline\">小区管道<wbr>“添堵”，<wbr>“多格合一”\u2060<span class=\"nobr\">舒心</span></h1>",
		`<a href="/editions/2025-05-22/">2025年5月22日第14版</a>`,
		`<p class="credit">长征镇 供稿</p>`,
		// Emphasis next to full-width punctuation, and a soft break inside Chinese.
		"<strong>“多格合一”</strong>试点工作启动以来，长征镇持续推动基层治理工作",
		`<h2 id="cong-tong-dian-dao-jiao-dian-tui-dong">`,
		`<a href="/tags/she-qu-zhi-li/">社区治理</a>`,
		`"@type":"NewsArticle"`, `"printEdition":"2025-05-22"`, `"printPage":"14"`,
		`<meta property="og:type" content="article">`,
		`<link rel="canonical" href="https://duowei.example.com/stories/`+czSlug+`/">`,
		`rel="prev"`,
	)
	s.assertNoFileContent(czPage, "推动 基层", "推动\n基层")
	// Lists.
	s.assertFileContent("credits/chang-zheng-zhen/index.html", "长征镇 供稿", "小区管道", "社区文化活动中心开放")
	s.assertNoFileContent("credits/chang-zheng-zhen/index.html", "佘山镇翠鑫苑")
	s.assertFileContent("credits/index.html", "长征镇", "佘山镇")
	s.assertFileContent("tags/12345-re-xian/index.html", "佘山镇翠鑫苑")
	s.assertFileContent("tags/index.html", "社区治理", "12345热线")
	s.assertFileContent("archive/index.html", "2025年", "5月", "4月")
	s.assertFileContent("archive/2025/05/index.html", "2025年5月22日", "小区管道")
	s.assertFileContent("archive/2025/04/index.html", "社区文化活动中心开放")
	s.assertFileContent("404.html", "找不到这一页")
	s.assertFileContent("robots.txt", "Sitemap: https://duowei.example.com/sitemap.xml")
	s.assertFileContent("sitemap.xml", "<loc>https://duowei.example.com/stories/"+czSlug+"/</loc><lastmod>2025-05-22</lastmod>", "<loc>https://duowei.example.com/editions/2025-05-22/</loc>")
	s.assertFileContent("assets/site.css", "line-break: strict")
	// Drafts stay out.
	if _, err := os.Stat(filepath.Join(s.out, "stories/hai-zai-xie-de-gao-jian")); err == nil {
		t.Error("draft was published")
	}
	// The feed is well-formed Atom with full content.
	feed := s.read("feed.xml")
	var parsed struct {
		Entries []struct {
			Title   string `xml:"title"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed), &parsed); err != nil {
		t.Fatalf("feed.xml: %v", err)
	}
	if len(parsed.Entries) != 3 || !strings.Contains(feed, "http://www.w3.org/2005/Atom") {
		t.Fatalf("feed has %d entries", len(parsed.Entries))
	}
	found := false
	for _, e := range parsed.Entries {
		if e.Title == "小区管道“添堵”，“多格合一”舒心" && strings.Contains(e.Content, "2600多户居民") && strings.Contains(e.Content, "长征镇 供稿") {
			found = true
		}
	}
	if !found {
		t.Error("feed lacks the full content of the lead story")
	}
}

func TestBuildWithDrafts(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	s.builder = New(Options{Source: os.DirFS(s.src), OutDir: s.out, Drafts: true})
	s.build()
	s.assertFileContent("stories/hai-zai-xie-de-gao-jian/index.html", "还在写的稿件")
}

func TestHarmlessMarkdown(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	s.write("stories/evil.md", "---\ntitle: 恶意稿件\ndate: 2025-05-01\nslug: evil\n---\n<script>alert(1)</script>\n\n[点我](javascript:alert(1)) <img src=x onerror=alert(1)>\n")
	s.build()
	s.assertNoFileContent("stories/evil/index.html", "<script>alert", "javascript:", "onerror=")
}

func TestFailedBuildKeepsPreviousSite(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	s.build()
	before := tree(t, s.out)
	s.write("stories/2025/broken.md", "---\ntitle: [坏的\ndate: 2025-05-22\n---\n")
	s.write("stories/2025/nodate.md", "---\ntitle: 没有日期\n---\n")
	for _, b := range []*Builder{s.builder, s.newBuilder(s.out)} { // incremental and full
		_, err := b.Build(context.Background())
		if err == nil {
			t.Fatal("broken content built")
		}
		for _, w := range []string{"stories/2025/broken.md:2:", "stories/2025/nodate.md:1: missing date"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
		sameTree(t, before, tree(t, s.out))
	}
	// No temporary folders are left beside the output.
	entries, _ := os.ReadDir(filepath.Dir(s.out))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".public") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestIncrementalEqualsCleanBuild(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	first := s.build()
	// Change one story's body: only pages that show it re-render (its
	// page, edition, home, lists, term indexes, month, feed and sitemap:
	// 11 of the fixture's 20).
	s.write("stories/2025/sheshan.md", strings.Replace(mustRead(t, filepath.Join(s.src, "stories/2025/sheshan.md")), "群众利益无小事", "群众利益无小事（改）", 1))
	st := s.build()
	if st.Full || st.Rendered == 0 || st.Rendered > first.Rendered*3/5 {
		t.Errorf("incremental rebuild rendered %d of %d pages (full=%v)", st.Rendered, st.Pages, st.Full)
	}
	s.assertFileContent("stories/sheshan-cuixinyuan/index.html", "群众利益无小事（改）")
	clean := filepath.Join(t.TempDir(), "clean")
	if _, err := s.newBuilder(clean).Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameTree(t, tree(t, clean), tree(t, s.out))

	// Remove a story and add another: pages follow.
	os.Remove(filepath.Join(s.src, "stories/2025/older.md"))
	s.write("stories/2025/new.md", "---\ntitle: 新稿件\ndate: 2025-05-30\ncredit: 长征镇\n---\n新的一篇。\n")
	st = s.build()
	if st.Removed == 0 {
		t.Errorf("nothing removed: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(s.out, "stories/she-qu-wen-hua-huo-dong-zhong-xin-kai-fang")); err == nil {
		t.Error("removed story's folder is still there")
	}
	clean2 := filepath.Join(t.TempDir(), "clean")
	if _, err := s.newBuilder(clean2).Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameTree(t, tree(t, clean2), tree(t, s.out))

	// A new process (new Builder) over an up-to-date output writes
	// nothing, not even a fresh folder.
	st = s.newBuilderBuild()
	if st.Full || st.Rendered != 0 || st.Written != 0 || st.Bodies != 0 {
		t.Errorf("rebuild of unchanged content in a new process: %+v", st)
	}
	sameTree(t, tree(t, clean2), tree(t, s.out))

	// A page deleted by hand is not up to date: the new process renders
	// it again, with its story's body, in place.
	if err := os.Remove(filepath.Join(s.out, "stories/sheshan-cuixinyuan/index.html")); err != nil {
		t.Fatal(err)
	}
	st = s.newBuilderBuild()
	if st.Full || st.Rendered != 1 || st.Bodies != 1 {
		t.Errorf("rebuild after a page was deleted: %+v", st)
	}
	s.assertFileContent("stories/sheshan-cuixinyuan/index.html", "群众利益无小事（改）")
	sameTree(t, tree(t, clean2), tree(t, s.out))
}

func (s *testSite) newBuilderBuild() Stats {
	s.tb.Helper()
	st, err := s.newBuilder(s.out).Build(context.Background())
	if err != nil {
		s.tb.Fatal(err)
	}
	return st
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	s.build()
	other := filepath.Join(t.TempDir(), "again")
	if _, err := s.newBuilder(other).Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameTree(t, tree(t, s.out), tree(t, other))
}

func mustRead(tb testing.TB, p string) string {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestTermSlugCollisions checks that tags and credits whose pinyin slugs
// collide get pages of their own.
func TestTermSlugCollisions(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	s.write("stories/c1.md", "---\ntitle: 甲稿\ndate: 2025-05-01\nslug: c1\ncredit: 长征镇\ntags: [长征]\n---\n正文。\n")
	s.write("stories/c2.md", "---\ntitle: 乙稿\ndate: 2025-05-02\nslug: c2\ncredit: 常征镇\ntags: [常征]\n---\n正文。\n")
	s.build()
	// Name order: 常 (U+5E38) before 长 (U+957F).
	s.assertFileContent("tags/chang-zheng/index.html", "乙稿")
	s.assertNoFileContent("tags/chang-zheng/index.html", "甲稿")
	s.assertFileContent("tags/chang-zheng-2/index.html", "甲稿")
	s.assertFileContent("credits/chang-zheng-zhen/index.html", "乙稿")
	s.assertFileContent("credits/chang-zheng-zhen-2/index.html", "甲稿")
	s.assertFileContent("stories/c1/index.html", `href="/credits/chang-zheng-zhen-2/"`, `href="/tags/chang-zheng-2/"`)
}

// TestListPages checks that a long tag list is split into pages of
// listPageSize, linked both ways, and that pages follow incrementally as
// stories come and go.
func TestListPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	for i := range 2*listPageSize + 20 {
		s.write(fmt.Sprintf("stories/2024/p%03d.md", i), fmt.Sprintf("---\ntitle: 助餐点第%d篇\ndate: 2024-01-01T%02d:%02d:00+08:00\nslug: p%03d\ntags: [老年助餐]\n---\n正文。\n", i, i/60, i%60, i))
	}
	s.build()
	dir := "tags/lao-nian-zhu-can/"
	s.assertFileContent(dir+"index.html", "共 120 篇，第 1/3 页", `rel="next" href="/`+dir+`page/2/"`, "助餐点第119篇")
	s.assertNoFileContent(dir+"index.html", `rel="prev"`, "助餐点第69篇")
	s.assertFileContent(dir+"page/2/index.html", "第 2/3 页", `rel="prev" href="/`+dir+`"`, `rel="next" href="/`+dir+`page/3/"`, "助餐点第69篇", "（第2页）")
	s.assertFileContent(dir+"page/3/index.html", "第 3/3 页", "助餐点第0篇")
	s.assertNoFileContent(dir+"page/3/index.html", `rel="next"`)
	s.assertFileContent("sitemap.xml", dir+"page/3/")

	// Fewer stories: the last page goes, and the output equals a clean build.
	for i := range 30 {
		os.Remove(filepath.Join(s.src, fmt.Sprintf("stories/2024/p%03d.md", i)))
	}
	s.build()
	if _, err := os.Stat(filepath.Join(s.out, dir, "page/3")); err == nil {
		t.Error("page 3 is still there with 90 stories")
	}
	clean := filepath.Join(t.TempDir(), "clean")
	if _, err := s.newBuilder(clean).Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameTree(t, tree(t, clean), tree(t, s.out))
}

// TestOneChangedStoryRendersFewBodies guards the cost of a rebuild in a
// new process after one story changed: only the bodies shown on pages
// that change are rendered, not every story's. The term indexes
// (tags/, credits/) list names and counts, so they must not depend on
// every story's body (they did, and a one-word change re-rendered all
// 10,000 bodies of a large site). Lists that reach a story but show none
// of its body do not render it either (they did: 193 bodies for a
// one-story rebuild of 10,000 stories).
func TestOneChangedStoryRendersFewBodies(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	const n = 600
	genSite(t, src, n)
	build := func() Stats {
		t.Helper()
		st, err := New(Options{Source: os.DirFS(src), OutDir: out}).Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := build(); st.Bodies != n {
		t.Fatalf("first build rendered %d bodies, want %d", st.Bodies, n)
	}
	name := benchutil.StoryFile(src, n/2)
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(b), "居民", "居民们", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	st := build()
	// Its page and its edition's page show bodies: the edition's three
	// stories. Its month (about 90 stories), two tag pages and a credit
	// page (50 each) reach more and show none.
	t.Logf("after one change: %d pages rendered, %d bodies", st.Rendered, st.Bodies)
	if st.Bodies == 0 || st.Bodies > 3 {
		t.Errorf("after one change a new builder rendered %d of %d bodies, want the edition's 3 at most", st.Bodies, n)
	}
	for _, idx := range []string{"tags/index.html", "credits/index.html"} {
		if body := mustRead(t, filepath.Join(out, idx)); !strings.Contains(body, " 篇") {
			t.Errorf("%s lost its counts:\n%s", idx, body)
		}
	}
}

// TestCrashedUpdateIsRolledBack: an update in place that crashed after
// its journal was committed (files replaced, removed and created, a
// folder made) is rolled back by the next build, which then builds the
// content as it is: the site is never left half-updated.
func TestCrashedUpdateIsRolledBack(t *testing.T) {
	s := newTestSite(t, "basic.txtar")
	s.build()
	before := tree(t, s.out)

	// What an update does, up to a crash.
	j, err := newJournal(s.out)
	if err != nil {
		t.Fatal(err)
	}
	fake := []*page{{path: "stories/new-one/index.html"}}
	dirs := j.folders(fake)
	for _, rel := range []string{"index.html", "archive/index.html", "stories/new-one/index.html", manifestName} {
		if err := j.save(rel); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.commit(); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(s.out, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.writeOut("index.html", "half-written home")
	s.writeOut("stories/new-one/index.html", "a page of the crashed update")
	s.writeOut(manifestName, "{}")
	if err := os.Remove(filepath.Join(s.out, "archive/index.html")); err != nil {
		t.Fatal(err)
	}

	if err := recoverJournal(s.out); err != nil {
		t.Fatal(err)
	}
	sameTree(t, before, tree(t, s.out))
	if _, err := os.Stat(filepath.Join(s.out, journalName)); !os.IsNotExist(err) {
		t.Errorf("journal left after recovery: %v", err)
	}

	// A build finding a crashed journal rolls it back first.
	j, err = newJournal(s.out)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.save("index.html"); err != nil {
		t.Fatal(err)
	}
	if err := j.commit(); err != nil {
		t.Fatal(err)
	}
	s.writeOut("index.html", "half-written home")
	st := s.newBuilderBuild()
	if st.Full || st.Written != 0 {
		t.Errorf("build after the rollback: %+v", st)
	}
	sameTree(t, before, tree(t, s.out))
}

// writeOut replaces a file of the output as the builder does: a new file
// renamed into place (the journal keeps the old one by a hard link).
func (s *testSite) writeOut(name, data string) {
	s.tb.Helper()
	if err := atomicfile.Write(filepath.Join(s.out, filepath.FromSlash(name)), []byte(data)); err != nil {
		s.tb.Fatal(err)
	}
}

// TestEmptyTermIndexSaysSo: a site whose stories carry no tags shows a
// sentence on its tag index, not an empty page under the heading.
func TestEmptyTermIndexSaysSo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	if err := os.MkdirAll(filepath.Join(src, "stories"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "stories", "a.md"), []byte("---\ntitle: 社区食堂开张\ncredit: 长征镇\ndate: 2025-05-22\n---\n社区食堂今天开张。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Source: os.DirFS(src), OutDir: out}).Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	if body := mustRead(t, filepath.Join(out, "tags/index.html")); !strings.Contains(body, "还没有报道用到标签。") || strings.Contains(body, `<ul class="terms">`) {
		t.Errorf("empty tag index:\n%s", body)
	}
	if body := mustRead(t, filepath.Join(out, "credits/index.html")); !strings.Contains(body, "长征镇") || strings.Contains(body, "还没有") {
		t.Errorf("credit index:\n%s", body)
	}
}

// TestOnceBuildsReuseParsedContent: banmian build keeps the parsed
// content beside its output, so the next process parses only the files
// that changed, and still builds exactly what a clean build does. A
// damaged cache costs a full parse, nothing else. Not parallel: it sets
// content.CacheSettle (files written a moment ago count as settled).
func TestOnceBuildsReuseParsedContent(t *testing.T) {
	defer func(d time.Duration) { content.CacheSettle = d }(content.CacheSettle)
	content.CacheSettle = -time.Hour
	s := newTestSite(t, "basic.txtar")
	build := func() Stats {
		t.Helper()
		st, err := New(Options{Source: os.DirFS(s.src), OutDir: s.out, Once: true}).Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	// The fixture's draft is parsed every time: drafts are never kept.
	const drafts = 1
	first := build()
	files := first.Stories + first.Editions
	if first.Parsed < files {
		t.Fatalf("first build parsed %d files, want at least %d", first.Parsed, files)
	}
	if st := build(); st.Parsed != drafts || st.Rendered != 0 || st.Written != 0 {
		t.Errorf("second build of unchanged content: %v, parsed %d", st, st.Parsed)
	}

	s.write("stories/2025/sheshan.md", strings.Replace(mustRead(t, filepath.Join(s.src, "stories/2025/sheshan.md")), "群众利益无小事", "群众利益无小事（改）", 1))
	if st := build(); st.Parsed != drafts+1 || st.Rendered == 0 {
		t.Errorf("after one story changed: %v, parsed %d", st, st.Parsed)
	}
	s.assertFileContent("stories/sheshan-cuixinyuan/index.html", "群众利益无小事（改）")
	// Bodies come from the story files, not the cache: a page rendered
	// again shows the body as it is now.
	if err := os.Remove(filepath.Join(s.out, "stories/xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin/index.html")); err != nil {
		t.Fatal(err)
	}
	clean := filepath.Join(t.TempDir(), "clean")
	if _, err := s.newBuilder(clean).Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := build(); st.Parsed != drafts || st.Rendered != 1 || st.Bodies != 1 {
		t.Errorf("after a page was deleted: %v, parsed %d, bodies %d", st, st.Parsed, st.Bodies)
	}
	withoutCache := func() map[string]string {
		m := tree(t, s.out)
		if _, ok := m[cacheName]; !ok {
			t.Errorf("no %s in the output", cacheName)
		}
		delete(m, cacheName)
		return m
	}
	sameTree(t, tree(t, clean), withoutCache())

	if err := os.WriteFile(filepath.Join(s.out, cacheName), []byte("banmian content cache\n损坏"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st := build(); st.Parsed < files || st.Written != 0 {
		t.Errorf("after the cache was damaged: %v, parsed %d", st, st.Parsed)
	}
	sameTree(t, tree(t, clean), withoutCache())
}

// TestStreamedBuildEqualsKeptBuild: a full build that builds once renders
// each body as its pages are written and drops it after (writeStreamed);
// its output is byte for byte that of a builder that keeps every body,
// the feed (which shows whole bodies, rendered again) included. Each body
// is rendered once, and the texts its emitters index are those rendered
// then, the same as a fresh render's.
func TestStreamedBuildEqualsKeptBuild(t *testing.T) {
	s := newTestSite(t, "basic.txtar")
	kept := filepath.Join(t.TempDir(), "kept")
	var want []string
	kb := New(Options{Source: os.DirFS(s.src), OutDir: kept, Emitters: []Emitter{func(ctx context.Context, _ string, snap *Snapshot) error {
		var err error
		want, err = snap.Texts(ctx)
		return err
	}}})
	if _, err := kb.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	var snap *Snapshot
	st, err := New(Options{Source: os.DirFS(s.src), OutDir: s.out, Once: true, Emitters: []Emitter{func(ctx context.Context, _ string, sn *Snapshot) error {
		snap = sn
		var err error
		got, err = sn.Texts(ctx)
		return err
	}}}).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Full || st.Bodies != st.Stories {
		t.Errorf("streamed build: %v, %d bodies rendered for %d stories", st, st.Bodies, st.Stories)
	}
	m := tree(t, s.out)
	delete(m, cacheName)
	sameTree(t, tree(t, kept), m)
	if !slices.Equal(got, want) || len(got) != st.Stories {
		t.Errorf("texts of the streamed build differ from a fresh render's (%d and %d)", len(got), len(want))
	}
	// The texts came from the build's own render: the sources were let go.
	for _, s := range snap.Content.Stories {
		if s.Body != nil {
			t.Errorf("%s: the source is still held after its body was rendered", s.Path)
		}
	}
	if !strings.Contains(m["feed.xml"], "群众利益无小事") {
		t.Error("the feed shows no story body")
	}
}
