package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text analysis shared by the bleve index, the static index and the
// browser script (static/search.js mirrors every function here; change
// both together).
//
// Text is first normalised for display (Normalize): NFKC, except that
// Chinese and full-width punctuation is kept as written, so １２３４５
// becomes 12345 but ，stays ，. Analysis then folds ASCII letters to lower
// case and splits the text into units: every Han, kana or Hangul character
// is a unit, and every maximal run of other letters, digits and marks (a
// word such as 12345 or AB) is a unit. Anything else (spaces, punctuation)
// separates units into runs. From each run come grams:
//
//	G1 every unit                        (the per-character field)
//	G2 every two adjacent units; a run of one unit gives that unit
//	G3 every three adjacent units        (exact-phrase evidence)
//
// so 12345热线 gives G1 12345 热 线, G2 12345热 热线, G3 12345热线.

// keepPunct reports whether Normalize keeps r as written instead of
// applying NFKC: Chinese and full-width punctuation.
func keepPunct(r rune) bool {
	switch {
	case r >= 0x3000 && r <= 0x303F: // CJK symbols and punctuation
		return r != 0x3000 // the ideographic space becomes a space
	case r >= 0xFF01 && r <= 0xFF65:
		return !isASCIIAlnum(r - 0xFEE0)
	case r >= 0xFE10 && r <= 0xFE6F: // vertical and small forms
		return true
	case r >= 0x2010 && r <= 0x2027: // dashes, quotes, ellipsis
		return true
	case r == 0x00B7:
		return true
	}
	return false
}

func isASCIIAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// Normalize returns s as indexed, stored and shown: NFKC (full-width
// digits and letters become ASCII) with Chinese punctuation kept. It is
// idempotent.
func Normalize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	start := 0
	for i, r := range s {
		if !keepPunct(r) {
			continue
		}
		b.WriteString(norm.NFKC.String(s[start:i]))
		b.WriteRune(r)
		start = i + utf8.RuneLen(r)
	}
	b.WriteString(norm.NFKC.String(s[start:]))
	return b.String()
}

// isPlain reports whether Normalize would leave s unchanged, cheaply.
func isPlain(s string) bool {
	for _, r := range s {
		if r < 0x80 || r >= 0x4E00 && r <= 0x9FFF {
			// ASCII, or a CJK unified ideograph (all Han, none a
			// compatibility one): the usual runes, decided without
			// looking them up (unicode.Is was a third of indexing a
			// story's text before its grams were counted).
			continue
		}
		if keepPunct(r) {
			continue
		}
		if unicode.Is(unicode.Han, r) && (r < 0xF900 || r > 0xFAFF) && r < 0x2F800 {
			continue
		}
		return false
	}
	return true
}

// isCJK reports whether r is a unit on its own.
func isCJK(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF: // CJK unified ideographs, the usual case
		return true
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// isWord reports whether r belongs to a word unit.
func isWord(r rune) bool {
	if r < 0x80 {
		return isASCIIAlnum(r)
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// unit is one unit of normalised text: its folded text, its rune offsets
// [Start, End) and byte offsets [b0, b1) in the text it came from.
type unit struct {
	Text       string
	Start, End int
	// Run numbers the run the unit belongs to.
	Run    int
	b0, b1 int
	src    string // the folded text
}

// foldString folds text for matching: ASCII letters to lower case and
// traditional characters to simplified (tsFold). Folding maps each rune
// to one rune, so rune offsets are unchanged.
func foldString(s string) string {
	for i, r := range s {
		if foldRune(r) != r {
			var b strings.Builder
			b.Grow(len(s))
			b.WriteString(s[:i])
			for _, r := range s[i:] {
				b.WriteRune(foldRune(r))
			}
			return b.String()
		}
	}
	return s
}

// foldRune folds one rune (see foldString).
func foldRune(r rune) rune {
	if r < 0x80 {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if r < 0x10000 && tsFolded[r>>6]&(1<<(r&63)) == 0 {
		return r
	}
	if s, ok := tsFold[r]; ok {
		return s
	}
	return r
}

// units splits normalised text into units. Offsets count runes; unit
// texts are substrings of the folded text.
func units(s string) []unit {
	return appendUnits(nil, s)
}

// appendUnits appends the units of s to out.
func appendUnits(out []unit, s string) []unit {
	f := foldString(s)
	if out == nil {
		out = make([]unit, 0, len(f)/3+1)
	}
	run := 0
	sep := true // a separator was seen since the last unit
	inWord := false
	var word unit
	pos := 0
	flush := func(end, bend int) {
		if inWord {
			word.End, word.b1 = end, bend
			word.Text = f[word.b0:word.b1]
			out = append(out, word)
			inWord = false
		}
	}
	for i, r := range f {
		switch {
		case isCJK(r):
			flush(pos, i)
			if sep {
				run++
				sep = false
			}
			n := utf8.RuneLen(r)
			out = append(out, unit{Text: f[i : i+n], Start: pos, End: pos + 1, Run: run, b0: i, b1: i + n, src: f})
		case isWord(r):
			if !inWord {
				if sep {
					run++
					sep = false
				}
				inWord = true
				word = unit{Start: pos, Run: run, b0: i, src: f}
			}
		default:
			flush(pos, i)
			sep = true
		}
		pos++
	}
	flush(pos, len(f))
	return out
}

// grams returns the n-grams (n = 1, 2 or 3) of normalised text, in order,
// with repeats.
func grams(s string, n int) []string {
	return gramsOf(units(s), n)
}

func gramsOf(us []unit, n int) []string {
	out := make([]string, 0, len(us))
	for i := 0; i < len(us); {
		j := i
		for j < len(us) && us[j].Run == us[i].Run {
			j++
		}
		out = appendRunGrams(out, us[i:j], n)
		i = j
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func appendRunGrams(out []string, run []unit, n int) []string {
	switch {
	case n == 1:
		for _, u := range run {
			out = append(out, u.Text)
		}
	case n == 2 && len(run) == 1:
		out = append(out, run[0].Text)
	default:
		for i := 0; i+n <= len(run); i++ {
			out = append(out, gramText(run[i:i+n]))
		}
	}
	return out
}

// gramText joins adjacent units of one run: a substring of the folded
// text, since nothing separates them.
func gramText(us []unit) string {
	return us[0].src[us[0].b0:us[len(us)-1].b1]
}
