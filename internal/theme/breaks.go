package theme

import (
	"html/template"
	"strings"
	"unicode/utf8"
)

// Headlines, kickers, subtitles, subheads and table cells break the way a
// subeditor breaks them: the theme sets word-break: keep-all on them, so
// a line breaks only where breakHTML puts a <wbr> (after the ideographic
// space and after closing punctuation, before opening punctuation), and
// only when a phrase is longer than the line does it break inside it
// (overflow-wrap: anywhere). The last two characters of the text are
// kept together (<span class="nobr">), so a line never ends a headline
// with one character on it.

// breakAfter are the characters a line may break after (not closing
// quotes and brackets: “痛点”到 stays together).
const breakAfter = "　，。、；：？！…—"

// closing are the marks that end a phrase without a break of their own.
const closing = "”’）》」』】"

// breakBefore are the characters a line may break before.
const breakBefore = "“‘（《「『【"

// isBreakPunct reports whether r is punctuation that does not count as a
// character of its own on a last line (it stays with the one before).
func isBreakPunct(r rune) bool {
	return (strings.ContainsRune(breakAfter, r) && r != '　') || strings.ContainsRune(closing, r)
}

// BreakText is breakHTML of plain text.
func BreakText(s string) template.HTML {
	return template.HTML(breakHTML(template.HTMLEscapeString(s)))
}

// breakHTML adds break opportunities to an HTML fragment whose text is
// escaped (as html/template and the Markdown renderer write it). Tags
// are copied as they are; only text between them changes. It is linear
// in the length of s.
func breakHTML(s string) string {
	// Find where the last two characters of text start, so they can be
	// kept together; trailing punctuation goes with them.
	glue := lastCharsStart(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	inTag := false
	glued := false
	prevBreak := true // no <wbr> at the very start
	for i := 0; i < len(s); {
		c := s[i]
		if inTag {
			b.WriteByte(c)
			if c == '>' {
				inTag = false
			}
			i++
			continue
		}
		if c == '<' {
			inTag = true
			b.WriteByte(c)
			i++
			continue
		}
		if i == glue && glue > 0 {
			b.WriteString(`<span class="nobr">`)
			glued = true
		}
		if c == '&' {
			// An entity is one character.
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				j = 0
			}
			b.WriteString(s[i : i+j+1])
			i += j + 1
			prevBreak = false
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if strings.ContainsRune(breakBefore, r) && !prevBreak && !glued {
			b.WriteString("<wbr>")
		}
		b.WriteString(s[i : i+n])
		i += n
		prevBreak = false
		if strings.ContainsRune(closing, r) && !glued && i < len(s) {
			// A closing mark stays with what follows unless that is a
			// break of its own: “网格”赋能 does not break after ”
			// (U+2060 WORD JOINER; Chromium would break there).
			if nr, _ := utf8.DecodeRuneInString(s[i:]); nr != '<' && !strings.ContainsRune(breakAfter, nr) && !strings.ContainsRune(closing, nr) && !strings.ContainsRune(breakBefore, nr) {
				b.WriteString("\u2060")
			}
		}
		if strings.ContainsRune(breakAfter, r) && !glued && i < len(s) {
			// Several closing marks in a row (”，) break after the last.
			if nr, _ := utf8.DecodeRuneInString(s[i:]); !strings.ContainsRune(breakAfter, nr) && !strings.ContainsRune(closing, nr) {
				b.WriteString("<wbr>")
				prevBreak = true
			}
		}
	}
	if glued {
		// Close the span before any end tags that follow the text.
		out := b.String()
		k := len(out)
		for strings.HasSuffix(out[:k], ">") {
			open := strings.LastIndexByte(out[:k], '<')
			if open < 0 || !strings.HasPrefix(out[open:k], "</") {
				break
			}
			k = open
		}
		return out[:k] + "</span>" + out[k:]
	}
	return b.String()
}

// lastCharsStart returns the byte offset in s where the text's last two
// characters (not counting trailing punctuation, which goes with them)
// begin, when both lie in the last run of text; else 0.
func lastCharsStart(s string) int {
	end := len(s)
	// Skip trailing tags.
	for end > 0 && s[end-1] == '>' {
		open := strings.LastIndexByte(s[:end], '<')
		if open < 0 {
			return 0
		}
		end = open
	}
	start := strings.LastIndexByte(s[:end], '>') + 1
	text := s[start:end]
	if strings.ContainsRune(text, '&') {
		return 0
	}
	count := 0
	i := len(text)
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:i])
		if r == ' ' || r == '　' {
			if count > 0 {
				break
			}
			return 0
		}
		i -= n
		if isBreakPunct(r) && count == 0 {
			continue
		}
		count++
		if count == 2 {
			return start + i
		}
	}
	return 0
}

// BreakHeadings applies breakHTML to the contents of the h2…h6 elements
// of a rendered story body.
func BreakHeadings(body string) string {
	var b strings.Builder
	b.Grow(len(body) + len(body)/16)
	for {
		i := indexHeadingOpen(body)
		if i < 0 {
			b.WriteString(body)
			return b.String()
		}
		gt := strings.IndexByte(body[i:], '>')
		if gt < 0 {
			b.WriteString(body)
			return b.String()
		}
		gt += i + 1
		level := body[i+2]
		closeTag := "</h" + string(level) + ">"
		end := strings.Index(body[gt:], closeTag)
		if end < 0 {
			b.WriteString(body)
			return b.String()
		}
		end += gt
		b.WriteString(body[:gt])
		b.WriteString(breakHTML(body[gt:end]))
		b.WriteString(closeTag)
		body = body[end+len(closeTag):]
	}
}

// indexHeadingOpen finds the next <h2…<h6 start tag.
func indexHeadingOpen(s string) int {
	off := 0
	for {
		i := strings.Index(s[off:], "<h")
		if i < 0 {
			return -1
		}
		i += off
		if i+3 < len(s) && s[i+2] >= '2' && s[i+2] <= '6' && (s[i+3] == '>' || s[i+3] == ' ') {
			return i
		}
		off = i + 2
	}
}

// ShiftHeadings moves every heading of a rendered story body one level
// down (h2 → h3 …, h6 stays), for a story shown under an h2 headline on
// an edition page.
func ShiftHeadings(body string) string {
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); {
		j := strings.IndexByte(body[i:], '<')
		if j < 0 {
			b.WriteString(body[i:])
			break
		}
		j += i
		b.WriteString(body[i:j])
		k := j + 1
		if k < len(body) && body[k] == '/' {
			k++
		}
		if k+2 <= len(body) && body[k] == 'h' && body[k+1] >= '2' && body[k+1] <= '5' && k+2 < len(body) && (body[k+2] == '>' || body[k+2] == ' ') {
			b.WriteString(body[j : k+1])
			b.WriteByte(body[k+1] + 1)
			i = k + 2
			continue
		}
		b.WriteByte('<')
		i = j + 1
	}
	return b.String()
}
