package layout

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BlockKind tells the estimator how a block of body copy is set.
type BlockKind int

const (
	// Paragraph is body text with a 2em first-line indent.
	Paragraph BlockKind = iota
	// Subhead (小标题) is set in bold at body size, no indent, on lines of
	// its own.
	Subhead
	// Credit is the right-aligned credit line that closes a story
	// ("长征镇 供稿").
	Credit
	// Photo is a photo one text column wide with its caption (Text);
	// Grid.bodyLines sizes it from Aspect.
	Photo
)

// Block is one block of a story body, as the estimator and the preview see
// it.
type Block struct {
	Kind   BlockKind
	Text   string
	Aspect float64 // a photo's height / width
}

// Width classes, in em of Noto Serif CJK SC (TYPOGRAPHY.md; the Latin
// figures are that font's proportional glyphs, measured in Chromium).
const (
	emFull  = 1.0
	emDigit = 0.55
	emLower = 0.51
	emUpper = 0.68
	emSpace = 0.25
	emPunct = 0.33 // ASCII punctuation: . , : / - and the like
	emWide  = 0.87 // @ % & # W M and the like
)

// punctuation classes for line breaking (clreq) and for trimming adjacent
// full-width punctuation (CSS text-spacing-trim: normal).
const (
	closingPunct = "，。、；：？！）》」』】〕〉”’…%·"
	openingPunct = "（《「『【〔〈“‘"
)

// isClosing reports whether r may not start a line.
func isClosing(r rune) bool { return strings.ContainsRune(closingPunct, r) }

// isOpening reports whether r may not end a line.
func isOpening(r rune) bool { return strings.ContainsRune(openingPunct, r) }

