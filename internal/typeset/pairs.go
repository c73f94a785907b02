package typeset

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// pair finds the brackets and quotes of the paragraph src[bs:be], pairs
// them and decides which become full-width (T2) or curly (T3). It notes
// unbalanced ones (L2) and quoted titles that want 《》 (L3).
//
// Decisions depend only on Han characters (which no rule changes), on the
// pairing itself (which conversions preserve) and on the width of existing
// pairs, so a second pass over the output makes no new decision.
func (e *engine) pair(bs, be int) {
	e.dec, e.di, e.tok = e.dec[:0], 0, e.tok[:0]
	src := e.src
	k := e.si
	line, hanGaps, gapHan, depth := 0, 0, false, 0
	for i := bs; i < be; {
		for k < len(e.skips) && e.skips[k].End <= i {
			k++
		}
		lim := be
		if k < len(e.skips) {
			if e.skips[k].Start <= i {
				i = e.skips[k].End
				continue
			}
			lim = min(lim, e.skips[k].Start)
		}
		for i < lim {
			b := src[i]
			if b < utf8.RuneSelf {
				if pairByte[b] || b == '\n' {
					break
				}
				i++
				continue
			}
			if b >= 0xE2 && b <= 0xEF && i+3 <= lim && src[i+1]&0xC0 == 0x80 && src[i+2]&0xC0 == 0x80 {
				// Three-byte characters, told apart by their bytes.
				b1 := src[i+1]
				switch {
				case b >= 0xE5 && b <= 0xE9, b == 0xE4 && b1 != 0xB7, b == 0xE3 && b1 >= 0x90, b == 0xEF && b1 >= 0xA4 && b1 <= 0xAB:
					gapHan = true // U+3400–U+9FFF without U+4DC0–U+4DFF, U+F900–U+FAFF
				case b == 0xE2 && b1 == 0x80 && (src[i+2] == 0x9C || src[i+2] == 0x9D),
					b == 0xE3 && b1 == 0x80 && (src[i+2] == 0x8A || src[i+2] == 0x8B),
					b == 0xEF && b1 == 0xBC && (src[i+2] == 0x88 || src[i+2] == 0x89):
					goto found // “ ” 《 》 （ ）
				}
				i += 3
				continue
			}
			if !gapHan && b >= 0xF0 {
				r, n := utf8.DecodeRune(src[i:lim])
				gapHan = isHan(r)
				i += n
				continue
			}
			i++
		}
	found:
		if i >= lim {
			continue
		}
		b := src[i]
		size := 1
		var r rune
		switch b {
		case '\n':
			line++
			i++
			continue
		case '\\':
			if i+1 < lim && isASCIIPunct(src[i+1]) {
				i += 2
			} else {
				i++
			}
			continue
		case '\'':
			if i > 0 && i+1 < len(src) && isAlnumByte(src[i-1]) && isAlnumByte(src[i+1]) {
				i++ // an apostrophe: don't, Xi'an
				continue
			}
			r = '\''
		case '(', ')', '"':
			r = rune(b)
		default:
			r, size = utf8.DecodeRune(src[i:lim])
			switch r {
			case '（', '）', '“', '”', '《', '》':
			default:
				if isHan(r) {
					gapHan = true
				}
				i += size
				continue
			}
		}
		if gapHan {
			hanGaps++
			gapHan = false
		}
		e.tok = append(e.tok, token{pos: i, size: size, r: r, line: line, han: hanGaps, depth: depth})
		switch r {
		case '“':
			depth++
		case '”':
			depth = max(depth-1, 0)
		}
		i += size
	}
	if len(e.tok) == 0 {
		return
	}
	e.pairBrackets()
	e.pairQuotes('"')
	e.pairQuotes('\'')
	e.checkCurly()
	if len(e.dec) > 1 {
		slices.SortFunc(e.dec, func(a, b decision) int { return a.pos - b.pos })
	}
}

// hanBetween reports Han text between tokens a and b.
func (e *engine) hanBetween(a, b int) bool { return e.tok[b].han > e.tok[a].han }

