package search

import (
	"strconv"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/content"
)

func TestFromTexts(t *testing.T) {
	t.Parallel()
	c := &content.Content{Site: content.Site{BaseURL: "https://example.com/duowei/"}, Stories: []*content.Story{
		{Slug: "a", Title: "小区管道“添堵”", Credit: "长征镇", Tags: []string{"网格"}, Date: time.Date(2025, 5, 22, 0, 0, 0, 0, time.UTC)},
		{Slug: "b", Title: "三位一体", Credit: "佘山镇"},
	}}
	docs := FromTexts(c, []string{"正文甲。", "正文乙。"})
	if len(docs) != 2 || docs[0].Body != "正文甲。" || docs[1].Body != "正文乙。" || docs[0].Credit != "长征镇" || docs[0].URL != "/duowei/stories/a/" {
		t.Errorf("docs: %+v", docs)
	}
	c.Stories[0].Tags[0] = "改"
	if docs[0].Tags[0] != "网格" {
		t.Error("a Doc shares its tags with the story")
	}
}

// stubContent is a site of n stories without bodies.
func stubContent(n int) *content.Content {
	c := &content.Content{Site: content.Site{BaseURL: "https://example.com/duowei/"}}
	for i := range n {
		c.Stories = append(c.Stories, &content.Story{
			Slug: "story-" + strconv.Itoa(i), Title: "小区管道“添堵”，多格合一疏心结", Kicker: "长征镇", Credit: "长征镇",
			Tags: []string{"网格", "民生"}, Date: time.Date(2025, 5, 22, 0, 0, 0, 0, time.UTC), Edition: "2025-05-22",
			Hash: uint64(i) * 0x9E3779B97F4A7C15,
		})
	}
	return c
}

// TestStubsSource: a stub's Source is never 0 and changes with every
// field of the Doc, the story file's hash and typesetting.
func TestStubsSource(t *testing.T) {
	t.Parallel()
	base := func() *content.Content { return stubContent(1) }
	src := func(c *content.Content) uint64 { return Stubs(c)[0].Source }
	s0 := src(base())
	if s0 == 0 || s0 != src(base()) {
		t.Fatalf("source %x, then %x", s0, src(base()))
	}
	off := false
	for name, change := range map[string]func(c *content.Content){
		"slug":     func(c *content.Content) { c.Stories[0].Slug += "x" },
		"title":    func(c *content.Content) { c.Stories[0].Title += "x" },
		"kicker":   func(c *content.Content) { c.Stories[0].Kicker = "" },
		"subtitle": func(c *content.Content) { c.Stories[0].Subtitle = "副题" },
		"credit":   func(c *content.Content) { c.Stories[0].Credit = "佘山镇" },
		"tags":     func(c *content.Content) { c.Stories[0].Tags = []string{"网格民生"} },
		"tag":      func(c *content.Content) { c.Stories[0].Tags = c.Stories[0].Tags[:1] },
		"date":     func(c *content.Content) { c.Stories[0].Date = c.Stories[0].Date.Add(time.Hour) },
		"zone":     func(c *content.Content) { c.Stories[0].Date = c.Stories[0].Date.In(time.FixedZone("CST", 8*3600)) },
		"edition":  func(c *content.Content) { c.Stories[0].Edition = "2025-05-23" },
		"url":      func(c *content.Content) { c.Site.BaseURL = "https://example.com/" },
		"hash":     func(c *content.Content) { c.Stories[0].Hash++ },
		"typeset":  func(c *content.Content) { c.Site.Typeset = &off },
		// The fields of a Doc are told apart: moving text from one to
		// the next changes the Source.
		"boundary": func(c *content.Content) { c.Stories[0].Title += "长征镇"; c.Stories[0].Kicker = "" },
	} {
		c := base()
		change(c)
		if s := src(c); s == s0 {
			t.Errorf("%s: source unchanged", name)
		}
	}
}

// BenchmarkStubs makes the stubs of 10,000 stories.
func BenchmarkStubs(b *testing.B) {
	c := stubContent(10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Stubs(c)
	}
}
