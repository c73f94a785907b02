package importer_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/typeset"
)

// The sample site in content/ is regenerated from the sample page by
// banmian import (cmd/banmian keeps the two in step; see TestImportSample
// there). These tests read what a reader gets: the folder as content.Load
// sees it.

func loadSampleSite(t *testing.T) *content.Content {
	t.Helper()
	c, err := content.Load(os.DirFS("../../content"), content.LoadOptions{})
	if err != nil {
		t.Fatalf("loading content/: %v", err)
	}
	return c
}

func legacyLines(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("testdata/duowei-page-legacy.txt")
	if err != nil {
		t.Fatalf("sample page: %v", err)
	}
	return strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
}

// squeeze drops every space, so text compares across line and heading
// breaks.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// sentenceRE matches a sentence, or the rest of a line without a sentence
// end (a headline, a subhead, or a piece broken off by a print column).
var sentenceRE = regexp.MustCompile(`[^。！？!?…]+(?:[。！？!?]|…+)?[”’）)]*`)

var creditRE = regexp.MustCompile(`^\s*(\S+(?:\s+\S+)*)\s+供稿$`)

func TestSampleSiteHasEverySentence(t *testing.T) {
	t.Parallel()
	c := loadSampleSite(t)
	if len(c.Stories) != 2 {
		t.Fatalf("%d stories in content/, want 2", len(c.Stories))
	}
	var text strings.Builder
	credits := map[string]bool{}
	for _, s := range c.Stories {
		text.WriteString(s.Kicker + s.Title + s.Subtitle + "\n" + string(s.Body) + "\n")
		credits[s.Credit] = true
	}
	stories := squeeze(text.String())

	lines := legacyLines(t)
	start, box := -1, -1
	for i, l := range lines {
		if start < 0 && strings.HasPrefix(l, "普陀区长征镇") {
			start = i
		}
		if strings.TrimSpace(l) == "荣誉榜" {
			box = i
		}
	}
	if start < 0 || box < 0 {
		t.Fatal("sample page changed: no first headline or no 荣誉榜")
	}
	n := 0
	for i, l := range lines[start:box] {
		for _, sent := range sentenceRE.FindAllString(l, -1) {
			if strings.TrimSpace(sent) == "" {
				continue
			}
			if m := creditRE.FindStringSubmatch(sent); m != nil {
				if !credits[m[1]] {
					t.Errorf("line %d: credit %q not on any story (credits %v)", start+i+1, sent, credits)
				}
				continue
			}
			n++
			if want := squeeze(typeset.Normalize(sent)); !strings.Contains(stories, want) {
				t.Errorf("line %d: sentence missing from the stories:\n%s", start+i+1, want)
			}
		}
	}
	if n < 70 { // 56 sentence ends, plus headings and column pieces
		t.Errorf("only %d sentences checked; the split is broken", n)
	}
	// Every sentence broken by a print column is whole again.
	for _, want := range []string{
		"这个建于1997年的老小区，作为早期商品房", "而小区管网地势低于市政管网的设计“硬伤”",
		"“为民办事效率高，热情服务暖民心！”", "一是将管道疏通纳入常态化管理，真源居委",
		"建立定期定人巡查制度，每天安排一名居委会工作人员", "工作人员会告诉居民“你们遇到困难",
		"调解过程中工作人员始终保持", "办结后见面反馈",
	} {
		if !strings.Contains(stories, want) {
			t.Errorf("column break not rejoined: %q", want)
		}
	}
	for _, want := range []string{"长征镇", "佘山镇"} {
		if !credits[want] {
			t.Errorf("credit %s missing: %v", want, credits)
		}
	}
	if strings.Contains(stories, "供稿") {
		t.Error("a credit line was left in the story text")
	}

	// The honour roll: every line of the box, labels aside, is in its rows.
	var b *content.Box
	for _, x := range c.Boxes {
		b = x
	}
	if len(c.Boxes) != 1 || b.Type != content.BoxHonourRoll || b.Title != "荣誉榜" || len(b.Rows) != 8 {
		t.Fatalf("boxes = %+v, want one 荣誉榜 with 8 rows", c.Boxes)
	}
	var rows strings.Builder
	for _, r := range b.Rows {
		if r.Company == "" || r.Product == "" || r.Award == "" {
			t.Errorf("incomplete row %+v", r)
		}
		rows.WriteString(r.Company + "\n" + r.Product + "\n" + r.Award + "\n")
	}
	label := regexp.MustCompile(`^(受检产品:|荣获)`)
	for i, l := range lines[box+1:] {
		l = label.ReplaceAllString(strings.TrimSpace(l), "")
		if l == "" {
			continue
		}
		if !strings.Contains(rows.String(), typeset.Normalize(l)) {
			t.Errorf("line %d of the honour roll missing: %q", box+i+2, l)
		}
	}
	if b.Rows[0].Award != "上海市太阳能热水器产品质量监督抽查合格产品" {
		t.Errorf("wrapped award not rejoined: %q", b.Rows[0].Award)
	}
}

func TestSampleSiteMasthead(t *testing.T) {
	t.Parallel()
	c := loadSampleSite(t)
	want := content.Masthead{Section: "多维世界", Editor: "郭爽", Weibo: "http://t.xinmin.cn/guoguo11", Email: "9773859@qq.com", Hotline: "22897276"}
	s := c.Site
	if s.Title != "多维世界" || s.Paper != "新民晚报" || s.BaseURL != "/" || s.Section != "多维世界" ||
		s.Language != "zh-Hans" || s.Theme != "default" || s.Masthead != want {
		t.Errorf("site = %+v", s)
	}
	if s.Geometry.Columns != 0 || s.Geometry.TrimWidth != 0 {
		t.Errorf("site geometry set: %+v; defaults should apply", s.Geometry)
	}
	if len(c.Editions) != 1 {
		t.Fatalf("%d editions", len(c.Editions))
	}
	e := c.Editions[0]
	if e.DateString() != "2025-05-22" || e.Page != 14 || e.Masthead != want {
		t.Errorf("edition = %s page %d masthead %+v", e.DateString(), e.Page, e.Masthead)
	}
	for _, w := range []string{"示例", "重建", "日期", "版次"} {
		if !strings.Contains(e.Note, w) {
			t.Errorf("edition note %q does not say %s", e.Note, w)
		}
	}
	lead := c.Story(e.Items[0].Story)
	if !e.Items[0].Lead || lead == nil || lead.Kicker != "普陀区长征镇为“网格”赋能，形成社区治理新格局" || lead.Title != "小区管道“添堵”，“多格合一”舒心" {
		t.Errorf("lead story = %+v", lead)
	}
	second := c.Story(e.Items[1].Story)
	if second == nil || second.Kicker != "" || second.Title != "佘山镇翠鑫苑三位一体工作机制巧解社区“千千结”" {
		t.Errorf("second story = %+v", second)
	}
	for _, s := range c.Stories {
		if !content.ValidSlug(s.Slug) || s.Slug != content.Slugify(s.Title) || s.Edition != "2025-05-22" {
			t.Errorf("story %s: slug %q, edition %q", s.Path, s.Slug, s.Edition)
		}
	}
}
