package importer

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/typeset"
)

var sampleDate = mustDate("2025-05-22")

func mustDate(s string) time.Time {
	d, err := content.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// importInto parses src, plans it against dir and writes it.
func importInto(t *testing.T, dir string, src []byte, m Meta) (*Plan, []Written) {
	t.Helper()
	p, err := Parse(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Scan(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := p.Plan(m, ex)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := Write(dir, plan.Files)
	if err != nil {
		t.Fatal(err)
	}
	return plan, ws
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestPlanSampleLoads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plan, ws := importInto(t, dir, readSample(t), Meta{Date: sampleDate, Page: 14, Note: "示例"})
	want := []string{
		"boxes/rong-yu-bang-20250522.yaml",
		"editions/2025-05-22.yaml",
		"stories/2025/she-shan-zhen-cui-xin-yuan-san-wei-yi-ti-gong-zuo-ji-zhi-qiao.md",
		"stories/2025/xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin.md",
	}
	if got := listFiles(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("files = %q\nwant %q", got, want)
	}
	for i, w := range ws {
		if w != Created {
			t.Errorf("%s: %s, want created", plan.Files[i].Path, w)
		}
	}
	c, err := content.Load(os.DirFS(dir), content.LoadOptions{})
	if err != nil {
		t.Fatalf("content.Load: %v", err)
	}
	if len(c.Stories) != 2 || len(c.Editions) != 1 || len(c.Boxes) != 1 {
		t.Fatalf("loaded %d stories, %d editions, %d boxes", len(c.Stories), len(c.Editions), len(c.Boxes))
	}
	e := c.Editions[0]
	if e.Page != 14 || e.Note != "示例" || e.Masthead.Editor != "郭爽" || e.Masthead.Section != "多维世界" {
		t.Errorf("edition = %+v", e)
	}
	var items []string
	for _, it := range e.Items {
		items = append(items, it.Story+it.Box)
	}
	if !reflect.DeepEqual(items, []string{"xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin", "she-shan-zhen-cui-xin-yuan-san-wei-yi-ti-gong-zuo-ji-zhi-qiao", "rong-yu-bang-20250522"}) || !e.Items[0].Lead || e.Items[1].Lead {
		t.Errorf("items = %+v", e.Items)
	}
	s := c.Story("xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin")
	if s == nil || s.Kicker == "" || s.Credit != "长征镇" || s.Edition != "2025-05-22" || !s.Date.Equal(sampleDate) {
		t.Fatalf("story = %+v", s)
	}
	if !strings.Contains(string(s.Body), "\n## 从“痛点”到“焦点”\u3000推动基层治理“一呼百应”\n") {
		t.Errorf("subhead missing from body:\n%s", s.Body)
	}
	if b := c.Boxes["rong-yu-bang-20250522"]; b == nil || len(b.Rows) != 8 || b.Title != "荣誉榜" {
		t.Errorf("box = %+v", b)
	}
}

func TestImportIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := readSample(t)
	m := Meta{Date: sampleDate, Page: 14}
	plan1, _ := importInto(t, dir, src, m)
	before := listFiles(t, dir)
	snap := map[string]string{}
	for _, f := range before {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		snap[f] = string(b)
	}
	for round := 0; round < 2; round++ {
		plan2, ws := importInto(t, dir, src, m)
		if !reflect.DeepEqual(plan1.Files, plan2.Files) {
			t.Errorf("round %d: planned files differ", round)
		}
		for i, w := range ws {
			if w != Unchanged {
				t.Errorf("round %d: %s %s", round, plan2.Files[i].Path, w)
			}
		}
		if len(plan2.Warnings) != 0 {
			t.Errorf("warnings on re-import: %v", plan2.Warnings)
		}
	}
	if after := listFiles(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("files changed: %q → %q", before, after)
	}
	for f, was := range snap {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if string(b) != was {
			t.Errorf("%s changed", f)
		}
	}
}

// TestPlanSlugTaken: a story of another edition holding the slug is left
// alone; the imported one gets the date in its slug, every time.
func TestPlanSlugTaken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := []byte("小区管道不再添堵\n\n居民反映问题,当天解决。\n\n长征镇 供稿\n")
	importInto(t, dir, page, Meta{Date: mustDate("2024-03-01")})
	for round := 0; round < 2; round++ {
		plan, _ := importInto(t, dir, page, Meta{Date: sampleDate})
		if want := "stories/2025/xiao-qu-guan-dao-bu-zai-tian-du-20250522.md"; plan.Stories[0] != want {
			t.Errorf("round %d: story at %s, want %s", round, plan.Stories[0], want)
		}
	}
	if _, err := content.Load(os.DirFS(dir), content.LoadOptions{}); err != nil {
		t.Errorf("content.Load: %v", err)
	}
	if n := len(listFiles(t, dir)); n != 4 {
		t.Errorf("%d files, want 4: %q", n, listFiles(t, dir))
	}
}

// TestPlanKeepsEditorsWork: layout and geometry set by an editor survive a
// re-import; a story the page no longer has is reported, not deleted.
func TestPlanKeepsEditorsWork(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	importInto(t, dir, []byte("旧标题\n\n正文。\n\n长征镇 供稿\n"), Meta{Date: sampleDate, Note: "旧注"})
	ed := filepath.Join(dir, "editions", "2025-05-22.yaml")
	b, _ := os.ReadFile(ed)
	b = append(b, []byte("layout:\n  - {item: jiu-biao-ti, column: 1, columns: 4, row: 0, lines: 40}\ngeometry:\n  columns: 6\n")...)
	os.WriteFile(ed, b, 0o644)
	plan, _ := importInto(t, dir, []byte("旧标题\n\n正文。\n\n长征镇 供稿\n\n新标题\n\n正文。\n\n真如镇 供稿\n"), Meta{Date: sampleDate})
	c, err := content.Load(os.DirFS(dir), content.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := c.Editions[0]
	if len(e.Layout) != 1 || e.Geometry == nil || e.Geometry.Columns != 6 || e.Note != "旧注" || len(e.Items) != 2 {
		t.Errorf("edition lost the editor's work: %+v", e)
	}
	if len(plan.Warnings) != 0 {
		t.Errorf("warnings: %v", plan.Warnings)
	}
	plan, _ = importInto(t, dir, []byte("新标题\n\n正文。\n\n真如镇 供稿\n"), Meta{Date: sampleDate})
	if len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0].Msg, "jiu-biao-ti.md") {
		t.Errorf("stale story not reported: %v", plan.Warnings)
	}
	if _, err := os.Stat(filepath.Join(dir, "stories", "2025", "jiu-biao-ti.md")); err != nil {
		t.Errorf("stale story deleted: %v", err)
	}
}

