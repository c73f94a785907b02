package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// maxParagraphLines is the most source lines one paragraph holds; a
// longer run of lines becomes several paragraphs. goldmark finds the line
// of a position in a paragraph by walking its lines one by one, for every
// link, reference and link reference definition, so time grew with the
// square of a paragraph's line count: 400 KB of "[a][b]" lines took 5 s.
// A story paragraph is one line, or a few with soft breaks.
const maxParagraphLines = 64

// paragraphSplitter takes the place of goldmark's link reference
// definition transformer: it cuts a long paragraph into paragraphs of at
// most maxParagraphLines lines, then lets goldmark take link reference
// definitions from the first, and from each next one while the ones
// before it held nothing else. (A definition whose title runs across a
// cut is not recognised.)
type paragraphSplitter struct{}

func (paragraphSplitter) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	refs := parser.LinkReferenceParagraphTransformer
	lines := node.Lines()
	if lines.Len() <= maxParagraphLines {
		refs.Transform(node, reader, pc)
		return
	}
	all := lines.Sliced(0, lines.Len())
	parts := []*ast.Paragraph{node}
	node.SetLines(segmentsOf(all[:maxParagraphLines]))
	after := ast.Node(node)
	for i := maxParagraphLines; i < len(all); i += maxParagraphLines {
		p := ast.NewParagraph()
		p.SetLines(segmentsOf(all[i:min(i+maxParagraphLines, len(all))]))
		node.Parent().InsertAfter(node.Parent(), after, p)
		parts = append(parts, p)
		after = p
	}
	for _, p := range parts {
		refs.Transform(p, reader, pc)
		if p.Parent() != nil {
			break // p holds text: later lines are text too
		}
	}
}

func segmentsOf(segs []text.Segment) *text.Segments {
	s := text.NewSegments()
	s.AppendAll(segs)
	return s
}
