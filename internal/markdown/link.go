package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// maxDestParens bounds the nesting of unescaped parentheses in an inline
// link destination, as cmark does (CommonMark lets implementations set such
// a limit). It is what keeps link parsing linear: goldmark scans a
// destination to the end of its line, so a line of "[a](" repeated cost
// time quadratic in its length. Each such scan that runs past the start of
// another "](" counts that "(" as one more open parenthesis, so with this
// bound no source byte is scanned by more than maxDestParens+1 attempts.
const maxDestParens = 32

// linkGuard wraps goldmark's link parser. Before goldmark tries an inline
// link at "](", it checks, with a scan whose total cost is linear, that a
// destination there can end: for "<…>" at the first unescaped ">" on the
// line before any unescaped "<" (as CommonMark requires; goldmark does not
// check for "<"), otherwise at a space or an unbalanced ")" before the
// parentheses nest deeper than maxDestParens. When it cannot, goldmark is
// shown a "]" without "(" and treats the bracket as it treats any other
// failed inline link: a shortcut reference, or text.
type linkGuard struct{ parser.InlineParser }

func newLinkGuard() linkGuard { return linkGuard{parser.NewLinkParser()} }

func (g linkGuard) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if expired(pc) {
		return nil // out of time: the rest is text
	}
	if len(line) > 1 && line[0] == ']' && line[1] == '(' && !destinationCanEnd(line[2:]) {
		return g.InlineParser.Parse(parent, hideParen{Reader: block, at: seg.Start + 1}, pc)
	}
	return g.InlineParser.Parse(parent, block, pc)
}

// hideParen is a block reader that shows a space instead of the "(" at
// source offset at.
type hideParen struct {
	text.Reader
	at int
}

func (h hideParen) Peek() byte {
	if _, seg := h.Reader.Position(); seg.Start == h.at && seg.Padding == 0 {
		return ' '
	}
	return h.Reader.Peek()
}

// destinationCanEnd reports whether an inline link destination starting
// at rest (the line after "](") can end on this line or may continue on the
// next one, mirroring goldmark's parseLinkDestination.
func destinationCanEnd(rest []byte) bool {
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	if i == len(rest) || rest[i] == '\n' || rest[i] == '\r' {
		return true // the destination is on a later line; goldmark's scan is short
	}
	if rest[i] == '<' {
		for j := i + 1; j < len(rest); j++ {
			switch c := rest[j]; {
			case c == '\\' && j+1 < len(rest) && util.IsPunct(rest[j+1]):
				j++
			case c == '>':
				return true
			case c == '<' || c == '\n':
				return false
			}
		}
		return false
	}
	opened := 0
	for j := i; j < len(rest); j++ {
		switch c := rest[j]; {
		case c == '\\' && j+1 < len(rest) && util.IsPunct(rest[j+1]):
			j++
		case c == '(':
			opened++
			if opened > maxDestParens {
				return false
			}
		case c == ')':
			opened--
			if opened < 0 {
				return true
			}
		case util.IsSpace(c):
			return true
		}
	}
	return true // runs to the end of the line, like goldmark's scan
}

// CloseBlock lets goldmark's link parser turn brackets left open at the
// end of a paragraph back into text.
func (g linkGuard) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	if c, ok := g.InlineParser.(parser.CloseBlocker); ok {
		c.CloseBlock(parent, block, pc)
	}
}
