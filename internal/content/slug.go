package content

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// maxSlugLen bounds derived slugs; they are cut at a hyphen.
const maxSlugLen = 64

// ValidSlug reports whether s is a usable slug: lower-case ASCII letters,
// digits and single inner hyphens.
func ValidSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Fallback = func(r rune, a pinyin.Args) []string { return nil }
	return a
}()

// Slugify derives a readable ASCII slug from Chinese (or any) text: Han
// characters become toneless pinyin syllables, Latin letters and digits are
// kept, everything else separates words. The result is at most 64 bytes,
// cut at a hyphen, and the same for the same text in every build.
func Slugify(text string) string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			if py := pinyin.SinglePinyin(r, pinyinArgs); len(py) > 0 && py[0] != "" {
				words = append(words, py[0])
			}
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			cur.WriteRune(unicode.ToLower(r))
		case r >= 0xFF10 && r <= 0xFF19: // full-width digits
			cur.WriteRune(r - 0xFF10 + '0')
		case r >= 0xFF21 && r <= 0xFF3A:
			cur.WriteRune(r - 0xFF21 + 'a')
		case r >= 0xFF41 && r <= 0xFF5A:
			cur.WriteRune(r - 0xFF41 + 'a')
		default:
			flush()
		}
	}
	flush()
	var b strings.Builder
	for _, w := range words {
		if b.Len() > 0 && b.Len()+1+len(w) > maxSlugLen {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		if len(w) > maxSlugLen {
			w = w[:maxSlugLen]
		}
		b.WriteString(w)
	}
	return b.String()
}
