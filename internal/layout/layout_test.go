package layout

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/content"
)

func TestNewGridDefault(t *testing.T) {
	t.Parallel()
	g, err := NewGrid(ResolveGeometry(content.Geometry{}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(g.PageWidth-1105.51) > 0.01 || math.Abs(g.PageHeight-1544.88) > 0.01 {
		t.Errorf("page %.2f×%.2f pt, want 1105.51×1544.88 (390×545 mm)", g.PageWidth, g.PageHeight)
	}
	if g.Columns != 8 || g.CharsPerLine != 12 || g.Lines != 100 {
		t.Errorf("grid %d columns, %d chars per line, %d lines; want 8, 12, 100", g.Columns, g.CharsPerLine, g.Lines)
	}
	if got := g.SpanWidth(8); math.Abs(got-g.Width) > 1e-6 {
		t.Errorf("8 columns span %.3f pt, type area is %.3f pt", got, g.Width)
	}
}

func TestResolveGeometry(t *testing.T) {
	t.Parallel()
	site := content.Geometry{Columns: 6, BodySize: 10.5}
	ed := &content.Geometry{TrimWidth: 280, TrimHeight: 390, Leading: 16}
	g := ResolveGeometry(site, ed)
	want := content.Geometry{TrimWidth: 280, TrimHeight: 390, MarginTop: 25, MarginBottom: 25, MarginInner: 20, MarginOuter: 20,
		Columns: 6, Gutter: 4, BodySize: 10.5, Leading: 16, HeadlineSizes: []float64{36, 28, 22}}
	if g.TrimWidth != want.TrimWidth || g.Columns != want.Columns || g.BodySize != want.BodySize || g.Leading != want.Leading || g.MarginTop != 25 {
		t.Errorf("ResolveGeometry = %+v, want %+v", g, want)
	}
}

func TestNewGridErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		g    content.Geometry
		want string
	}{
		{"行距小于字号", content.Geometry{Leading: 8}, "leading"},
		{"栏太窄", content.Geometry{Columns: 40}, "holds only"},
		{"页边距过大", content.Geometry{MarginInner: 200, MarginOuter: 200}, "no type area"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGrid(tt.g.Merge(content.DefaultGeometry))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCountLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		text    string
		measure float64
		indent  float64
		want    int
	}{
		{"一行正好", "一二三四五六七八九十", 10, 0, 1},
		{"缩进两格后换行", "一二三四五六七八九十", 10, 2, 2},
		{"二十四字三行", strings.Repeat("字", 24), 12, 2, 3},
		{"句号不居行首，前字下移", "一二三四五六七八九十。", 10, 0, 2},
		{"行尾句号挤进半格", "一二三四五六七八九十。", 10.5, 0, 1},
		{"逗号不居行首，挤不下时前字下移", "一二三四五六七八九十，，", 10, 0, 2},
		{"引号不居行尾", "一二三四五六七八九“十”", 10, 0, 2},
		{"标点挤压", "“你好”，“世界”。", 8.5, 0, 1},
		{"挤压后仍放不下", "“你好”，“世界”。", 7.9, 0, 2},
		{"数字半角", "2600多户居民", 6.5, 0, 1},
		{"数字半角放不下", "2600多户居民", 6, 0, 2},
		{"长英文按字拆", "http://t.xinmin.cn/guoguo11", 6, 0, 3},
		{"空文本占一行", "", 12, 2, 1},
		{"署名", "长征镇 供稿", 12, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CountLines(tt.text, tt.measure, tt.indent); got != tt.want {
				t.Errorf("CountLines(%q, %g, %g) = %d, want %d", tt.text, tt.measure, tt.indent, got, tt.want)
			}
		})
	}
}

func TestTrimmedWidths(t *testing.T) {
	t.Parallel()
	w := trimmedWidths([]rune("“你好”，“世界”。"))
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	// TYPOGRAPHY.md: 170px at 20px, i.e. 8.5 em.
	if sum != 8.5 {
		t.Errorf("“你好”，“世界”。 is %.2f em, want 8.5", sum)
	}
}

