package content

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const goodStory = `---
title: 小区管道“添堵”，“多格合一”舒心
kicker: 普陀区长征镇为“网格”赋能
credit: 长征镇
date: 2025-05-22
tags: [社区治理, 网格]
layout: hugo-key-kept
---
自党建引领“多格合一”试点工作启动以来……

## 从“痛点”到“焦点”
`

func TestLoadGood(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"site.yaml":                  {Data: []byte("title: 多维世界\nmasthead:\n  editor: 郭爽\n")},
		"stories/a.md":               {Data: []byte(goodStory)},
		"stories/b.md":               {Data: []byte("+++\ntitle = \"佘山镇翠鑫苑巧解社区“千千结”\"\ndate = 2025-05-22\ncredit = \"佘山镇 供稿\"\nslug = \"cuixinyuan\"\n+++\n正文。\n")},
		"stories/draft.md":           {Data: []byte("---\ntitle: 草稿\ndate: 2025-05-23\ndraft: true\n---\n")},
		"posts/_index.md":            {Data: []byte("---\ntitle: Hugo section\n---\n")},
		"editions/2025-05-22.yaml":   {Data: []byte("date: 2025-05-22\npage: 14\nitems:\n  - story: xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin\n    lead: true\n  - story: cuixinyuan\n  - box: rongyu\n")},
		"boxes/rongyu.yaml":          {Data: []byte("type: honour-roll\nrows:\n  - company: 广东万家乐厨房科技有限公司\n    product: “万家乐”品牌家用燃气灶具\n    award: 上海市家用燃气灶产品质量监督抽查合格产品\n")},
		"stories/bundle/index.md":    {Data: []byte("---\ntitle: 图片新闻\ndate: 2025-05-20T09:30:00+08:00\n---\n图。\n")},
		"stories/bundle/photo-1.jpg": {Data: []byte("jpeg")},
	}
	c, err := Load(fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Stories) != 3 {
		t.Fatalf("got %d stories, want 3 (draft and _index.md left out)", len(c.Stories))
	}
	a := c.Story("xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin")
	if a == nil {
		t.Fatalf("derived slug missing; have %v", c.Stories)
	}
	if a.Credit != "长征镇" || a.Kicker == "" || len(a.Tags) != 2 || a.Edition != "2025-05-22" {
		t.Errorf("story a = %+v", a)
	}
	if a.Params["layout"] != "hugo-key-kept" {
		t.Errorf("unknown key not kept: %v", a.Params)
	}
	if b := c.Story("cuixinyuan"); b == nil || b.Credit != "佘山镇" || b.Date.Format(DateLayout) != "2025-05-22" || b.Date.Location() != Newsroom {
		t.Errorf("TOML story = %+v", b)
	}
	if p := c.Story("bundle"); p == nil || len(p.Assets) != 1 || p.Date.Hour() != 9 {
		t.Errorf("bundle story = %+v", p)
	}
	if c.Site.Masthead.Editor != "郭爽" || c.Site.Language != "zh-Hans" {
		t.Errorf("site = %+v", c.Site)
	}
	e := c.Edition("2025-05-22")
	if e == nil || e.Page != 14 || len(e.Items) != 3 || !e.Items[0].Lead || e.Items[2].Line != 7 {
		t.Errorf("edition = %+v", e)
	}
	if b := c.Boxes["rongyu"]; b == nil || b.Title != "荣誉榜" || len(b.Rows) != 1 {
		t.Errorf("box = %+v", b)
	}
	withDrafts, err := Load(fsys, LoadOptions{Drafts: true})
	if err != nil || len(withDrafts.Stories) != 4 {
		t.Errorf("with drafts: %v stories, err %v", len(withDrafts.Stories), err)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string // each must appear in the error text
	}{
		{"broken YAML names the file line", map[string]string{
			"stories/a.md": "---\ntitle: 标题\ndate: 2025-05-22\ntags: [a, b\n---\n正文\n",
		}, []string{"stories/a.md:", "broken YAML front matter"}},
		{"broken TOML", map[string]string{
			"stories/a.md": "+++\ntitle = \"标题\"\ndate = = 2025\n+++\n",
		}, []string{"stories/a.md:3:", "broken TOML front matter"}},
		{"unclosed front matter", map[string]string{
			"stories/a.md": "---\ntitle: 标题\n",
		}, []string{"stories/a.md:1:", "never closed"}},
		{"missing title", map[string]string{
			"stories/a.md": "---\ndate: 2025-05-22\n---\n",
		}, []string{"stories/a.md:1:", "missing title"}},
		{"missing date", map[string]string{
			"stories/a.md": "---\ntitle: 标题\n---\n",
		}, []string{"stories/a.md:1:", "missing date"}},
		{"bad date with its line", map[string]string{
			"stories/a.md": "---\ntitle: 标题\ndate: 2025年5月22日\n---\n",
		}, []string{"stories/a.md:3:", "bad date"}},
		{"no front matter", map[string]string{
			"stories/a.md": "正文\n",
		}, []string{"stories/a.md:1:", "no front matter"}},
		{"duplicate slugs", map[string]string{
			"stories/a.md": "---\ntitle: 一\ndate: 2025-05-22\nslug: same\n---\n",
			"stories/b.md": "---\ntitle: 二\ndate: 2025-05-22\nslug: same\n---\n",
		}, []string{"stories/b.md", "duplicate slug \"same\"", "stories/a.md has it too"}},
		{"bad slug", map[string]string{
			"stories/a.md": "---\ntitle: 一\ndate: 2025-05-22\nslug: 长征\n---\n",
		}, []string{"stories/a.md:4:", "slug"}},
		{"edition names a missing story, with the item's line", map[string]string{
			"stories/a.md":             "---\ntitle: 一\ndate: 2025-05-22\nslug: a\n---\n",
			"editions/2025-05-22.yaml": "date: 2025-05-22\npage: 14\nitems:\n  - story: a\n  - story: ghost\n",
		}, []string{"editions/2025-05-22.yaml:5:", "\"ghost\", which does not exist"}},
		{"edition names a missing box", map[string]string{
			"editions/2025-05-22.yaml": "date: 2025-05-22\nitems:\n  - box: nope\n",
		}, []string{"editions/2025-05-22.yaml:3:", "box \"nope\""}},
		{"edition bad date", map[string]string{
			"editions/x.yaml": "date: 22/05/2025\n",
		}, []string{"editions/x.yaml:1:", "bad date"}},
		{"not UTF-8", map[string]string{
			"stories/a.md": "---\ntitle: 标题\ndate: 2025-05-22\n---\n\xb3\xa4\xd5\xf7\n",
		}, []string{"stories/a.md:5:", "not UTF-8"}},
		{"unknown box type", map[string]string{
			"boxes/x.yaml": "type: poll\n",
		}, []string{"boxes/x.yaml", "unknown box type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for p, s := range tt.files {
				fsys[p] = &fstest.MapFile{Data: []byte(s)}
			}
			_, err := Load(fsys, LoadOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"stories/a.md": {Data: []byte("---\ndate: 2025-05-22\n---\n")},
		"stories/b.md": {Data: []byte("---\ntitle: 二\ndate: bad\n---\n")},
		"stories/c.md": {Data: []byte("no front matter")},
	}
	_, err := Load(fsys, LoadOptions{})
	if list := AsList(err); len(list) != 3 {
		t.Fatalf("got %d problems, want 3: %v", len(list), err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	s := &Story{
		Title: "小区管道“添堵”，“多格合一”舒心", Kicker: "普陀区长征镇为“网格”赋能", Subtitle: "副题",
		Credit: "长征镇", Date: time.Date(2025, 5, 22, 0, 0, 0, 0, shanghai), Edition: "2025-05-22",
		Slug: "guandao", Tags: []string{"社区治理"}, Summary: "摘要",
		Corrections: []Correction{{Date: time.Date(2025, 5, 23, 0, 0, 0, 0, shanghai), Note: "更正了一处地名。"}},
		Params:      map[string]any{"author": "记者"},
		Body:        []byte("正文第一段。\n\n## 小标题\n"),
	}
	src, err := MarshalStory(s)
	if err != nil {
		t.Fatal(err)
	}
	got, errs := ParseStory("x.md", src)
	if len(errs) > 0 {
		t.Fatalf("%v\n%s", errs, src)
	}
	if got.Title != s.Title || got.Kicker != s.Kicker || got.Credit != s.Credit || !got.Date.Equal(s.Date) ||
		got.Edition != s.Edition || got.Slug != s.Slug || got.Summary != s.Summary || strings.TrimLeft(string(got.Body), "\n") != string(s.Body) ||
		len(got.Corrections) != 1 || got.Params["author"] != "记者" {
		t.Errorf("round trip:\n%s\ngot %+v", src, got)
	}
	e := &Edition{Date: s.Date, Page: 14, Masthead: Masthead{Editor: "郭爽"}, Items: []Item{{Story: "guandao", Lead: true}, {Box: "rongyu"}}}
	src, err = MarshalEdition(e)
	if err != nil {
		t.Fatal(err)
	}
	ge, errs := ParseEdition("e.yaml", src)
	if len(errs) > 0 || ge.Page != 14 || len(ge.Items) != 2 || !ge.Items[0].Lead || ge.Masthead.Editor != "郭爽" {
		t.Errorf("edition round trip: %v\n%s", errs, src)
	}
}

func FuzzParseStory(f *testing.F) {
	f.Add([]byte(goodStory))
	f.Add([]byte("+++\ntitle = \"a\"\n+++\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\ntitle: [\n---\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, errs := ParseStory("f.md", src)
		if len(errs) == 0 && (s == nil || s.Title == "" || s.Date.IsZero()) {
			t.Fatalf("accepted a story without title or date: %+v", s)
		}
		for _, e := range errs {
			if e.File != "f.md" {
				t.Fatalf("error without file: %v", e)
			}
		}
	})
}

func TestLoadMergesDuplicateTags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, tags string
		want       []string
		warn       bool
	}{
		{"twice", "[12345热线, 12345热线]", []string{"12345热线"}, true},
		{"apart", "[社区治理, 网格, 社区治理]", []string{"社区治理", "网格"}, true},
		{"spaces", "[\" 网格\", 网格]", []string{"网格"}, true},
		{"distinct", "[社区治理, 网格]", []string{"社区治理", "网格"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"stories/a.md": {Data: []byte("---\ntitle: 热线\ndate: 2025-05-22\ntags: " + tc.tags + "\n---\n正文。\n")}}
			c, err := Load(fsys, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Stories[0].Tags; strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("tags = %q, want %q", got, tc.want)
			}
			if tc.warn != (len(c.Warnings) == 1) || len(c.Warnings) > 1 {
				t.Fatalf("warnings = %v, want one: %v", c.Warnings, tc.warn)
			}
			if tc.warn && (c.Warnings[0].File != "stories/a.md" || c.Warnings[0].Line != 4) {
				t.Errorf("warning at %s:%d, want stories/a.md:4", c.Warnings[0].File, c.Warnings[0].Line)
			}
		})
	}
}