// isFullWidth reports whether r is set on a full em in a CJK font with
// lang="zh-Hans": Han, kana, full-width punctuation, curly quotes, ellipsis
// and dash.
func isFullWidth(r rune) bool {
	switch {
	case r >= 0x2E80 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF, r >= 0xFF01 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6, r >= 0x20000 && r <= 0x3FFFF:
		return true
	case r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' || r == '·' || r == '×':
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// runeWidth is the advance of r in em, before punctuation trimming.
func runeWidth(r rune) float64 {
	switch {
	case isFullWidth(r):
		return emFull
	case r >= '0' && r <= '9':
		return emDigit
	case r >= 'a' && r <= 'z':
		if r == 'm' || r == 'w' {
			return 0.78
		}
		if r == 'i' || r == 'j' || r == 'l' || r == 't' || r == 'f' || r == 'r' {
			return 0.32
		}
		return emLower
	case r >= 'A' && r <= 'Z':
		if r == 'M' || r == 'W' {
			return emWide
		}
		if r == 'I' || r == 'J' {
			return 0.33
		}
		return emUpper
	case r == ' ':
		return emSpace
	case r == '@' || r == '%' || r == '&' || r == '#':
		return emWide
	case r < 0x80:
		return emPunct
	}
	return emFull
}

// trimmedWidths returns the advance of each rune of rs, halving full-width
// punctuation next to other punctuation the way Chromium's
// text-spacing-trim: normal does: an opening mark after an opening,
// closing or middle-dot mark, and a closing mark before a closing or
// middle-dot mark, take half an em.
func trimmedWidths(rs []rune) []float64 {
	w := make([]float64, len(rs))
	for i, r := range rs {
		w[i] = runeWidth(r)
		if w[i] != emFull {
			continue
		}
		switch {
		case isOpening(r) && i > 0 && (isOpening(rs[i-1]) || isTrimClosing(rs[i-1])):
			w[i] = emFull / 2
		case isTrimClosing(r) && i+1 < len(rs) && isTrimClosing(rs[i+1]):
			w[i] = emFull / 2
		}
	}
	return w
}

// isTrimClosing reports whether r is closing punctuation whose glyph has
// blank space to trim (not the ellipsis, which fills its em).
func isTrimClosing(r rune) bool { return isClosing(r) && r != '…' && r != '%' }

// breakable reports whether a line may break between a and b when neither
// is space: around any full-width character, never inside a Latin word or
// number.
func breakable(a, b rune) bool {
	return isFullWidth(a) || isFullWidth(b)
}

// CountLines returns the lines a block of text takes in a measure of
// `measure` em, the first line shortened by `indent` em. It fills lines
// greedily as Chromium does with text-align: justify and line-break:
// strict: closing punctuation never starts a line and opening punctuation
// never ends one (the character before is carried down instead), a closing
// mark that overhangs the measure by no more than its trimmed half fits,
// spaces at a line end hang, and Latin words only break when longer than
// a line.
func CountLines(text string, measure, indent float64) int {
	if measure <= 0 {
		return 0
	}
	rs := []rune(strings.TrimSpace(text))
	if len(rs) == 0 {
		return 1
	}
	w := trimmedWidths(rs)
	lines := 1
	avail := measure - indent
	x := 0.0
	lineStart := 0
	const eps = 1e-6
	for i := 0; i < len(rs); {
		// The unbreakable unit at i: one full-width rune, or a Latin run.
		j := i + 1
		for j < len(rs) && rs[j] != ' ' && rs[j-1] != ' ' && !breakable(rs[j-1], rs[j]) {
			j++
		}
		uw := 0.0
		for k := i; k < j; k++ {
			uw += w[k]
		}
		if rs[i] == ' ' {
			x += uw // spaces hang at a line end
			i = j
			continue
		}
		if x+uw <= avail+eps || i == lineStart {
			if x+uw > avail+eps && j-i > 1 {
				// A word longer than the line: break it by characters.
				for k := i; k < j; k++ {
					if x+w[k] > avail+eps && k > lineStart {
						lines++
						avail, x, lineStart = measure, 0, k
					}
					x += w[k]
				}
				i = j
				continue
			}
			x += uw
			i = j
			continue
		}
		// The unit does not fit.
		if isTrimClosing(rs[i]) && x+uw-emFull/2 <= avail+eps {
			x += uw // it overhangs into its trimmed half
			i = j
			continue
		}
		next := i
		if isClosing(rs[i]) || (i > 0 && isOpening(rs[i-1])) {
			// Carry the previous unit down with it, unless the line
			// would be left empty.
			b := i - 1
			for b > lineStart && (isOpening(rs[b-1]) || isClosing(rs[b])) {
				b--
			}
			if b > lineStart {
				next = b
			}
		}
		lines++
		avail, x, lineStart = measure, 0, next
		for k := next; k < i; k++ {
			x += w[k]
		}
	}
	return lines
}

// BlockLines returns the lines a block takes in a text column of cpl
// characters of body type.
func BlockLines(b Block, measure float64) int {
	switch b.Kind {
	case Subhead:
		return CountLines(b.Text, measure, 0)
	case Credit:
		return CountLines(b.Text, measure, 0)
	}
	return CountLines(b.Text, measure, 2)
}

// BodyLines returns the lines all blocks take in one text column of
// `measure` em.
func BodyLines(blocks []Block, measure float64) int {
	n := 0
	for _, b := range blocks {
		n += BlockLines(b, measure)
	}
	return n
}

// CharsOf counts the characters of copy length in blocks: Han characters
// and full-width punctuation count one, Latin letters and digits half.
func CharsOf(blocks []Block) int {
	half := 0
	for _, b := range blocks {
		for _, r := range b.Text {
			switch {
			case isFullWidth(r):
				half += 2
			case r > ' ' && r < utf8.RuneSelf:
				half++
			}
		}
	}
	return (half + 1) / 2
}

// measureEm is the measure of width points of type of size pt, in em.
func measureEm(width, size float64) float64 {
	return math.Floor(width/size*1000) / 1000
}
