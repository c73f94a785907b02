package layout

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
)

// Kinds of module.
const (
	KindStory = "story"
	KindBox   = "box"
)

// Status is how a module's copy fits its module.
type Status string

const (
	Fits     Status = "fits"
	Overset  Status = "overset"  // too much copy: cut
	Underset Status = "underset" // too little copy: add
)

// ModuleReport is the copyfit of one module.
type ModuleReport struct {
	Item    string `json:"item"`  // story slug or box id
	Kind    string `json:"kind"`  // KindStory or KindBox
	Title   string `json:"title"` // headline or box title
	Column  int    `json:"column"`
	Columns int    `json:"columns"`
	Row     int    `json:"row"`
	Lines   int    `json:"lines"` // module height in body lines
	// HeaderLines is the height of the header (kicker, headline,
	// subtitle; a box's title) in body lines.
	HeaderLines int `json:"headerLines"`
	// LinesNeeded and LinesAvailable count text-column lines: a story
	// module of k columns has k times its body height.
	LinesNeeded    int `json:"linesNeeded"`
	LinesAvailable int `json:"linesAvailable"`
	// CharsPerLine is the body characters of one text-column line.
	CharsPerLine int `json:"charsPerLine"`
	// Chars is the copy length (Han characters and full-width
	// punctuation; Latin letters and digits count half).
	Chars int `json:"chars"`
	// Cut is about how many characters to cut when overset; Add about
	// how many to add when underset.
	Cut    int    `json:"cut,omitempty"`
	Add    int    `json:"add,omitempty"`
	Status Status `json:"status"`
}

// Report is the copyfit of a whole page.
type Report struct {
	Edition string         `json:"edition"` // YYYY-MM-DD
	Page    int            `json:"page"`
	Auto    bool           `json:"auto"` // the layout was made automatically
	Grid    GridSummary    `json:"grid"`
	Modules []ModuleReport `json:"modules"`
}

// GridSummary is the page grid in the units editors use.
type GridSummary struct {
	TrimWidthMM, TrimHeightMM float64
	Columns                   int
	ColumnWidthMM             float64
	Lines                     int // body lines in the type area
	MastheadLines             int
	CharsPerLine              int
}

// Misfits returns the modules that are overset or underset, in page order.
func (r *Report) Misfits() []ModuleReport {
	var out []ModuleReport
	for _, m := range r.Modules {
		if m.Status != Fits {
			out = append(out, m)
		}
	}
	return out
}

// Module returns the report of item, or nil.
func (r *Report) Module(item string) *ModuleReport {
	for i := range r.Modules {
		if r.Modules[i].Item == item {
			return &r.Modules[i]
		}
	}
	return nil
}

// Summary is one line per module that does not fit, in Chinese, or a line
// saying that everything fits.
func (r *Report) Summary() string {
	var b strings.Builder
	mis := r.Misfits()
	if len(mis) == 0 {
		fmt.Fprintf(&b, "%s 第%d版：全部 %d 个模块排得下。\n", r.Edition, r.Page, len(r.Modules))
		return b.String()
	}
	fmt.Fprintf(&b, "%s 第%d版：%d 个模块不合适。\n", r.Edition, r.Page, len(mis))
	for _, m := range mis {
		b.WriteString("  ")
		b.WriteString(m.Describe())
		b.WriteByte('\n')
	}
	return b.String()
}

// Describe says in Chinese how the module fits: "《标题》(slug) 超 12 行，需删约 140 字".
func (m ModuleReport) Describe() string {
	head := fmt.Sprintf("《%s》(%s，%d栏×%d行)", m.Title, m.Item, m.Columns, m.Lines)
	switch m.Status {
	case Overset:
		return fmt.Sprintf("%s 超 %d 行（需 %d 行，可排 %d 行），需删约 %d 字", head, m.LinesNeeded-m.LinesAvailable, m.LinesNeeded, m.LinesAvailable, m.Cut)
	case Underset:
		return fmt.Sprintf("%s 空 %d 行（需 %d 行，可排 %d 行），可补约 %d 字", head, m.LinesAvailable-m.LinesNeeded, m.LinesNeeded, m.LinesAvailable, m.Add)
	}
	return fmt.Sprintf("%s 排得下（需 %d 行，可排 %d 行）", head, m.LinesNeeded, m.LinesAvailable)
}

// piece is one item of the edition with what layout needs of it.
type piece struct {
	id     string
	kind   string
	lead   bool
	title  string
	story  *content.Story
	box    *content.Box
	blocks []Block       // story body
	body   template.HTML // story body HTML, credit excluded
	chars  int           // copy length
	line   int           // edition file line of the item
}

// header sizes of a piece in a module of k columns.
type headerMetrics struct {
	headSize, kickSize   float64
	kickLines, headLines int
	subLines             int
	lines                int // header height in body lines
}

