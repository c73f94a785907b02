package layout

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"strings"

	"github.com/banmian/banmian/internal/content"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed page.css
	pageCSS string
	//go:embed measure.js
	measureJS string

	pageTmpl = template.Must(template.New("page").Parse(pageHTML))
)

// Options tune Preview.
type Options struct {
	// Clean leaves out the copyfit marks, the grid guides and the
	// summary: a proof as it will print.
	Clean bool
	// NoScript leaves out the script that measures the layout in the
	// browser.
	NoScript bool
	// Assets is the content folder, where story photos are read from;
	// nil leaves photos as captioned placeholders.
	Assets fs.FS
	// ZoomToFit shrinks the page on screen to the window's width (in
	// steps, by CSS alone), with a toggle for actual size. Print is
	// unaffected.
	ZoomToFit bool
}

// Serif and sans font stacks: CJK fonts first, so that “” are full width.
const (
	serifStack = `"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", serif`
	sansStack  = `"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif`
)

// Preview lays out edition e of c and renders the print preview: one page
// of the configured trim size as HTML, with its copyfit report. The layout
// is the edition's own, or automatic when the edition has none. Errors are
// content.ErrorList values naming the edition file when the edition names
// missing items or its layout is off the grid.
func Preview(c *content.Content, e *content.Edition, opt Options) ([]byte, *Report, error) {
	p, err := plan(c, e, opt.Assets)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := pageTmpl.Execute(&buf, p.view(c, e, opt)); err != nil {
		return nil, nil, fmt.Errorf("rendering the preview of %s: %w", e.DateString(), err)
	}
	return buf.Bytes(), p.report, nil
}

// Estimate lays out edition e of c and returns its copyfit report without
// rendering the page.
// Photos are read from opt's Assets when given.
func Estimate(c *content.Content, e *content.Edition, opt ...Options) (*Report, error) {
	var o Options
	if len(opt) > 0 {
		o = opt[0]
	}
	p, err := plan(c, e, o.Assets)
	if err != nil {
		return nil, err
	}
	return p.report, nil
}

// AutoLayout returns the automatic layout of edition e, whatever layout
// the edition has: a starting point for the edition builder.
func AutoLayout(c *content.Content, e *content.Edition) ([]content.Module, error) {
	g, err := NewGrid(ResolveGeometry(c.Site.Geometry, e.Geometry))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Path, err)
	}
	ps, err := pieces(c, e, newRenderer(c), nil)
	if err != nil {
		return nil, err
	}
	return g.autoLayout(ps), nil
}

// planned is a laid-out page.
type planned struct {
	grid    *Grid
	mods    []placed
	report  *Report
	masthed content.Masthead
}

type placed struct {
	m      content.Module
	p      *piece
	h      headerMetrics
	report ModuleReport
}

func plan(c *content.Content, e *content.Edition, assets fs.FS) (*planned, error) {
	g, err := NewGrid(ResolveGeometry(c.Site.Geometry, e.Geometry))
	if err != nil {
		return nil, &content.FileError{File: e.Path, Msg: err.Error(), Err: err}
	}
	ps, err := pieces(c, e, newRenderer(c), assets)
	if err != nil {
		return nil, err
	}
	mods := e.Layout
	auto := len(mods) == 0
	if auto {
		mods = g.autoLayout(ps)
	} else if err := g.checkLayout(e, ps); err != nil {
		return nil, err
	}
	byID := map[string]*piece{}
	for _, p := range ps {
		byID[p.id] = p
	}
	pl := &planned{grid: g, masthed: e.Masthead.Merge(c.Site.Masthead)}
	if pl.masthed.Section == "" {
		pl.masthed.Section = c.Site.Section
	}
	pl.report = &Report{
		Edition: e.DateString(), Auto: auto,
		Grid: GridSummary{
			TrimWidthMM: g.Geometry.TrimWidth, TrimHeightMM: g.Geometry.TrimHeight,
			Columns: g.Columns, ColumnWidthMM: math.Round(g.ColumnWidth/ptPerMM*100) / 100,
			Lines: g.Lines, MastheadLines: g.MastheadLines, CharsPerLine: g.CharsPerLine,
		},
	}
	for _, m := range mods {
		p := byID[m.Item]
		if p == nil {
			continue
		}
		r, h := g.estimate(p, m)
		pl.mods = append(pl.mods, placed{m: m, p: p, h: h, report: r})
		pl.report.Modules = append(pl.report.Modules, r)
	}
	pl.report.Page = g.pageFit(ps, pl.report.Modules, e.Page)
	return pl, nil
}

// pageView is what page.html renders.
type pageView struct {
	Section, Paper, Date, DateText string
	Page                           int
	Masthead                       content.Masthead
	PageSize, Vars, CSS            template.CSS
	MastheadStyle                  template.CSS
	Marks, Auto, Measure           bool
	ZoomCSS                        template.CSS
	PageText                       string
	Modules                        []moduleView
	Misfits                        []ModuleReport
	GridText                       string
	Script                         template.JS
}

type moduleView struct {
	Report                           ModuleReport
	Lead, Ruled                      bool
	Story                            *content.Story
	Box                              *content.Box
	Body                             template.HTML
	Credit                           string
	MarkText                         string
	Style, HeadStyle, HeadlineStyle  template.CSS
	KickStyle, BodyStyle, FrameStyle template.CSS
}

// pt formats a length in points for CSS.
func pt(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "pt"
}

