// Package typeset normalises Chinese copy to the paper's house style and
// reports departures from it.
//
// The rules (see TYPOGRAPHY.md) are:
//
//	T1  , . ; : ! ? next to Chinese → ，。；：！？
//	T2  ( ) around Chinese → （）, and mixed-width pairs made full-width
//	T3  straight quotes around Chinese → “…” and ‘…’ (‘…’ inside “…”)
//	T4  ...  ......  。。。  a lone … → ……
//	T5  --  and a lone — between Chinese → ——
//	T6  full-width digits and letters → half-width
//	T7  ASCII spaces around full-width punctuation are removed (the
//	    full-width space U+3000 is deliberate and stays)
//
// and, reported but never fixed: L1 doubled ！！ or ？？, L2 unbalanced
// quotes or brackets, L3 a newspaper, periodical or law named without 《》.
//
// Guarantees:
//   - No space is ever inserted, so "2600多户" and "12345热线" stay as they
//     are, and the credit line "长征镇 供稿" keeps its space.
//   - Han characters are never added, removed or reordered.
//   - Bytes inside protected ranges, URLs, e-mail addresses, times (3:00),
//     decimals (1.5), percentages, phone numbers (021-…) and English text
//     with its own punctuation are left as they are.
//   - Normalisation is idempotent: Normalize(Normalize(x)) == Normalize(x),
//     and Fix applied to its own output changes nothing.
//   - All functions are safe for concurrent use; they allocate only when
//     something must change or be reported.
//
// The scanner works on bytes: it copies runs of Han text and ASCII words
// without decoding them and looks at the neighbours of only the few bytes
// that can start a rule (ASCII punctuation, spaces and the lead bytes of
// the U+2000, U+3000 and U+FF00 blocks).
package typeset

import (
	"bytes"
	"slices"
)

// Range is a half-open byte range [Start, End) of a source that must not be changed.
type Range struct{ Start, End int }

// Finding is one departure from house style.
type Finding struct {
	Offset     int    `json:"offset"`   // byte offset in the input
	Line       int    `json:"line"`     // 1-based
	Col        int    `json:"col"`      // 1-based, counted in characters (runes)
	Rule       string `json:"rule"`     // "T1".."T7", or lint-only "L1".."L3"
	Message    string `json:"message"`  // short, Simplified Chinese
	Original   string `json:"original"` // the text as found
	Suggestion string `json:"suggestion,omitempty"`
	Fixable    bool   `json:"fixable"`
}

// Normalize returns plain text s in house style: importer output, front
// matter values, search queries. Each line is treated as one paragraph
// when pairing quotes and brackets. It returns s itself when nothing changes.
func Normalize(s string) string {
	if !mayNeed(s) {
		return s
	}
	e := newEngine([]byte(s), nil, true, false)
	out := e.fixpoint()
	if out == nil {
		return s
	}
	return string(out)
}

// Fix returns src in house style with the bytes of every protected range
// kept identical, and the findings: every change it made (Fixable) plus the
// lint-only findings it cannot fix. Offsets, lines and columns refer to src.
// Paragraphs are separated by blank lines, as in Markdown. When nothing
// changes the returned slice is src itself.
func Fix(src []byte, protected []Range) ([]byte, []Finding) {
	e := newEngine(src, protected, false, true)
	out := e.fixpoint()
	fs := e.findings()
	if out == nil {
		return src, fs
	}
	return out, fs
}

// FixLines is Fix for text whose every line is a paragraph of its own
// (front matter values, imported plain text).
func FixLines(src []byte, protected []Range) ([]byte, []Finding) {
	e := newEngine(src, protected, true, true)
	out := e.fixpoint()
	fs := e.findings()
	if out == nil {
		return src, fs
	}
	return out, fs
}

// Lint reports what Fix would change and the lint-only findings, without
// building the fixed text.
func Lint(src []byte, protected []Range) []Finding {
	e := newEngine(src, protected, false, true)
	e.run()
	return e.findings()
}

// LintLines is Lint with every line a paragraph of its own.
func LintLines(src []byte, protected []Range) []Finding {
	e := newEngine(src, protected, true, true)
	e.run()
	return e.findings()
}

// mayNeed is a quick test for text that cannot need any change: no byte
// the scanner stops at.
func mayNeed(s string) bool {
	for i := 0; i < len(s); i++ {
		if interesting[s[i]] {
			return true
		}
	}
	return false
}

// normRanges returns rs sorted, clipped to [0, n) and merged.
func normRanges(rs []Range, n int) []Range {
	out := make([]Range, 0, len(rs))
	for _, r := range rs {
		if r.Start < 0 {
			r.Start = 0
		}
		if r.End > n {
			r.End = n
		}
		if r.Start < r.End {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Range) int { return a.Start - b.Start })
	merged := out[:0]
	for _, r := range out {
		if k := len(merged) - 1; k >= 0 && r.Start <= merged[k].End {
			if r.End > merged[k].End {
				merged[k].End = r.End
			}
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// apply returns src with the sorted, non-overlapping edits applied.
func apply(src []byte, edits []edit) []byte {
	grow := 0
	for _, ed := range edits {
		grow += len(ed.repl) - (ed.end - ed.start)
	}
	out := make([]byte, 0, len(src)+max(grow, 0))
	last := 0
	for _, ed := range edits {
		out = append(out, src[last:ed.start]...)
		out = append(out, ed.repl...)
		last = ed.end
	}
	return append(out, src[last:]...)
}

// mapRanges moves ranges of src to where they land in apply(src, edits).
// Edits never overlap protected ranges, so each range moves as a whole.
func mapRanges(rs []Range, edits []edit) []Range {
	out := make([]Range, 0, len(rs))
	delta, k := 0, 0
	for _, r := range rs {
		for k < len(edits) && edits[k].end <= r.Start {
			delta += len(edits[k].repl) - (edits[k].end - edits[k].start)
			k++
		}
		out = append(out, Range{r.Start + delta, r.End + delta})
	}
	return out
}

// mapBack returns the src offset of output offset off of apply(src, edits).
func mapBack(off int, edits []edit) int {
	delta := 0
	for _, ed := range edits {
		outStart := ed.start + delta
		if off < outStart {
			break
		}
		outEnd := outStart + len(ed.repl)
		if off < outEnd {
			return ed.start
		}
		delta += len(ed.repl) - (ed.end - ed.start)
	}
	return off - delta
}

// position turns sorted byte offsets into 1-based lines and rune columns
// in one pass over the source.
type position struct {
	src  []byte
	off  int
	line int
	col  int // runes between the line start and off
}

func (p *position) at(off int) (line, col int) {
	if off < p.off || p.line == 0 { // first call, or not sorted: restart
		p.off, p.line, p.col = 0, 1, 0
	}
	off = min(off, len(p.src))
	seg := p.src[p.off:off]
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		p.line += bytes.Count(seg, newline)
		p.col = runeCount(seg[nl+1:])
	} else {
		p.col += runeCount(seg)
	}
	p.off = off
	return p.line, p.col + 1
}

var newline = []byte{'\n'}

// runeCount counts the UTF-8 sequences in b (bytes that are not
// continuation bytes), without allocating.
func runeCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}