func TestCharsOf(t *testing.T) {
	t.Parallel()
	got := CharsOf([]Block{{Text: "2600多户"}, {Text: "长征镇 供稿"}})
	if got != 2+2+5 {
		t.Errorf("CharsOf = %d, want 9", got)
	}
}

func TestAutoLayoutSample(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "testdata/sample")
	e := mustEdition(t, c, "2025-06-17")
	rep, err := Estimate(c, e)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Auto || len(rep.Modules) != 3 {
		t.Fatalf("report: auto %v, %d modules; want automatic, 3", rep.Auto, len(rep.Modules))
	}
	lead, second, box := rep.Modules[0], rep.Modules[1], rep.Modules[2]
	if lead.Item != "changzheng-guandao" || lead.Columns != 8 || lead.Row != rep.Grid.MastheadLines {
		t.Errorf("lead module %+v: want changzheng-guandao across 8 columns under the masthead", lead)
	}
	if second.Row != lead.Row+lead.Lines {
		t.Errorf("second story starts at line %d, want %d", second.Row, lead.Row+lead.Lines)
	}
	if box.Kind != KindBox || box.Row+box.Lines != rep.Grid.Lines {
		t.Errorf("box %+v: want at the foot of the page (ending at line %d)", box, rep.Grid.Lines)
	}
	for _, m := range rep.Modules {
		if m.Status == Overset {
			t.Errorf("%s is overset on the sample: %s", m.Item, m.Describe())
		}
	}
	if lead.HeaderLines <= second.HeaderLines-1 {
		t.Errorf("lead header %d lines, second %d: the lead's headline should be the largest", lead.HeaderLines, second.HeaderLines)
	}
}

func TestOversetReport(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "testdata/overset")
	e := mustEdition(t, c, "2025-07-02")
	html, rep, err := Preview(c, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Module("overset")
	if m == nil || m.Status != Overset {
		t.Fatalf("overset module: %+v, want status overset", m)
	}
	// 4 columns × (40 − header − 1) lines against about 1,900 characters.
	if m.Cut < 200 || m.Cut != (m.LinesNeeded-m.LinesAvailable)*m.CharsPerLine {
		t.Errorf("cut %d characters (%d lines needed, %d available): want the overset lines × %d", m.Cut, m.LinesNeeded, m.LinesAvailable, m.CharsPerLine)
	}
	mis := rep.Misfits()
	if len(mis) == 0 || mis[0].Item != "overset" {
		t.Errorf("misfits = %+v, want overset first", mis)
	}
	sum := rep.Summary()
	for _, want := range []string{"overset", "需删约", "字"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary %q lacks %q", sum, want)
		}
	}
	if !bytes.Contains(html, []byte("删约 ")) || !bytes.Contains(html, []byte(`class="module story lead overset"`)) {
		t.Error("preview does not mark the overset module")
	}
}

func TestLayoutErrors(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "testdata/overset")
	base := mustEdition(t, c, "2025-07-02")
	tests := []struct {
		name   string
		layout []content.Module
		want   string
	}{
		{"未知稿件", []content.Module{{Item: "nope", Column: 1, Columns: 2, Row: 10, Lines: 10}}, `"nope" names no story`},
		{"超出栏数", []content.Module{{Item: "overset", Column: 7, Columns: 4, Row: 10, Lines: 10}}, "off the 8-column grid"},
		{"压住版头", []content.Module{{Item: "overset", Column: 1, Columns: 4, Row: 0, Lines: 10}}, "masthead"},
		{"模块重叠", []content.Module{
			{Item: "overset", Column: 1, Columns: 4, Row: 10, Lines: 30},
			{Item: "short", Column: 3, Columns: 4, Row: 20, Lines: 30},
		}, `"short" overlaps "overset"`},
		{"漏排", []content.Module{{Item: "overset", Column: 1, Columns: 4, Row: 10, Lines: 30}}, `"honour-roll" is on the edition but has no module`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := *base
			e.Layout = tt.layout
			_, _, err := Preview(c, &e, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if l := content.AsList(err); len(l) == 0 || l[0].File != "editions/2025-07-02.yaml" {
				t.Errorf("err %v does not name the edition file", err)
			}
		})
	}
}