// kickerSize is the size of kicker and subtitle for a headline size.
func (g *Grid) kickerSize(head float64) float64 {
	return math.Max(g.BodySize*1.4, math.Round(head*0.45*2)/2)
}

// Header line heights, as multiples of the type size (page.css uses them).
const (
	headLeading = 1.25
	kickLeading = 1.5
)

// header measures a piece's header in a module of k columns.
func (g *Grid) header(p *piece, k int) headerMetrics {
	w := g.SpanWidth(k)
	var h headerMetrics
	if p.kind == KindBox {
		h.headSize = g.headlineSize(2)
		h.headLines = CountLines(p.title, measureEm(w-2*g.boxInset(), h.headSize), 0)
		pt := float64(h.headLines)*h.headSize*kickLeading + g.boxInset()
		h.lines = int(math.Ceil(pt/g.Leading - 1e-9))
		return h
	}
	if p.lead {
		h.headSize = g.headlineSize(0)
	} else {
		h.headSize = g.headlineSize(1)
	}
	h.kickSize = g.kickerSize(h.headSize)
	pt := 0.0
	if p.story.Kicker != "" {
		h.kickLines = CountLines(p.story.Kicker, measureEm(w, h.kickSize), 0)
		pt += float64(h.kickLines) * h.kickSize * kickLeading
	}
	h.headLines = CountLines(p.story.Title, measureEm(w, h.headSize), 0)
	pt += float64(h.headLines) * h.headSize * headLeading
	if p.story.Subtitle != "" {
		h.subLines = CountLines(p.story.Subtitle, measureEm(w, h.kickSize), 0)
		pt += float64(h.subLines) * h.kickSize * kickLeading
	}
	pt += g.Leading / 2 // space under the header
	h.lines = int(math.Ceil(pt/g.Leading - 1e-9))
	return h
}

// boxInset is a box's border plus padding, on each side.
func (g *Grid) boxInset() float64 { return boxBorder + g.Leading/2 }

// Box table metrics (page.css uses the same figures).
const (
	boxBorder   = 1.0 // pt, the box frame
	cellPadV    = 2.0 // pt, top and bottom of a table cell
	cellPadH    = 3.0 // pt, left and right of a table cell
	cellRule    = 0.5 // pt, the rule between rows
	spacerLines = 1   // white line under every module
)

// boxColumns are the shares of the honour roll's three columns.
var boxColumns = [3]float64{0.32, 0.40, 0.28}

// boxBodyPoints is the height of a box's table in points in a module of k
// columns.
func (g *Grid) boxBodyPoints(b *content.Box, k int) float64 {
	inner := g.SpanWidth(k) - 2*g.boxInset()
	row := func(cells [3]string) float64 {
		n := 1
		for i, c := range cells {
			m := CountLines(c, measureEm(inner*boxColumns[i]-2*cellPadH, g.BodySize), 0)
			if m > n {
				n = m
			}
		}
		return float64(n)*g.Leading + 2*cellPadV + cellRule
	}
	pt := row([3]string{"企业", "受检产品", "荣誉"})
	for _, r := range b.Rows {
		pt += row([3]string{r.Company, r.Product, r.Award})
	}
	return pt + g.boxInset() + cellRule
}

// need is the module height in lines a piece needs at k columns, and the
// header it would have.
func (g *Grid) need(p *piece, k int) (int, headerMetrics) {
	h := g.header(p, k)
	if p.kind == KindBox {
		return h.lines + int(math.Ceil(g.boxBodyPoints(p.box, k)/g.Leading-1e-9)) + spacerLines, h
	}
	body := BodyLines(p.blocks, measureEm(g.ColumnWidth, g.BodySize))
	return h.lines + (body+k-1)/k + spacerLines, h
}

// estimate is the copyfit of piece p in module m.
func (g *Grid) estimate(p *piece, m content.Module) (ModuleReport, headerMetrics) {
	h := g.header(p, m.Columns)
	r := ModuleReport{
		Item: p.id, Kind: p.kind, Title: p.title,
		Column: m.Column, Columns: m.Columns, Row: m.Row, Lines: m.Lines,
		HeaderLines: h.lines, Chars: p.chars, Status: Fits,
	}
	bodyHeight := m.Lines - h.lines - spacerLines
	if bodyHeight < 0 {
		bodyHeight = 0
	}
	if p.kind == KindBox {
		inner := g.SpanWidth(m.Columns) - 2*g.boxInset()
		r.CharsPerLine = int(inner * boxColumns[1] / g.BodySize)
		r.LinesNeeded = int(math.Ceil(g.boxBodyPoints(p.box, m.Columns)/g.Leading - 1e-9))
		r.LinesAvailable = bodyHeight
		if r.LinesNeeded > r.LinesAvailable {
			r.Status = Overset
			r.Cut = (r.LinesNeeded - r.LinesAvailable) * r.CharsPerLine
		}
		return r, h
	}
	r.CharsPerLine = g.CharsPerLine
	r.LinesNeeded = BodyLines(p.blocks, measureEm(g.ColumnWidth, g.BodySize))
	r.LinesAvailable = bodyHeight * m.Columns
	switch {
	case r.LinesNeeded > r.LinesAvailable:
		r.Status = Overset
		r.Cut = (r.LinesNeeded - r.LinesAvailable) * r.CharsPerLine
	case r.LinesAvailable-r.LinesNeeded > m.Columns:
		// More than one empty line per column on average.
		r.Status = Underset
		r.Add = (r.LinesAvailable - r.LinesNeeded) * r.CharsPerLine
	}
	return r, h
}

