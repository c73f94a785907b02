package layout

import (
	"fmt"
	"html/template"
	"io/fs"
	"math"
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
	Fits     Status = "ok"
	Overset  Status = "overset"  // too much copy: cut
	Underset Status = "underset" // too little copy: add
)

// ModuleReport is the copyfit of one module. Its JSON is the fit report
// of `banmian proof -json` and of the desk's edition builder.
type ModuleReport struct {
	Item    string `json:"item"`  // story slug or box id
	Kind    string `json:"kind"`  // KindStory or KindBox
	Title   string `json:"title"` // headline or box title
	Lead    bool   `json:"lead,omitempty"`
	Column  int    `json:"column"`
	Columns int    `json:"columns"`
	Row     int    `json:"row"`
	Lines   int    `json:"lines"` // module height in body lines
	// NeedLines is the module height in body lines the copy needs at
	// these columns (header, body and the white line under it).
	NeedLines int `json:"needLines"`
	// HeaderLines is the height of the header (kicker, headline,
	// subtitle; a box's title) in body lines.
	HeaderLines int `json:"headerLines"`
	// LinesNeeded and LinesAvailable count text-column lines: a story
	// module of k columns has k times its body height.
	LinesNeeded    int `json:"textLinesNeeded"`
	LinesAvailable int `json:"textLinesAvailable"`
	// CharsPerLine is the body characters of one text-column line.
	CharsPerLine int `json:"charsPerLine"`
	// Length is the copy length (Han characters and full-width
	// punctuation; Latin letters and digits count half).
	Length int `json:"length"`
	// Cut is about how many characters to cut when overset; Add about
	// how many more would fit when underset.
	Cut    int    `json:"-"`
	Add    int    `json:"-"`
	Status Status `json:"fit"`
	// Chars is Cut when overset and Add when underset.
	Chars int `json:"chars"`
	// Locked is the editor's lock on the module's size.
	Locked bool `json:"locked,omitempty"`
}

// Report is the copyfit of a whole page.
type Report struct {
	Edition string         `json:"edition"` // YYYY-MM-DD
	Auto    bool           `json:"auto"`    // the layout was made automatically
	Grid    GridSummary    `json:"grid"`
	Page    PageFit        `json:"page"`
	Modules []ModuleReport `json:"modules"`
}

// PageFit is the copyfit of the page as a whole.
type PageFit struct {
	Number int `json:"number"` // 版次
	// Columns and Lines are the module area: base columns and body lines
	// under the masthead.
	Columns int `json:"columns"`
	Lines   int `json:"lines"`
	// NeedLines is the module area the copy needs, in base-column lines,
	// against Columns×Lines available.
	NeedLines  int    `json:"needLines"`
	AvailLines int    `json:"availLines"`
	Fit        Status `json:"fit"`
	// Chars is the characters to cut from the page (overset) or that
	// would still fit on it (underset).
	Chars int `json:"chars"`
	// Cuts names the modules to cut, with how much; Move names the
	// stories whose moving to another page would let the rest fit.
	Cuts    []Cut    `json:"cuts,omitempty"`
	Move    []string `json:"move,omitempty"`
	Summary string   `json:"summary"` // in Chinese, for the desk
}

// Cut is how many characters to cut from one item.
type Cut struct {
	Item  string `json:"item"`
	Title string `json:"title"`
	Chars int    `json:"chars"`
}

// GridSummary is the page grid in the units editors use.
type GridSummary struct {
	TrimWidthMM   float64 `json:"trimWidthMM"`
	TrimHeightMM  float64 `json:"trimHeightMM"`
	Columns       int     `json:"columns"`
	ColumnWidthMM float64 `json:"columnWidthMM"`
	Lines         int     `json:"lines"` // body lines in the type area
	MastheadLines int     `json:"mastheadLines"`
	CharsPerLine  int     `json:"charsPerLine"`
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
		fmt.Fprintf(&b, "%s 第%d版：全部 %d 个模块排得下。\n", r.Edition, r.Page.Number, len(r.Modules))
		return b.String()
	}
	fmt.Fprintf(&b, "%s 第%d版：%d 个模块不合适。\n", r.Edition, r.Page.Number, len(mis))
	for _, m := range mis {
		b.WriteString("  ")
		b.WriteString(m.Describe())
		b.WriteByte('\n')
	}
	if r.Page.Summary != "" {
		b.WriteString("  " + r.Page.Summary + "\n")
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
	blocks []Block             // story body
	body   template.HTML       // story body HTML, credit excluded
	chars  int                 // copy length
	line   int                 // edition file line of the item
	module *content.ItemModule // the editor's override, or nil
	// bodyN caches the body lines in one base column (0: not yet).
	bodyN int
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
	body := g.pieceBody(p)
	return h.lines + (body+k-1)/k + spacerLines, h
}

// pieceBody is the lines p's body takes in one base column, counted once:
// it does not depend on the module.
func (g *Grid) pieceBody(p *piece) int {
	if p.bodyN == 0 {
		p.bodyN = g.bodyLines(p.blocks) + 1 // stored +1 so 0 means unset
	}
	return p.bodyN - 1
}

// estimate is the copyfit of piece p in module m.
func (g *Grid) estimate(p *piece, m content.Module) (ModuleReport, headerMetrics) {
	r, h := g.fit(p, m)
	r.NeedLines, _ = g.need(p, max(m.Columns, 1))
	r.Lead = p.lead
	r.Locked = p.module != nil && p.module.Locked
	switch r.Status {
	case Overset:
		r.Chars = r.Cut
	case Underset:
		r.Chars = r.Add
	}
	return r, h
}

// fit compares the lines piece p needs in module m with the lines it has.
func (g *Grid) fit(p *piece, m content.Module) (ModuleReport, headerMetrics) {
	h := g.header(p, m.Columns)
	r := ModuleReport{
		Item: p.id, Kind: p.kind, Title: p.title,
		Column: m.Column, Columns: m.Columns, Row: m.Row, Lines: m.Lines,
		HeaderLines: h.lines, Length: p.chars, Status: Fits,
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
	r.LinesNeeded = g.pieceBody(p)
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
func pieces(c *content.Content, e *content.Edition, md *markdown.Renderer, assets fs.FS) ([]*piece, error) {
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
			src, err := s.LoadBody()
			if err != nil {
				return nil, err
			}
			doc, err := md.Render(src)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.Path, err)
			}
			body, blocks := storyPhotos(s, doc.HTML, docBlocks(doc), assets)
			if s.Credit != "" {
				blocks = append(blocks, Block{Kind: Credit, Text: content.CreditLine(s.Credit)})
			}
			p := &piece{id: s.Slug, kind: KindStory, lead: it.Lead && !leadSeen, title: s.Title, story: s,
				blocks: blocks, body: body, line: it.Line, module: it.Module}
			p.chars = CharsOf(blocks)
			leadSeen = leadSeen || p.lead
			out = append(out, p)
		case it.Box != "":
			b := c.Boxes[it.Box]
			if b == nil {
				errs = append(errs, &content.FileError{File: e.Path, Line: it.Line, Msg: fmt.Sprintf("edition names box %q, which does not exist", it.Box)})
				continue
			}
			p := &piece{id: b.ID, kind: KindBox, title: b.Title, box: b, line: it.Line, module: it.Module}
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