func TestPreviewHTML(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "testdata/sample")
	e := mustEdition(t, c, "2025-06-17")
	html, _, err := Preview(c, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	again, _, _ := Preview(c, e, Options{})
	if !bytes.Equal(html, again) {
		t.Error("Preview is not deterministic")
	}
	for _, want := range []string{
		`<html lang="zh-Hans">`,
		`@page { size: 390mm 545mm; margin: 0; }`,
		`<h1 class="section">多维世界</h1>`,
		`<p>责任编辑：郭爽</p>`, `<p>微博：http://t.xinmin.cn/guoguo11</p>`, `<p>邮箱：9773859@qq.com</p>`, `<p>热线电话：22897276</p>`,
		`<p class="kicker"`, `普陀区长征镇为“网格”赋能，形成社区治理新格局`,
		`<p class="credit">长征镇 供稿</p>`,
		`<th>企业</th><th>受检产品</th><th>荣誉</th>`,
		`第 14 版`, `2025年6月17日 星期二`,
		`line-break: strict`, `text-indent: 2em`,
	} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("preview lacks %s", want)
		}
	}
	clean, _, _ := Preview(c, e, Options{Clean: true, NoScript: true})
	if bytes.Contains(clean, []byte("<script>")) || bytes.Contains(clean, []byte(`class="summary"`)) {
		t.Error("a clean preview without script still has the script or the summary")
	}
}

func TestDocBlocks(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "testdata/sample")
	p, err := pieces(c, mustEdition(t, c, "2025-06-17"), newRenderer(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	var subheads []string
	for _, b := range p[0].blocks {
		if b.Kind == Subhead {
			subheads = append(subheads, b.Text)
		}
	}
	if len(subheads) != 2 || subheads[0] != "从“痛点”到“焦点”推动基层治理“一呼百应”" {
		t.Errorf("subheads = %q", subheads)
	}
	last := p[0].blocks[len(p[0].blocks)-1]
	if last.Kind != Credit || last.Text != "长征镇 供稿" {
		t.Errorf("last block = %+v, want the credit", last)
	}
}

func FuzzCountLines(f *testing.F) {
	for _, s := range []string{"", "一二三四五六七八九十。", "“你好”，“世界”。", "http://t.xinmin.cn/guoguo11", "2600多户 abc", "。。。。", "（（（（"} {
		f.Add(s, 12.0)
	}
	f.Fuzz(func(t *testing.T, s string, measure float64) {
		if math.IsNaN(measure) || measure < 1 || measure > 200 {
			return
		}
		n := CountLines(s, measure, 2)
		if n < 1 {
			t.Fatalf("CountLines(%q, %g) = %d, want at least 1", s, measure, n)
		}
		// A line holds at least one rune: never more lines than runes + 1.
		if max := len([]rune(s)) + 1; n > max {
			t.Fatalf("CountLines(%q, %g) = %d, more than %d", s, measure, n, max)
		}
	})
}

func TestEditionGeometryOverride(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "testdata/sample")
	e := *mustEdition(t, c, "2025-06-17")
	e.Geometry = &content.Geometry{TrimWidth: 280, TrimHeight: 390, Columns: 6}
	html, rep, err := Preview(c, &e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte("@page { size: 280mm 390mm; margin: 0; }")) {
		t.Error("the edition's trim size is not the @page size")
	}
	if rep.Grid.Columns != 6 || rep.Grid.TrimWidthMM != 280 {
		t.Errorf("grid %+v, want 6 columns on 280 mm", rep.Grid)
	}
	for _, m := range rep.Modules {
		if m.Column+m.Columns-1 > 6 || m.Row+m.Lines > rep.Grid.Lines {
			t.Errorf("module %s off the 6-column grid: %+v", m.Item, m)
		}
	}
	// The smaller page holds less: the sample is overset on it, and the
	// summary says by how much.
	if len(rep.Misfits()) == 0 || !strings.Contains(rep.Summary(), "需删约") {
		t.Errorf("summary on a tabloid page:\n%s", rep.Summary())
	}
}
