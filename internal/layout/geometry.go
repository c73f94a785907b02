package layout

import (
	"fmt"
	"math"

	"github.com/banmian/banmian/internal/content"
)

// ptPerMM converts millimetres to points.
const ptPerMM = 72 / 25.4

// Grid is a page geometry resolved to points, base columns and body lines.
type Grid struct {
	Geometry content.Geometry // as configured, defaults merged, in mm and pt

	PageWidth, PageHeight float64 // trim size
	Top, Left             float64 // type area origin on the page
	Width, Height         float64 // type area
	Columns               int     // base columns (基本栏)
	ColumnWidth           float64 // one base column
	Gutter                float64
	BodySize              float64 // body type size
	Leading               float64 // body line pitch
	Lines                 int     // body lines in the type area height
	CharsPerLine          int     // body characters per base column line
	HeadlineSizes         []float64
	MastheadLines         int // lines the masthead band takes at the top
}

// ResolveGeometry merges an edition's geometry override over the site's
// geometry and the defaults: edition, then site, then DefaultGeometry.
func ResolveGeometry(site content.Geometry, edition *content.Geometry) content.Geometry {
	g := site.Merge(content.DefaultGeometry)
	if edition != nil {
		g = edition.Merge(g)
	}
	return g
}

// NewGrid resolves a geometry (already merged with its defaults) to a grid.
// It fails when the type area cannot hold the columns or a single line.
func NewGrid(g content.Geometry) (*Grid, error) {
	gr := &Grid{
		Geometry:      g,
		PageWidth:     g.TrimWidth * ptPerMM,
		PageHeight:    g.TrimHeight * ptPerMM,
		Top:           g.MarginTop * ptPerMM,
		Left:          g.MarginInner * ptPerMM,
		Columns:       g.Columns,
		Gutter:        g.Gutter * ptPerMM,
		BodySize:      g.BodySize,
		Leading:       g.Leading,
		HeadlineSizes: g.HeadlineSizes,
	}
	gr.Width = gr.PageWidth - (g.MarginInner+g.MarginOuter)*ptPerMM
	gr.Height = gr.PageHeight - (g.MarginTop+g.MarginBottom)*ptPerMM
	switch {
	case g.Columns < 1:
		return nil, fmt.Errorf("geometry: columns must be at least 1, not %d", g.Columns)
	case g.BodySize <= 0 || g.Leading < g.BodySize:
		return nil, fmt.Errorf("geometry: leading (%gpt) must be at least the body size (%gpt)", g.Leading, g.BodySize)
	case gr.Width <= 0 || gr.Height <= 0:
		return nil, fmt.Errorf("geometry: margins leave no type area on a %g×%g mm page", g.TrimWidth, g.TrimHeight)
	}
	gr.ColumnWidth = (gr.Width - float64(g.Columns-1)*gr.Gutter) / float64(g.Columns)
	gr.Lines = int(math.Floor(gr.Height/gr.Leading + 1e-9))
	gr.CharsPerLine = int(math.Floor(gr.ColumnWidth/gr.BodySize + 1e-9))
	if gr.CharsPerLine < 4 {
		return nil, fmt.Errorf("geometry: a base column of %.1f mm holds only %d characters of %gpt type; use fewer columns or a smaller gutter",
			gr.ColumnWidth/ptPerMM, gr.CharsPerLine, gr.BodySize)
	}
	gr.MastheadLines = int(math.Ceil(gr.mastheadHeight() / gr.Leading))
	if gr.Lines < gr.MastheadLines+8 {
		return nil, fmt.Errorf("geometry: a type area of %.0f mm holds only %d lines of %gpt leading", gr.Height/ptPerMM, gr.Lines, gr.Leading)
	}
	return gr, nil
}

// mastheadHeight is the height of the masthead band: the section name at
// the largest headline size plus the rule under it.
func (g *Grid) mastheadHeight() float64 {
	return g.sectionSize()*1.3 + g.Leading
}

// sectionSize is the type size of the section name (版名) in the masthead.
func (g *Grid) sectionSize() float64 { return g.headlineSize(0) * 1.6 }

// headlineSize returns headline size i (0 is the lead's), the last one
// when there are fewer.
func (g *Grid) headlineSize(i int) float64 {
	if len(g.HeadlineSizes) == 0 {
		return g.BodySize * 2
	}
	if i >= len(g.HeadlineSizes) {
		i = len(g.HeadlineSizes) - 1
	}
	return g.HeadlineSizes[i]
}

// SpanWidth is the width of k base columns and the k-1 gutters between them.
func (g *Grid) SpanWidth(k int) float64 {
	return float64(k)*g.ColumnWidth + float64(k-1)*g.Gutter
}

// ColumnLeft is the left edge of base column c (1-based) in the type area.
func (g *Grid) ColumnLeft(c int) float64 {
	return float64(c-1) * (g.ColumnWidth + g.Gutter)
}