func (pl *planned) view(c *content.Content, e *content.Edition, opt Options) *pageView {
	g := pl.grid
	v := &pageView{
		Section:  pl.masthed.Section,
		Paper:    c.Site.Paper,
		Date:     e.DateString(),
		DateText: content.ChineseDateWeekday(e.Date),
		Page:     e.Page,
		Masthead: pl.masthed,
		PageSize: template.CSS(fmt.Sprintf("%gmm %gmm", g.Geometry.TrimWidth, g.Geometry.TrimHeight)),
		CSS:      template.CSS(pageCSS),
		Marks:    !opt.Clean,
		Auto:     pl.report.Auto,
		Misfits:  pl.report.Misfits(),
		GridText: fmt.Sprintf("版心 %g×%g 毫米，%d 栏，每栏 %.1f 毫米、%d 字，%g 磅字 %g 磅行距，每栏 %d 行（版头占 %d 行）。",
			math.Round(g.Width/ptPerMM*10)/10, math.Round(g.Height/ptPerMM*10)/10, g.Columns, g.ColumnWidth/ptPerMM, g.CharsPerLine,
			g.BodySize, g.Leading, g.Lines, g.MastheadLines),
	}
	if v.Page == 0 {
		v.Page = 1
	}
	if !opt.NoScript {
		v.Script = template.JS(measureJS)
		v.Measure = true
	}
	v.PageText = pl.report.Page.Summary
	if opt.ZoomToFit {
		v.ZoomCSS = template.CSS(zoomCSS(g.PageWidth))
	}
	v.Vars = template.CSS(strings.Join([]string{
		"--page-w:" + pt(g.PageWidth), "--page-h:" + pt(g.PageHeight),
		"--area-x:" + pt(g.Left), "--area-y:" + pt(g.Top),
		"--area-w:" + pt(g.Width), "--area-h:" + pt(g.Height),
		"--col-w:" + pt(g.ColumnWidth), "--col-pitch:" + pt(g.ColumnWidth+g.Gutter),
		"--gutter:" + pt(g.Gutter),
		"--body-size:" + pt(g.BodySize), "--leading:" + pt(g.Leading),
		"--small-size:" + pt(math.Max(g.BodySize-0.5, 7)),
		"--section-size:" + pt(g.sectionSize()),
		"--box-pad:" + pt(g.Leading/2),
		"--serif:" + serifStack, "--sans:" + sansStack,
	}, ";") + ";")
	v.MastheadStyle = template.CSS("height:" + pt(float64(g.MastheadLines)*g.Leading-g.Leading/2))
	for _, pm := range pl.mods {
		m, p, h := pm.m, pm.p, pm.h
		mv := moduleView{
			Report: pm.report, Lead: p.lead, Story: p.story, Box: p.box, Body: p.body,
			Ruled: m.Row > g.MastheadLines,
		}
		w := g.SpanWidth(m.Columns)
		mv.Style = template.CSS(fmt.Sprintf("left:%s;top:%s;width:%s;height:%s",
			pt(g.ColumnLeft(m.Column)), pt(float64(m.Row)*g.Leading), pt(w), pt(float64(m.Lines)*g.Leading)))
		bodyLines := max(m.Lines-h.lines-spacerLines, 0)
		switch pm.report.Status {
		case Overset:
			mv.MarkText = fmt.Sprintf("超 %d 行 · 删约 %d 字", pm.report.LinesNeeded-pm.report.LinesAvailable, pm.report.Cut)
		case Underset:
			mv.MarkText = fmt.Sprintf("空 %d 行 · 可补约 %d 字", pm.report.LinesAvailable-pm.report.LinesNeeded, pm.report.Add)
		}
		mv.HeadlineStyle = template.CSS("font-size:" + pt(h.headSize))
		if p.kind == KindBox {
			mv.FrameStyle = template.CSS(fmt.Sprintf("height:%s", pt(float64(m.Lines-spacerLines)*g.Leading)))
			v.Modules = append(v.Modules, mv)
			continue
		}
		for _, b := range p.blocks {
			if b.Kind == Credit {
				mv.Credit = b.Text
			}
		}
		mv.HeadStyle = template.CSS(fmt.Sprintf("width:%s;height:%s", pt(w), pt(float64(h.lines)*g.Leading)))
		mv.KickStyle = template.CSS("font-size:" + pt(h.kickSize))
		mv.BodyStyle = template.CSS(fmt.Sprintf("height:%s;column-count:%d;column-gap:%s",
			pt(float64(bodyLines)*g.Leading), m.Columns, pt(g.Gutter)))
		v.Modules = append(v.Modules, mv)
	}
	return v
}

// zoomCSS shrinks the sheet on screens narrower than the page: one
// media query per 5% step, narrower windows later so they win.
func zoomCSS(pageWidthPt float64) string {
	const pxPerPt = 96.0 / 72
	const margin = 48 // body padding, both sides
	var b strings.Builder
	b.WriteString("@media screen {\n")
	for z := 95; z >= 15; z -= 5 {
		// Narrower than the page at zoom z+5%: zoom z.
		w := math.Ceil(pageWidthPt*pxPerPt*float64(z+5)/100) + margin
		fmt.Fprintf(&b, "@media (max-width: %.0fpx) { #actual-size:not(:checked) ~ .sheet { zoom: %.2f; } }\n", w, float64(z)/100)
	}
	b.WriteString(".zoom { font: 14px/1.6 var(--sans); text-align: center; margin: 0 0 12px; }\n}\n@media print { .zoom, #actual-size { display: none; } }\n")
	return b.String()
}
