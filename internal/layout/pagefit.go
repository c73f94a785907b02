package layout

import (
	"fmt"
	"slices"
	"strings"
)

// pageFit sums the modules' fit into the page's, and when the page is
// overset names the cuts and the stories whose moving would let the rest
// fit on the page.
func (g *Grid) pageFit(ps []*piece, mods []ModuleReport, number int) PageFit {
	pf := PageFit{Number: number, Columns: g.Columns, Lines: g.Lines - g.MastheadLines, Fit: Fits}
	pf.AvailLines = pf.Columns * pf.Lines
	for _, m := range mods {
		pf.NeedLines += m.NeedLines * m.Columns
		switch m.Status {
		case Overset:
			pf.Fit = Overset
			pf.Cuts = append(pf.Cuts, Cut{Item: m.Item, Title: m.Title, Chars: m.Cut})
		case Underset:
			if pf.Fit == Fits {
				pf.Fit = Underset
			}
		}
	}
	switch pf.Fit {
	case Overset:
		for _, c := range pf.Cuts {
			pf.Chars += c.Chars
		}
		if pf.NeedLines > pf.AvailLines {
			pf.Move = g.moveSuggestion(ps, pf.Chars)
		}
	case Underset:
		for _, m := range mods {
			pf.Chars += m.Add
		}
	}
	pf.Summary = pf.describe(ps)
	return pf
}

// moveSuggestion returns the shortest story (not the lead) without which
// the automatic layout of the rest has nothing overset, or nil. over is
// the characters the page is overset by.
func (g *Grid) moveSuggestion(ps []*piece, over int) []string {
	var best *piece
	for i, p := range ps {
		if p.kind != KindStory || p.lead || p.chars < over {
			continue // a story shorter than the overset cannot make room
		}
		if best != nil && p.chars >= best.chars {
			continue
		}
		rest := slices.Concat(ps[:i:i], ps[i+1:])
		ok := true
		byID := map[string]*piece{}
		for _, q := range rest {
			byID[q.id] = q
		}
		for _, m := range g.autoLayout(rest) {
			if r, _ := g.fit(byID[m.Item], m); r.Status == Overset {
				ok = false
				break
			}
		}
		if ok {
			best = p
		}
	}
	if best == nil {
		return nil
	}
	return []string{best.id}
}

// describe says in Chinese how the page fits, for the desk and the proof.
func (pf PageFit) describe(ps []*piece) string {
	switch pf.Fit {
	case Overset:
		var b strings.Builder
		fmt.Fprintf(&b, "版面排不下：共需删约 %d 字", pf.Chars)
		var parts []string
		for _, c := range pf.Cuts {
			parts = append(parts, fmt.Sprintf("《%s》删约 %d 字", c.Title, c.Chars))
		}
		if len(parts) > 0 {
			b.WriteString("（" + strings.Join(parts, "，") + "）")
		}
		for _, id := range pf.Move {
			for _, p := range ps {
				if p.id == id {
					fmt.Fprintf(&b, "；或把《%s》移到其他版面", p.title)
				}
			}
		}
		if pf.NeedLines <= pf.AvailLines {
			b.WriteString("；版面总量排得下，也可以放大超排的模块，或重新自动排版")
		}
		b.WriteString("。")
		return b.String()
	case Underset:
		return fmt.Sprintf("版面还有空白：约可再排 %d 字。", pf.Chars)
	}
	return "全部稿件排得下。"
}
