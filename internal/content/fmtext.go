package content

import "bytes"

// Span is the byte range [Start, End) of a source.
type Span struct{ Start, End int }

// frontMatterTextKeys are the front matter keys whose values are copy.
var frontMatterTextKeys = map[string]bool{"title": true, "kicker": true, "subtitle": true, "summary": true}

// FrontMatterText returns, in order, the byte ranges of the copy in the
// front matter fm (as SplitFrontMatter returns it): the text of the values
// of title, kicker, subtitle and summary, without their quotes, escapes or
// comments, so house style can be checked and fixed there and nowhere
// else. Values it cannot read safely (flow collections, anchors,
// multi-line quoted strings) are left out whole. It is linear in len(fm).
func FrontMatterText(fm []byte, format Format) []Span {
	var text []Span
	lines := bytes.SplitAfter(fm, []byte("\n"))
	off := 0
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		start := off
		off += len(ln)
		key, rest, ok := splitTopKey(ln, format)
		if !ok || !frontMatterTextKeys[key] {
			continue
		}
		vs := start + (len(ln) - len(rest)) // offset of the value
		v := bytes.TrimRight(rest, " \t\r\n")
		switch {
		case len(v) == 0 && format == YAML, len(v) > 0 && format == YAML && (v[0] == '|' || v[0] == '>'):
			// Block scalar or a plain scalar on the following lines: every
			// following indented line is text.
			for i+1 < len(lines) && (len(bytes.TrimSpace(lines[i+1])) == 0 || lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
				i++
				ln := lines[i]
				body := bytes.TrimLeft(ln, " \t")
				s := off + (len(ln) - len(body))
				text = append(text, Span{Start: s, End: s + len(bytes.TrimRight(body, " \t\r\n"))})
				off += len(ln)
			}
		case len(v) == 0:
		case v[0] == '"':
			if format == TOML && bytes.HasPrefix(v, []byte(`"""`)) {
				continue
			}
			text = append(text, quotedSpans(v, vs, '"', '\\')...)
		case v[0] == '\'':
			if format == TOML {
				if bytes.HasPrefix(v, []byte("'''")) {
					continue
				}
				text = append(text, quotedSpans(v, vs, '\'', 0)...)
			} else {
				text = append(text, quotedSpans(v, vs, '\'', '\'')...)
			}
		case format == YAML && bytes.IndexByte([]byte("&*![{@`%"), v[0]) < 0:
			// A plain scalar, up to a comment, and its indented continuation lines.
			if k := bytes.Index(v, []byte(" #")); k >= 0 {
				v = bytes.TrimRight(v[:k], " \t")
			}
			text = append(text, Span{Start: vs, End: vs + len(v)})
			for i+1 < len(lines) && len(lines[i+1]) > 0 && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') && len(bytes.TrimSpace(lines[i+1])) > 0 {
				i++
				ln := lines[i]
				body := bytes.TrimLeft(ln, " \t")
				cont := bytes.TrimRight(body, " \t\r\n")
				if k := bytes.Index(cont, []byte(" #")); k >= 0 {
					cont = bytes.TrimRight(cont[:k], " \t")
				}
				s := off + (len(ln) - len(body))
				text = append(text, Span{Start: s, End: s + len(cont)})
				off += len(ln)
			}
		}
	}
	return text
}

// splitTopKey splits a top-level "key: value" (YAML) or "key = value"
// (TOML) line into the key and what follows the separator and its spaces.
func splitTopKey(ln []byte, format Format) (key string, rest []byte, ok bool) {
	if len(ln) == 0 || ln[0] == ' ' || ln[0] == '\t' || ln[0] == '#' {
		return "", nil, false
	}
	sep := byte(':')
	if format == TOML {
		sep = '='
	}
	k := bytes.IndexByte(ln, sep)
	if k <= 0 {
		return "", nil, false
	}
	key = string(bytes.TrimRight(ln[:k], " \t"))
	rest = ln[k+1:]
	if format == YAML && len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '\n' && rest[0] != '\r' {
		return "", nil, false // "key:value" is not a mapping entry
	}
	rest = bytes.TrimLeft(rest, " \t")
	return key, rest, true
}

// quotedSpans returns the text ranges inside the quoted string at the start
// of v (at offset vs), leaving out escapes: esc is the escape character
// (a backslash in double quotes, the quote itself for YAML's doubled
// single quote, 0 for none). A string not closed on its line yields nothing.
func quotedSpans(v []byte, vs int, q, esc byte) []Span {
	var rs []Span
	seg := 1
	for i := 1; i < len(v); i++ {
		switch {
		case esc == '\\' && v[i] == '\\':
			if i > seg {
				rs = append(rs, Span{Start: vs + seg, End: vs + i})
			}
			i++
			seg = i + 1
		case v[i] == q && esc == q && i+1 < len(v) && v[i+1] == q:
			if i > seg {
				rs = append(rs, Span{Start: vs + seg, End: vs + i})
			}
			i++
			seg = i + 1
		case v[i] == q:
			if i > seg {
				rs = append(rs, Span{Start: vs + seg, End: vs + i})
			}
			return rs
		}
	}
	return nil
}