// newRenderer is the Markdown renderer for c's stories.
func newRenderer(c *content.Content) *markdown.Renderer {
	return markdown.New(markdown.Options{Typeset: c.Site.TypesetOn()})
}

// pieces collects the edition's items with their copy.
func pieces(c *content.Content, e *content.Edition, md *markdown.Renderer) ([]*piece, error) {
	var out []*piece
	var errs content.ErrorList
	leadSeen := false
	for _, it := range e.Items {
		switch {
		case it.Story != "":
			s := c.Story(it.Story)
			if s == nil {
				errs = append(errs, &content.FileError{File: e.Path, Line: it.Line, Msg: fmt.Sprintf("edition names story %q, which does not exist", it.Story)})
				continue
			}
			doc, err := md.Render(s.Body)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.Path, err)
			}
			blocks := docBlocks(doc)
			if s.Credit != "" {
				blocks = append(blocks, Block{Kind: Credit, Text: content.CreditLine(s.Credit)})
			}
			p := &piece{id: s.Slug, kind: KindStory, lead: it.Lead && !leadSeen, title: s.Title, story: s,
				blocks: blocks, body: doc.HTML, line: it.Line}
			p.chars = CharsOf(blocks)
			leadSeen = leadSeen || p.lead
			out = append(out, p)
		case it.Box != "":
			b := c.Boxes[it.Box]
			if b == nil {
				errs = append(errs, &content.FileError{File: e.Path, Line: it.Line, Msg: fmt.Sprintf("edition names box %q, which does not exist", it.Box)})
				continue
			}
			p := &piece{id: b.ID, kind: KindBox, title: b.Title, box: b, line: it.Line}
			if p.title == "" {
				p.title = "荣誉榜"
			}
			var bl []Block
			for _, r := range b.Rows {
				bl = append(bl, Block{Text: r.Company + r.Product + r.Award})
			}
			p.chars = CharsOf(bl)
			out = append(out, p)
		}
	}
	if !leadSeen {
		for _, p := range out {
			if p.kind == KindStory {
				p.lead = true
				break
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// docBlocks turns a rendered story into estimator blocks: each line of
// the plain text is a paragraph, except the subheads, which come in the
// order of Doc.Headings.
func docBlocks(d *markdown.Doc) []Block {
	var out []Block
	h := 0
	for _, line := range strings.Split(d.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if h < len(d.Headings) && strings.TrimSpace(d.Headings[h].Text) == line {
			out = append(out, Block{Kind: Subhead, Text: line})
			h++
			continue
		}
		out = append(out, Block{Kind: Paragraph, Text: line})
	}
	return out
}

// AutoLayout places pieces on the grid: boxes side by side at the foot,
// as tall as the tallest needs; the lead story across the full width at
// the top; the other stories side by side below it, their columns shared
// by copy length. Spare lines are shared by the three rows in proportion
// to their needs; a shortfall is shared by the stories. The report shows
// both.
func (g *Grid) autoLayout(ps []*piece) []content.Module {
	var stories, boxes []*piece
	for _, p := range ps {
		if p.kind == KindBox {
			boxes = append(boxes, p)
		} else if p.lead {
			stories = append([]*piece{p}, stories...)
		} else {
			stories = append(stories, p)
		}
	}
	top, bottom := g.MastheadLines, g.Lines
	var mods []content.Module

	// Boxes at the foot.
	boxCols := split(g.Columns, len(boxes), func(i int) float64 { return 1 })
	boxH := 0
	for i, b := range boxes {
		if n, _ := g.need(b, boxCols[i]); n > boxH {
			boxH = n
		}
	}

	// Stories: the lead on top, the rest in one row below.
	var leadH, restH int
	var restCols []int
	if len(stories) > 0 {
		leadH, _ = g.need(stories[0], g.Columns)
	}
	rest := stories
	if len(rest) > 0 {
		rest = rest[1:]
	}
	if len(rest) > g.Columns/2 {
		rest = rest[:g.Columns/2] // the rest cannot be placed: reported as unplaced
	}
	if len(rest) > 0 {
		restCols = split(g.Columns, len(rest), func(i int) float64 { return float64(rest[i].chars) + 200 })
		for i, p := range rest {
			if n, _ := g.need(p, restCols[i]); n > restH {
				restH = n
			}
		}
	}
	avail := bottom - top
	if slack := avail - boxH - leadH - restH; slack >= 0 {
		// Spare lines go to every row in proportion to its need: the
		// stories show them as underset, the boxes' tables stretch.
		total := boxH + leadH + restH
		if total > 0 {
			addLead := slack * leadH / total
			addRest := slack * restH / total
			leadH += addLead
			restH += addRest
			boxH += slack - addLead - addRest
		}
	} else {
		// Overset page: the boxes keep their height, the stories share
		// what is left in proportion to their needs.
		left := max(avail-boxH, 0)
		if leadH+restH > 0 {
			l := left * leadH / (leadH + restH)
			leadH, restH = l, left-l
		}
	}
	row := top
	if len(stories) > 0 {
		mods = append(mods, content.Module{Item: stories[0].id, Column: 1, Columns: g.Columns, Row: row, Lines: leadH})
		row += leadH
	}
	col := 1
	for i, p := range rest {
		mods = append(mods, content.Module{Item: p.id, Column: col, Columns: restCols[i], Row: row, Lines: restH})
		col += restCols[i]
	}
	col = 1
	for i, b := range boxes {
		mods = append(mods, content.Module{Item: b.id, Column: col, Columns: boxCols[i], Row: bottom - boxH, Lines: boxH})
		col += boxCols[i]
	}
	return mods
}

// split shares n columns among k parts by weight, each at least 2 columns
// when there are enough.
func split(n, k int, weight func(i int) float64) []int {
	if k == 0 {
		return nil
	}
	minCols := 1
	if n >= 2*k {
		minCols = 2
	}
	total := 0.0
	for i := 0; i < k; i++ {
		total += weight(i)
	}
	out := make([]int, k)
	used := 0
	type frac struct {
		i int
		f float64
	}
	var fr []frac
	for i := 0; i < k; i++ {
		exact := float64(n-minCols*k) * weight(i) / total
		out[i] = minCols + int(exact)
		used += out[i]
		fr = append(fr, frac{i, exact - math.Floor(exact)})
	}
	sort.SliceStable(fr, func(a, b int) bool { return fr[a].f > fr[b].f })
	for j := 0; used < n; j++ {
		out[fr[j%k].i]++
		used++
	}
	return out
}

// checkLayout validates an edition's explicit layout against the grid and
// the items.
func (g *Grid) checkLayout(e *content.Edition, ps []*piece) error {
	var errs content.ErrorList
	bad := func(format string, args ...any) {
		errs = append(errs, &content.FileError{File: e.Path, Msg: "layout: " + fmt.Sprintf(format, args...)})
	}
	known := map[string]bool{}
	for _, p := range ps {
		known[p.id] = true
	}
	placed := map[string]bool{}
	cells := make([][]string, g.Lines)
	for i := range cells {
		cells[i] = make([]string, g.Columns)
	}
	for _, m := range e.Layout {
		switch {
		case !known[m.Item]:
			bad("module %q names no story or box of this edition", m.Item)
			continue
		case placed[m.Item]:
			bad("%q has two modules", m.Item)
			continue
		}
		placed[m.Item] = true
		switch {
		case m.Column < 1 || m.Columns < 1 || m.Column+m.Columns-1 > g.Columns:
			bad("%q: columns %d to %d are off the %d-column grid", m.Item, m.Column, m.Column+m.Columns-1, g.Columns)
			continue
		case m.Row < g.MastheadLines || m.Lines < 1 || m.Row+m.Lines > g.Lines:
			bad("%q: lines %d to %d are off the type area (lines %d to %d; the masthead takes lines 0 to %d)",
				m.Item, m.Row, m.Row+m.Lines-1, g.MastheadLines, g.Lines-1, g.MastheadLines-1)
			continue
		}
		clash := ""
		for r := m.Row; r < m.Row+m.Lines; r++ {
			for c := m.Column - 1; c < m.Column-1+m.Columns; c++ {
				if cells[r][c] != "" && clash == "" {
					clash = cells[r][c]
				}
				cells[r][c] = m.Item
			}
		}
		if clash != "" {
			bad("%q overlaps %q", m.Item, clash)
		}
	}
	for _, p := range ps {
		if !placed[p.id] {
			bad("%q is on the edition but has no module", p.id)
		}
	}
	return errs.Err()
}
