package markdown

import (
	"bytes"
	"regexp"
	"sort"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/banmian/banmian/internal/typeset"
)

// protectParser is a plain CommonMark+tables parser used to find the parts
// of a source that house style must never change.
var protectParser = New(Options{}).md.Parser()

// linkRefDef matches a link reference definition line ("[id]: url").
var linkRefDef = regexp.MustCompile(`(?m)^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$`)

// Protected returns the byte ranges of src that house-style normalisation
// must leave byte-identical: code spans, code blocks (with their info
// strings), raw HTML, autolinks, link and image destinations and titles,
// and link reference definitions. Ranges are sorted and do not overlap.
func Protected(src []byte) []typeset.Range {
	if !mayHaveProtected(src) {
		return nil
	}
	return protected(src)
}

// mayHaveProtected is a fast, conservative pre-check: every construct
// Protected marks needs a backtick, "<", "[", "~", a tab or an indent of
// four spaces, so a story body without them (most are) needs no parse.
func mayHaveProtected(src []byte) bool {
	return bytes.ContainsAny(src, "`<[~\t") || bytes.Contains(src, []byte("    "))
}

// protected is Protected without the pre-check.
func protected(src []byte) []typeset.Range {
	src = flattenDeep(src) // same offsets, bounded nesting
	doc := protectParser.Parse(text.NewReader(src), parser.WithContext(parser.NewContext(parser.WithIDs(newIDs()))))
	var out []typeset.Range
	add := func(start, stop int) {
		if start < stop && start >= 0 && stop <= len(src) {
			out = append(out, typeset.Range{Start: start, End: stop})
		}
	}
	addLines := func(n interface{ Lines() *text.Segments }) {
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			add(s.Start, s.Stop)
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock:
			addLines(n)
			if n.Info != nil {
				add(n.Info.Segment.Start, n.Info.Segment.Stop)
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.HTMLBlock:
			addLines(n.(interface{ Lines() *text.Segments }))
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			start, stop := childSpan(n)
			// Include the backticks around the content.
			for start > 0 && src[start-1] == '`' {
				start--
			}
			for stop < len(src) && src[stop] == '`' {
				stop++
			}
			add(start, stop)
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			for i := 0; i < n.Segments.Len(); i++ {
				s := n.Segments.At(i)
				add(s.Start, s.Stop)
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			label := n.Label(src)
			from := startOf(n)
			if i := bytes.Index(src[from:], label); i >= 0 {
				add(from+i, from+i+len(label))
			}
			return ast.WalkSkipChildren, nil
		case *ast.Link, *ast.Image:
			var dest, title []byte
			if l, ok := n.(*ast.Link); ok {
				dest, title = l.Destination, l.Title
			} else {
				im := n.(*ast.Image)
				dest, title = im.Destination, im.Title
			}
			_, stop := childSpan(n)
			if stop < 0 {
				stop = startOf(n)
			}
			// The destination follows the link text: "](dest "title")".
			if j := bytes.Index(src[stop:], []byte("](")); j >= 0 && j < 4 {
				from := stop + j + 2
				end := from
				if k := bytes.Index(src[from:], dest); k >= 0 && len(dest) > 0 {
					end = from + k + len(dest)
				}
				if len(title) > 0 {
					if k := bytes.Index(src[end:], title); k >= 0 {
						end = end + k + len(title)
					}
				}
				// Up to the closing parenthesis.
				if k := bytes.IndexByte(src[end:], ')'); k >= 0 && k < 3 {
					end += k + 1
				}
				add(from, end)
			}
		}
		return ast.WalkContinue, nil
	})
	if !bytes.Contains(src, []byte("]:")) {
		return mergeRanges(out)
	}
	for _, m := range linkRefDef.FindAllIndex(src, -1) {
		// Only the part after "]:" is a destination; the label is text.
		line := src[m[0]:m[1]]
		if i := bytes.Index(line, []byte("]:")); i >= 0 {
			add(m[0]+i+2, m[1])
		}
	}
	return mergeRanges(out)
}

// childSpan is the source span of n's text descendants, or -1, -1.
func childSpan(n ast.Node) (int, int) {
	start, stop := -1, -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			if start < 0 || t.Segment.Start < start {
				start = t.Segment.Start
			}
			if t.Segment.Stop > stop {
				stop = t.Segment.Stop
			}
		}
		return ast.WalkContinue, nil
	})
	return start, stop
}

// startOf is where the source of the inline node n begins: goldmark
// records it (Pos) for every inline node it parses. Failing that, it falls
// back to precedingStop.
func startOf(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	return precedingStop(n)
}

// precedingStop is where the source of n begins at the earliest: the end of
// the text before it in its block, or the block's start. It walks back over
// siblings, so it is only a fallback (see startOf).
func precedingStop(n ast.Node) int {
	for p := n.PreviousSibling(); p != nil; p = p.PreviousSibling() {
		if _, stop := childSpan(p); stop >= 0 {
			return stop
		}
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock {
			if l := p.Lines(); l != nil && l.Len() > 0 {
				return l.At(0).Start
			}
			break
		}
		if p.PreviousSibling() != nil {
			return precedingStop(p)
		}
	}
	return 0
}

func mergeRanges(rs []typeset.Range) []typeset.Range {
	if len(rs) == 0 {
		return nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Start <= last.End {
			if r.End > last.End {
				last.End = r.End
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
