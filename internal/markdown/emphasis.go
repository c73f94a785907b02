package markdown

import (
	"unicode"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// cjkEmphasisParser replaces goldmark's emphasis parser with the
// CJK-friendly flanking rules proposed for CommonMark: a delimiter run next
// to a Chinese character counts as flanking even when its other side is
// punctuation. CommonMark alone leaves "**“多格合一”**舒心" unemphasised,
// because the closing ** follows ” and precedes a letter.
type cjkEmphasisParser struct{}

type emphasisDelimiters struct{}

func (emphasisDelimiters) IsDelimiter(b byte) bool { return b == '*' || b == '_' }

func (emphasisDelimiters) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}

func (emphasisDelimiters) OnMatch(consumes int) ast.Node { return ast.NewEmphasis(consumes) }

func (*cjkEmphasisParser) Trigger() []byte { return []byte{'*', '_'} }

func (*cjkEmphasisParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	node := scanDelimiter(line, before)
	if node == nil {
		return nil
	}
	node.Segment = segment.WithStop(segment.Start + node.OriginalLength)
	block.Advance(node.OriginalLength)
	pc.PushDelimiter(node)
	return node
}

// isCJK reports whether r is a Han character, kana, hangul or CJK/full-width
// punctuation.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) ||
		r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—'
}

func scanDelimiter(line []byte, before rune) *parser.Delimiter {
	if len(line) == 0 {
		return nil
	}
	c := line[0]
	if c != '*' && c != '_' {
		return nil
	}
	j := 0
	for j < len(line) && line[j] == c {
		j++
	}
	after := rune(' ')
	if j != len(line) {
		after = util.ToRune(line, j)
	}
	beforePunct, beforeSpace := util.IsPunctRune(before), util.IsSpaceRune(before)
	afterPunct, afterSpace := util.IsPunctRune(after), util.IsSpaceRune(after)
	beforeCJK, afterCJK := isCJK(before), isCJK(after)

	isLeft := !afterSpace && (!afterPunct || beforeSpace || beforePunct || beforeCJK)
	isRight := !beforeSpace && (!beforePunct || afterSpace || afterPunct || afterCJK)

	var canOpen, canClose bool
	if c == '_' {
		// Intraword underscores stay literal (snake_case), as in CommonMark.
		canOpen = isLeft && (!isRight || beforePunct)
		canClose = isRight && (!isLeft || afterPunct)
	} else {
		canOpen, canClose = isLeft, isRight
	}
	return parser.NewDelimiter(canOpen, canClose, j, c, emphasisDelimiters{})
}