func TestSiteConfig(t *testing.T) {
	t.Parallel()
	f := SiteConfig(content.Masthead{Section: "多维世界", Editor: "郭爽", Hotline: "22897276"}, "新民晚报")
	s, errs := content.ParseSite(f.Path, f.Data)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if s.Title != "多维世界" || s.Paper != "新民晚报" || s.BaseURL != "/" || s.Language != "zh-Hans" || s.Theme != "default" ||
		s.Masthead.Editor != "郭爽" || s.Geometry.Columns != 0 || s.Recent != 10 {
		t.Errorf("site = %+v", s)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"普通的一段。", "普通的一段。"},
		{"# 不是标题", `\# 不是标题`},
		{"> 不是引文", `\> 不是引文`},
		{"- 不是列表", `\- 不是列表`},
		{"1. 不是列表", `1\. 不是列表`},
		{"2025. 年份", `2025\. 年份`},
		{"1+6+x模式", "1+6+x模式"},
		{"即时发现-快速响应", "即时发现-快速响应"},
		{"*强调*与_下划线_", `\*强调\*与\_下划线\_`},
		{"<b>标签</b>与[链接](x)", `\<b>标签\</b>与\[链接\](x)`},
		{"A&amp;B", `A\&amp;B`},
		{"```代码", "\\`\\`\\`代码"},
	}
	for _, tt := range tests {
		s := &Story{Blocks: []Block{{Text: tt.in}}}
		if got := strings.TrimSuffix(string(s.Markdown()), "\n"); got != tt.want {
			t.Errorf("%q → %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteRefusesEscapes(t *testing.T) {
	t.Parallel()
	if _, err := Write(t.TempDir(), []File{{Path: "../x.md", Data: []byte("x")}}); err == nil {
		t.Error("wrote outside the folder")
	}
}

// FuzzParse: no panic, and no Han character of the input is lost on the way
// to the content files.
func FuzzParse(f *testing.F) {
	f.Add(readSample(f))
	for _, name := range []string{"testdata/three-stories.txt", "testdata/kicker-lines.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "\n\n", "荣誉榜", "荣誉榜\n受检产品", "荣获\n荣获", "供稿", " 供稿", "。 供稿",
		"多维世界\n责任编辑:\n", "责任编辑:郭爽 微博:", "标题 \u3000副\n正文", "建于1997\n\n年的老小区。",
		"一\n二\n三\n四\n五。", "# 标题\n\n- 列表。\n", "---\ntitle: x\n---\n正文。",
		"标题\r\n\r\n正文,没有句号\r\n长征镇 真如镇 供稿", "\xef\xbb\xbf标题\n正文。",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Parse(src, Options{})
		if err != nil {
			return
		}
		p2, _ := Parse(src, Options{})
		if !reflect.DeepEqual(p, p2) {
			t.Fatal("Parse is not deterministic")
		}
		plan, err := p.Plan(Meta{Date: sampleDate}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(src) {
			return // decoded as GB18030; the Han check needs the text
		}
		check := func(p *Page, plan *Plan, how string) {
			var out strings.Builder
			out.WriteString(strings.Join(p.Labels, ""))
			for _, f := range plan.Files {
				out.Write(f.Data)
			}
			if miss := missingHan(string(src), out.String()); miss != "" {
				t.Fatalf("%s: lost Han characters %q", how, miss)
			}
		}
		check(p, plan, "as is")
		// The same with house style, as banmian import runs it.
		p, err = Parse(src, Options{Normalize: typeset.Normalize})
		if err != nil {
			t.Fatal(err)
		}
		if plan, err = p.Plan(Meta{Date: sampleDate}, nil); err != nil {
			t.Fatal(err)
		}
		check(p, plan, "normalised")
	})
}

func BenchmarkParseSample(b *testing.B) {
	src := readSample(b)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse(src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanSample(b *testing.B) {
	p, err := Parse(readSample(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.Plan(Meta{Date: sampleDate, Page: 14}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