// hanBefore and hanAfter report a Han character next to a token, possibly
// across one sentence mark of either width (他说:"OK" and 他说："OK" alike).
func (e *engine) hanBefore(t token) bool {
	p := t.pos
	for range 2 {
		if p == 0 || e.inSkipAny(p-1) {
			return false
		}
		r, n := utf8.DecodeLastRune(e.src[:p])
		if !isSentenceMark(r) {
			return isHan(r)
		}
		p -= n
	}
	return false
}

func (e *engine) hanAfter(t token) bool {
	p := t.pos + t.size
	for range 2 {
		if p >= len(e.src) || e.inSkipAny(p) {
			return false
		}
		r, n := utf8.DecodeRune(e.src[p:])
		if !isSentenceMark(r) {
			return isHan(r)
		}
		p += n
	}
	return false
}

func isSentenceMark(r rune) bool {
	switch r {
	case ',', '.', ';', ':', '!', '?', '，', '。', '；', '：', '！', '？':
		return true
	}
	return false
}

// pairBrackets matches ( ) and （ ） of either width (T2, L2).
func (e *engine) pairBrackets() {
	var stack []int
	for c, t := range e.tok {
		switch t.r {
		case '(', '（':
			stack = append(stack, c)
		case ')', '）':
			if len(stack) == 0 {
				e.addNote(t.pos, t.pos+t.size, "L2", "括号不成对", "")
				continue
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			ot := e.tok[o]
			ao, ac := ot.r == '(', t.r == ')'
			if !ao && !ac {
				continue
			}
			if ao && ot.pos > 0 && e.src[ot.pos-1] == ']' {
				continue // a Markdown link: [text](destination)
			}
			if ao != ac || e.hanBetween(o, c) || e.hanBefore(ot) {
				if ao {
					e.dec = append(e.dec, decision{pos: ot.pos, repl: "（", rule: "T2"})
				}
				if ac {
					e.dec = append(e.dec, decision{pos: t.pos, repl: "）", rule: "T2"})
				}
			}
		}
	}
	for _, o := range stack {
		t := e.tok[o]
		if t.r == '(' && t.pos > 0 && e.src[t.pos-1] == ']' {
			continue // a Markdown link whose ")" is protected with its destination
		}
		e.addNote(t.pos, t.pos+t.size, "L2", "括号不成对", "")
	}
}

// pairQuotes pairs straight quotes q in order (T3). With an odd number in
// the paragraph, lines with an even number are paired on their own and the
// others are left and noted (L2).
func (e *engine) pairQuotes(q rune) {
	var idx []int
	for c, t := range e.tok {
		if t.r == q {
			idx = append(idx, c)
		}
	}
	if len(idx) == 0 {
		return
	}
	if len(idx)%2 == 0 {
		for p := 0; p < len(idx); p += 2 {
			e.quotePair(idx[p], idx[p+1])
		}
		return
	}
	for a := 0; a < len(idx); {
		b := a
		for b < len(idx) && e.tok[idx[b]].line == e.tok[idx[a]].line {
			b++
		}
		if (b-a)%2 == 0 {
			for p := a; p < b; p += 2 {
				e.quotePair(idx[p], idx[p+1])
			}
		} else {
			t := e.tok[idx[a]]
			if q == '"' || e.hanBefore(t) || e.hanAfter(t) {
				e.addNote(t.pos, t.pos+t.size, "L2", "引号不成对", "")
			}
		}
		a = b
	}
}

// quotePair converts the straight quotes o and c when they quote or touch
// Chinese; inside “…” they become ‘…’.
func (e *engine) quotePair(o, c int) {
	ot, ct := e.tok[o], e.tok[c]
	if !e.hanBetween(o, c) && !e.hanBefore(ot) && !e.hanAfter(ct) {
		return
	}
	open, close := "“", "”"
	if ot.r == '\'' || ot.depth > 0 {
		open, close = "‘", "’"
	}
	e.dec = append(e.dec, decision{pos: ot.pos, repl: open, rule: "T3"}, decision{pos: ct.pos, repl: close, rule: "T3"})
	e.bookTitle(ot.pos+1, ct.pos)
}

// checkCurly notes unbalanced “ ” and 《 》 (L2) and quoted titles (L3).
func (e *engine) checkCurly() {
	if !e.report {
		return
	}
	var quotes, books []int
	for c, t := range e.tok {
		switch t.r {
		case '“':
			quotes = append(quotes, c)
		case '”':
			if len(quotes) == 0 {
				e.addNote(t.pos, t.pos+t.size, "L2", "引号不成对", "")
				continue
			}
			o := e.tok[quotes[len(quotes)-1]]
			quotes = quotes[:len(quotes)-1]
			e.bookTitle(o.pos+o.size, t.pos)
		case '《':
			books = append(books, c)
		case '》':
			if len(books) == 0 {
				e.addNote(t.pos, t.pos+t.size, "L2", "书名号不成对", "")
				continue
			}
			books = books[:len(books)-1]
		}
	}
	for _, o := range quotes {
		t := e.tok[o]
		e.addNote(t.pos, t.pos+t.size, "L2", "引号不成对", "")
	}
	for _, o := range books {
		t := e.tok[o]
		e.addNote(t.pos, t.pos+t.size, "L2", "书名号不成对", "")
	}
}

// titleEnds are endings that name a newspaper, periodical or law.
var titleEnds = []string{"日报", "晚报", "早报", "周报", "杂志", "周刊", "月刊", "条例", "法典"}

// bookTitle notes (L3) a quoted src[start:end] that is all Han and names a
// newspaper, periodical or law: “新民晚报” → 《新民晚报》.
func (e *engine) bookTitle(start, end int) {
	if !e.report || start >= end || end-start > 60 {
		return
	}
	s := e.src[start:end]
	n := 0
	for p := 0; p < len(s); {
		r, size := utf8.DecodeRune(s[p:])
		if !isHan(r) {
			return
		}
		n++
		p += size
	}
	if n < 3 {
		return
	}
	ok := bytes.HasPrefix(s, []byte("中华人民共和国")) && bytes.HasSuffix(s, []byte("法"))
	for _, w := range titleEnds {
		ok = ok || bytes.HasSuffix(s, []byte(w))
	}
	if ok {
		e.addNote(start, end, "L3", "书名应加书名号", "《"+string(s)+"》")
	}
}

// decided returns the pairing decision for the token at i.
func (e *engine) decided(i int) (decision, bool) {
	for e.di < len(e.dec) && e.dec[e.di].pos < i {
		e.di++
	}
	if e.di < len(e.dec) && e.dec[e.di].pos == i {
		e.di++
		return e.dec[e.di-1], true
	}
	return decision{}, false
}

// willBe returns the replacement decided for position p, or "".
func (e *engine) willBe(p int) string {
	for k := e.di; k < len(e.dec) && e.dec[k].pos <= p; k++ {
		if e.dec[k].pos == p {
			return e.dec[k].repl
		}
	}
	return ""
}

// urls returns the URLs written in src (scheme:// or www.), which no rule
// may touch. Trailing punctuation is not part of a URL, as in GFM.
func urls(src []byte) []Range {
	var rs []Range
	for off := 0; off < len(src); {
		k := bytes.Index(src[off:], []byte("://"))
		if k < 0 {
			break
		}
		k += off
		s := k
		for s > 0 && (src[s-1]|0x20 >= 'a' && src[s-1]|0x20 <= 'z') {
			s--
		}
		off = k + 3
		if k-s >= 2 {
			if end := urlEnd(src, k+3); end > k+3 {
				rs = append(rs, Range{s, end})
				off = end
			}
		}
	}
	for off := 0; off < len(src); {
		k := bytes.Index(src[off:], []byte("www."))
		if k < 0 {
			break
		}
		k += off
		off = k + 4
		if k > 0 && (isAlnumByte(src[k-1]) || src[k-1] == '.' || src[k-1] == '/') {
			continue
		}
		if end := urlEnd(src, k+4); end > k+4 {
			rs = append(rs, Range{k, end})
			off = end
		}
	}
	return rs
}

func urlEnd(src []byte, i int) int {
	j := i
	for j < len(src) {
		b := src[j]
		if b <= ' ' || b >= utf8.RuneSelf || b == '<' || b == '>' || b == '"' || b == '`' || b == '\'' {
			break
		}
		j++
	}
	for j > i {
		b := src[j-1]
		if bytes.IndexByte([]byte(".,:;!?*_~"), b) >= 0 {
			j--
			continue
		}
		if b == ')' && bytes.Count(src[i:j], []byte("(")) < bytes.Count(src[i:j], []byte(")")) {
			j--
			continue
		}
		break
	}
	return j
}
