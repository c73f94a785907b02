package typeset

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// edit replaces src[start:end] with repl.
type edit struct {
	start, end int
	repl       string
	rule       string
}

// laterEdit is an edit found by a later pass, mapped back to the source.
type laterEdit struct {
	edit
	orig string
}

// note is a lint-only finding.
type note struct {
	start, end int
	rule, msg  string
	sugg       string
}

// decision is the replacement the pairing pass chose for one bracket or
// quote of the current paragraph.
type decision struct {
	pos  int
	repl string
	rule string
}

// token is a bracket or quote seen by the pairing pass.
type token struct {
	pos  int
	size int
	r    rune
	line int // line number inside the paragraph
	han  int // paragraph gaps containing Han before this token
	// depth is how many “ are open before this token.
	depth int
}

// engine runs the rules over one source. It records edits in source order;
// the text is rebuilt only at the end, and only when something changed.
type engine struct {
	src      []byte
	skips    []Range // protected ranges and URLs, sorted and merged
	lineMode bool    // every line is a paragraph
	report   bool    // collect lint-only notes
	edits    []edit
	notes    []note
	extra    []laterEdit // edits of later passes, for findings only
	fragile  bool        // a decision looked at a neighbour that may change

	si  int // first skip with End > the scan position
	dec []decision
	di  int
	tok []token

	pend      bool // a run of spaces awaits T7
	pendStart int
	pendEnd   int
	pendL     rune // output rune before the run
}

func newEngine(src []byte, protected []Range, lineMode, report bool) *engine {
	skips := protected
	if u := urls(src); len(u) > 0 {
		skips = append(slices.Clip(protected), u...)
	}
	return &engine{
		src:      src,
		skips:    normRanges(skips, len(src)),
		lineMode: lineMode,
		report:   report,
	}
}

// fixpoint runs the rules and returns the fixed text, or nil when nothing
// changes. The single pass is stable by construction except where a
// decision looked at a neighbour a later rule changed; only then the pass
// is repeated on its own output.
func (e *engine) fixpoint() []byte {
	e.run()
	if len(e.edits) == 0 {
		return nil
	}
	out := apply(e.src, e.edits)
	if !e.fragile {
		return out
	}
	chain := [][]edit{e.edits}
	skips := e.skips
	for range 16 {
		skips = mapRanges(skips, chain[len(chain)-1])
		next := newEngine(out, skips, e.lineMode, false)
		next.run()
		if len(next.edits) == 0 {
			break
		}
		for _, ed := range next.edits {
			off := ed.start
			for c := len(chain) - 1; c >= 0; c-- {
				off = mapBack(off, chain[c])
			}
			e.extra = append(e.extra, laterEdit{edit{start: off, end: off, repl: ed.repl, rule: ed.rule}, string(out[ed.start:ed.end])})
		}
		out = apply(out, next.edits)
		chain = append(chain, next.edits)
		if !next.fragile {
			break
		}
	}
	return out
}

// findings turns edits and notes into findings with positions, sorted by
// offset. Edits are in source order already; notes and the edits of later
// passes are few and sorted here, then all three are merged.
func (e *engine) findings() []Finding {
	n := len(e.edits) + len(e.extra) + len(e.notes)
	if n == 0 {
		return nil
	}
	fs := make([]Finding, 0, n)
	slices.SortStableFunc(e.notes, func(a, b note) int { return a.start - b.start })
	slices.SortStableFunc(e.extra, func(a, b laterEdit) int { return a.start - b.start })
	p := position{src: e.src}
	i, j, k := 0, 0, 0
	for i < len(e.edits) || j < len(e.extra) || k < len(e.notes) {
		var f Finding
		switch {
		case i < len(e.edits) && (j >= len(e.extra) || e.edits[i].start <= e.extra[j].start) &&
			(k >= len(e.notes) || e.edits[i].start <= e.notes[k].start):
			ed := e.edits[i]
			i++
			orig := e.src[ed.start:ed.end]
			f = Finding{Offset: ed.start, Rule: ed.rule, Message: message(ed.rule, orig),
				Original: string(orig), Suggestion: ed.repl, Fixable: true}
		case j < len(e.extra) && (k >= len(e.notes) || e.extra[j].start <= e.notes[k].start):
			ed := e.extra[j]
			j++
			f = Finding{Offset: ed.start, Rule: ed.rule, Message: message(ed.rule, []byte(ed.orig)),
				Original: ed.orig, Suggestion: ed.repl, Fixable: true}
		default:
			nt := e.notes[k]
			k++
			f = Finding{Offset: nt.start, Rule: nt.rule, Message: nt.msg,
				Original: string(e.src[nt.start:nt.end]), Suggestion: nt.sugg}
		}
		f.Line, f.Col = p.at(f.Offset)
		fs = append(fs, f)
	}
	return fs
}

// run scans the whole source paragraph by paragraph.
func (e *engine) run() {
	for start := 0; start < len(e.src); {
		end := e.paragraphEnd(start)
		e.paragraph(start, end)
		start = end
	}
}

// paragraphEnd returns the end of the paragraph starting at start: after
// the line break before a blank line (or after every line break in line
// mode). Line breaks inside protected ranges do not count.
func (e *engine) paragraphEnd(start int) int {
	src, n := e.src, len(e.src)
	k, _ := slices.BinarySearchFunc(e.skips, start, func(r Range, p int) int { return r.End - 1 - p })
	for pos := start; pos < n; {
		nl := bytes.IndexByte(src[pos:], '\n')
		if nl < 0 {
			return n
		}
		nl += pos
		for k < len(e.skips) && e.skips[k].End <= nl {
			k++
		}
		if k < len(e.skips) && e.skips[k].Start <= nl {
			pos = e.skips[k].End
			continue
		}
		if e.lineMode {
			return nl + 1
		}
		j := nl + 1
		for j < n && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r') {
			j++
		}
		if j >= n || src[j] == '\n' {
			return nl + 1
		}
		pos = nl + 1
	}
	return n
}

// paragraph applies the rules to src[bs:be].
func (e *engine) paragraph(bs, be int) {
	e.pair(bs, be)
	src := e.src
	for i := bs; i < be; {
		for e.si < len(e.skips) && e.skips[e.si].End <= i {
			e.si++
		}
		lim := be
		if e.si < len(e.skips) {
			s := e.skips[e.si]
			if s.Start <= i {
				e.resolve(neutral)
				i = s.End
				continue
			}
			lim = min(lim, s.Start)
		}
		j := i + plainRun(src[i:lim])
		if j > i {
			if e.pend {
				r, _ := utf8.DecodeRune(src[i:j])
				e.resolve(r)
			}
			i = j
			continue
		}
		i = e.step(i, lim)
	}
	e.resolve('\n')
}

// plainRun returns the length of the prefix of s no rule needs to look at:
// ASCII letters and digits, Han, and the full-width punctuation that is
// already house style (，：；“” and so on). It steps over whole UTF-8
// sequences and decodes nothing.
func plainRun(s []byte) int {
	k := 0
	for k < len(s) {
		b := s[k]
		switch n := int(seqLen[b]); {
		case n == 1:
			k++
		case n == 3 && k+3 <= len(s) && s[k+1]&0xC0 == 0x80 && s[k+2]&0xC0 == 0x80:
			k += 3 // Han, most of the time
		case n > 1 && k+n <= len(s) && cont(s, k+1, n):
			k += n
		case b == 0xE2 || b == 0xE3 || b == 0xEF:
			if k+3 <= len(s) && s[k+1]&0xC0 == 0x80 && s[k+2]&0xC0 == 0x80 && !wantedWide(b, s[k+1], s[k+2]) {
				k += 3
				continue
			}
			return k
		case interesting[b]:
			return k
		default:
			k++ // a stray continuation byte or a cut sequence
		}
	}
	return k
}

// cont reports whether s[k:k+n-1] are UTF-8 continuation bytes.
func cont(s []byte, k, n int) bool {
	for ; n > 1; n-- {
		if s[k]&0xC0 != 0x80 {
			return false
		}
		k++
	}
	return true
}

// seqLen is 1 for bytes that are copied one at a time, the sequence length
// for lead bytes that never start anything a rule looks at, and 0 for the
// bytes to look at.
var seqLen = func() (t [256]uint8) {
	for b := range 256 {
		switch {
		case interesting[b]:
		case b < 0xC0:
			t[b] = 1
		case b < 0xE0:
			t[b] = 2
		case b < 0xF0:
			t[b] = 3
		case b < 0xF8:
			t[b] = 4
		default:
			t[b] = 1
		}
	}
	return t
}()

// wantedWide reports the three-byte characters a rule looks at:
// 。 … — ― ！ ？ （ ） and full-width digits and letters.
func wantedWide(b0, b1, b2 byte) bool {
	switch b0 {
	case 0xE2:
		return b1 == 0x80 && (b2 == 0xA6 || b2 == 0x94 || b2 == 0x95)
	case 0xE3:
		return b1 == 0x80 && b2 == 0x82
	}
	switch b1 {
	case 0xBC:
		return b2 == 0x81 || b2 == 0x9F || b2 == 0x88 || b2 == 0x89 || (b2 >= 0x90 && b2 <= 0x99) || (b2 >= 0xA1 && b2 <= 0xBA)
	case 0xBD:
		return b2 >= 0x81 && b2 <= 0x9A
	}
	return false
}

// step handles the interesting byte at i and returns where to go on.
func (e *engine) step(i, lim int) int {
	src := e.src
	switch b := src[i]; b {
	case ' ':
		return e.spaces(i, lim)
	case '\\':
		e.resolve('\\')
		if i+1 < lim && isASCIIPunct(src[i+1]) {
			return i + 2 // an escaped character stays as it is
		}
		return i + 1
	case ',', ';', '!', '?':
		return e.punct(i, lim, b)
	case ':':
		return e.colon(i, lim)
	case '.':
		return e.dot(i, lim)
	case '-':
		return e.hyphen(i, lim)
	case '(', ')', '"', '\'':
		if d, ok := e.decided(i); ok {
			e.emit(i, i+1, d.repl, d.rule)
		} else {
			e.resolve(rune(b))
		}
		return i + 1
	}
	r, size := utf8.DecodeRune(src[i:lim])
	switch r {
	case '…':
		return e.ellipsis(i, lim)
	case '—', '―':
		return e.dash(i, lim, r)
	case '。':
		return e.stops(i, lim)
	case '（', '）':
		if d, ok := e.decided(i); ok {
			e.emit(i, i+size, d.repl, d.rule)
			return i + size
		}
	case '！', '？':
		e.repeated(i, i+size, r)
	}
	if isFWAlnum(r) {
		return e.fullwidth(i, lim)
	}
	e.resolve(r)
	return i + size
}

func isASCIIPunct(b byte) bool {
	return b >= '!' && b <= '/' || b >= ':' && b <= '@' || b >= '[' && b <= '`' || b >= '{' && b <= '~'
}

// emit records the replacement of src[start:end].
func (e *engine) emit(start, end int, repl, rule string) {
	r, _ := utf8.DecodeRuneInString(repl)
	e.resolve(r)
	if runForming(r) {
		if it := e.back(start); it.prev() == r {
			e.fragile = true // joins a run ("。" + "。。"), which T4 may want to see whole
		}
	}
	e.add(edit{start: start, end: end, repl: repl, rule: rule})
}

// runForming reports characters whose runs rules T4 and T5 read.
func runForming(r rune) bool { return r == '。' || r == '…' || r == '—' }

// add appends an edit. The first one reserves room for about one edit in
// 64 bytes, what raw submissions need, so growing rarely copies.
func (e *engine) add(ed edit) {
	if e.edits == nil {
		e.edits = make([]edit, 0, 16+len(e.src)/64)
	}
	e.edits = append(e.edits, ed)
}

// addNote records a lint-only finding.
func (e *engine) addNote(start, end int, rule, msg, sugg string) {
	if e.report {
		e.notes = append(e.notes, note{start: start, end: end, rule: rule, msg: msg, sugg: sugg})
	}
}

// ---- context ----

// backIter walks the output text (source with the edits so far) backwards.
type backIter struct {
	e   *engine
	pos int // source position; output before it is still to be read
	k   int // last edit not yet passed
	rp  int // >= 0: reading edits[k].repl before byte rp
}

func (e *engine) back(pos int) backIter {
	return backIter{e: e, pos: pos, k: len(e.edits) - 1, rp: -1}
}

func (b *backIter) prev() rune {
	for {
		if b.rp >= 0 {
			repl := b.e.edits[b.k].repl
			if b.rp > 0 {
				r, n := utf8.DecodeLastRuneInString(repl[:b.rp])
				b.rp -= n
				return r
			}
			b.pos = b.e.edits[b.k].start
			b.k--
			b.rp = -1
			continue
		}
		floor := 0
		if b.k >= 0 {
			if b.e.edits[b.k].end >= b.pos {
				b.rp = len(b.e.edits[b.k].repl)
				continue
			}
			floor = b.e.edits[b.k].end
		}
		if b.pos <= floor {
			return eof
		}
		r, n := utf8.DecodeLastRune(b.e.src[floor:b.pos])
		b.pos -= n
		return r
	}
}

// leftCtx describes what stands before a punctuation mark in the output.
type leftCtx struct {
	r      rune // nearest rune, spaces and emphasis markers skipped
	cjk    bool // Chinese found, possibly through a token or quotes
	direct bool // r is Han or Chinese punctuation
	token  bool // r ends an ASCII word or number
}

func (e *engine) left(i int) leftCtx {
	it := e.back(i)
	r := it.prev()
	for n := 0; (isSpace(r) || isEmphasis(r)) && n < 16; n++ {
		r = it.prev()
	}
	c := leftCtx{r: r}
	switch {
	case isHan(r) || isStrong(r):
		c.cjk, c.direct = true, true
		return c
	case isSoft(r):
		c.direct = true
	case isAlnum(r) || r == '%':
		c.token = true
	default:
		return c
	}
	// Walk back through the word and quotes to see what they stand in.
	for range 64 {
		r = it.prev()
		if isHan(r) || isStrong(r) {
			c.cjk = true
			return c
		}
		if !isTokenRune(r) && !isSoft(r) {
			return c
		}
	}
	return c
}

// runeAt returns the source rune at p; protected text reads as neutral.
func (e *engine) runeAt(p int) (rune, int) {
	if p >= len(e.src) {
		return eof, 0
	}
	if e.inSkip(p) {
		return neutral, 1
	}
	if b := e.src[p]; b < utf8.RuneSelf {
		return rune(b), 1
	}
	return utf8.DecodeRune(e.src[p:])
}

// right returns the rune at p, and the nearest rune from p on with spaces
// and emphasis markers skipped, with its position.
func (e *engine) right(p int) (raw, r rune, pos int) {
	raw, n := e.runeAt(p)
	r, pos = raw, p
	for k := 0; (isSpace(r) || isEmphasis(r)) && k < 16; k++ {
		pos += n
		r, n = e.runeAt(pos)
	}
	return raw, r, pos
}

// hanRight reports whether r at pos makes the punctuation before it Chinese.
func (e *engine) hanRight(r rune, pos int) bool {
	if isHan(r) || isStrong(r) {
		return true
	}
	switch r {
	case '(', ')':
		d := e.willBe(pos)
		return d == "（" || d == "）"
	case ',', '.', ';', ':', '!', '?', '-', '…', '—', '―':
		e.fragile = true
	}
	return false
}

// closerAt reports a closing quote or bracket at pos (after pairing).
func (e *engine) closerAt(r rune, pos int) bool {
	switch r {
	case '”', '’', '）', '》', '」', '』', '】':
		return true
	case '"', '\'', ')':
		switch e.willBe(pos) {
		case "”", "’", "）":
			return true
		}
	}
	return false
}

func (e *engine) inSkip(p int) bool {
	for k := e.si; k < len(e.skips) && e.skips[k].Start <= p; k++ {
		if p < e.skips[k].End {
			return true
		}
	}
	return false
}

// inSkipAny is inSkip for any position of the source.
func (e *engine) inSkipAny(p int) bool {
	k, _ := slices.BinarySearchFunc(e.skips, p, func(r Range, p int) int { return r.End - 1 - p })
	return k < len(e.skips) && e.skips[k].Start <= p && p < e.skips[k].End
}

// ---- T7: spaces ----

// spaces handles a run of ASCII spaces. The full-width space U+3000 is a
// deliberate typographic character (paragraph indent, the gap between the
// two parts of a heading) and is never removed.
func (e *engine) spaces(i, lim int) int {
	src := e.src
	j := i
	for j < lim && src[j] == ' ' {
		j++
	}
	e.resolve(' ')
	if i == 0 || src[i-1] == '\n' || j >= lim || src[j] == '\n' || src[j] == '\r' || src[j] == '\t' {
		return j // indentation, line-end spaces (hard breaks) and spaces before protected text stay
	}
	it := e.back(i)
	e.pend, e.pendStart, e.pendEnd, e.pendL = true, i, j, it.prev()
	return j
}

// resolve decides a pending run of spaces now that the rune after it is known.
func (e *engine) resolve(next rune) {
	if !e.pend {
		return
	}
	e.pend = false
	l := e.pendL
	drop := (isStrong(l) && spaceDropsNextToStrong(next)) || (isStrong(next) && spaceDropsNextToStrong(l)) ||
		(isSoft(l) && spaceDropsNextToSoft(next)) || (isSoft(next) && spaceDropsNextToSoft(l))
	if drop && isHan(next) && e.credit(e.pendEnd) {
		drop = false
	}
	if drop {
		if l == next && runForming(l) {
			e.fragile = true
		}
		e.add(edit{start: e.pendStart, end: e.pendEnd, rule: "T7"})
	}
}

func spaceDropsNextToStrong(r rune) bool { return isHan(r) || isStrong(r) || isSoft(r) || isAlnum(r) }
func spaceDropsNextToSoft(r rune) bool   { return isHan(r) || isStrong(r) || isSoft(r) }

// credit reports a credit line ("长征镇 供稿") starting at p: its space is
// kept, and so is the space before it.
func (e *engine) credit(p int) bool {
	src := e.src
	n := 0
	for p < len(src) && n <= 12 {
		r, size := utf8.DecodeRune(src[p:])
		if !isHan(r) {
			break
		}
		p += size
		n++
	}
	if n == 0 || n > 12 {
		return false
	}
	sp := p
	for p < len(src) && src[p] == ' ' {
		p++
	}
	if p == sp {
		return false
	}
	rest := src[p:]
	for _, w := range []string{"供稿", "撰稿", "供图", "摄"} {
		if bytes.HasPrefix(rest, []byte(w)) {
			return true
		}
	}
	return false
}

// ---- T1: , ; ! ? : . ----

var fullWidth = [128]string{',': "，", '.': "。", ';': "；", ':': "：", '!': "！", '?': "？"}

// punct handles a run of , ; ! ? : (possibly with spaces between, "! !")
// as one unit: "!!" after Chinese becomes "！！" (and is noted as L1), "?!"
// becomes "？！".
func (e *engine) punct(i, lim int, b byte) int {
	j := i + 1
	for n := 0; j < lim && n < 16; n++ {
		k := j
		for k < lim && e.src[k] == ' ' {
			k++
		}
		if k >= lim || !isRunPunct(e.src[k]) {
			break
		}
		j = k + 1
	}
	raw, r, rpos := e.right(j)
	if (b == '!' && j == i+1 && raw == '[') || (b == ';' && e.entityBefore(i)) {
		e.resolve(rune(b)) // Markdown image, HTML entity
		return i + 1
	}
	l := e.left(i)
	if !((l.cjk && l.direct) || e.hanRight(r, rpos) || (l.cjk && l.token && isEOL(raw))) {
		e.resolve(rune(b))
		return j
	}
	for k := i; k < j; {
		c := e.src[k]
		if c == ' ' {
			k = e.spaces(k, j+1)
			continue
		}
		if c == '!' || c == '?' {
			e.repeated(k, k+1, []rune(fullWidth[c])[0])
		}
		e.emit(k, k+1, fullWidth[c], "T1")
		k++
	}
	return j
}

func isRunPunct(b byte) bool { return b == ',' || b == ';' || b == '!' || b == '?' || b == ':' }

// entityBefore reports whether the ; at i ends an HTML entity (&nbsp;).
func (e *engine) entityBefore(i int) bool {
	for k := i - 1; k >= 0 && k >= i-12; k-- {
		c := e.src[k]
		if c == '&' {
			return k < i-1
		}
		if !isAlnumByte(c) && c != '#' {
			return false
		}
	}
	return false
}

func (e *engine) colon(i, lim int) int {
	if i+2 < len(e.src) && e.src[i+1] == '/' && e.src[i+2] == '/' {
		e.resolve(':')
		return i + 1
	}
	if k := i + 1 + bytes.IndexFunc(e.src[i+1:lim], func(r rune) bool { return r != ' ' }); k > i && k < lim && isRunPunct(e.src[k]) {
		return e.punct(i, lim, ':')
	}
	raw, r, rpos := e.right(i + 1)
	l := e.left(i)
	if (l.cjk && l.direct) || e.hanRight(r, rpos) ||
		(l.cjk && l.token && !(isDigit(l.r) && isDigit(raw)) && (isAlnum(raw) || isEOL(raw))) {
		e.emit(i, i+1, "：", "T1")
		return i + 1
	}
	e.resolve(':')
	return i + 1
}

func (e *engine) dot(i, lim int) int {
	j := i
	for j < lim && e.src[j] == '.' {
		j++
	}
	raw, r, rpos := e.right(j)
	l := e.left(i)
	switch j - i {
	case 1:
		if (l.cjk && l.direct && !isAlnum(raw)) || (l.cjk && l.token && (isEOL(raw) || e.closerAt(raw, j))) {
			e.emit(i, j, "。", "T1")
			return j
		}
	case 2:
	default:
		if (l.cjk && l.direct) || e.hanRight(r, rpos) {
			e.emit(i, j, "……", "T4")
			return j
		}
	}
	e.resolve('.')
	return j
}

// ---- T4, T5 ----

func (e *engine) ellipsis(i, lim int) int {
	j := e.runOf(i, lim, '…')
	// An even run is one or more ellipses already: "……" and "…… ……"
	// (which T7 joins) stay.
	if n := (j - i) / 3; n%2 == 1 {
		_, r, rpos := e.right(j)
		if l := e.left(i); (l.cjk && l.direct) || e.hanRight(r, rpos) {
			e.emit(i, j, "……", "T4")
			return j
		}
	}
	e.resolve('…')
	return j
}

func (e *engine) stops(i, lim int) int {
	j := e.runOf(i, lim, '。')
	if (j-i)/3 >= 3 {
		e.emit(i, j, "……", "T4")
		return j
	}
	e.resolve('。')
	return j
}

func (e *engine) hyphen(i, lim int) int {
	j := i
	for j < lim && e.src[j] == '-' {
		j++
	}
	if j-i == 2 {
		_, r, rpos := e.right(j)
		if l := e.left(i); (l.cjk && l.direct) || e.hanRight(r, rpos) {
			e.emit(i, j, "——", "T5")
			return j
		}
	}
	e.resolve('-')
	return j
}

func (e *engine) dash(i, lim int, d rune) int {
	j := e.runOf(i, lim, d)
	n := (j - i) / 3
	if n == 1 || (n == 2 && d == '―') {
		_, r, rpos := e.right(j)
		l := e.left(i)
		lc, rc := l.cjk && l.direct, e.hanRight(r, rpos)
		if (n == 1 && lc && rc) || (n == 2 && (lc || rc)) {
			e.emit(i, j, "——", "T5")
			return j
		}
	}
	e.resolve(d)
	return j
}

// runOf returns the end of the run of rune c (3 bytes in UTF-8) from i.
func (e *engine) runOf(i, lim int, c rune) int {
	var enc [4]byte
	n := utf8.EncodeRune(enc[:], c)
	j := i
	for j+n <= lim && bytes.Equal(e.src[j:j+n], enc[:n]) {
		j += n
	}
	return j
}

// ---- T6 ----

func (e *engine) fullwidth(i, lim int) int {
	var buf [64]byte
	out := buf[:0]
	j := i
	for j < lim {
		r, size := utf8.DecodeRune(e.src[j:lim])
		if !isFWAlnum(r) {
			break
		}
		out = append(out, byte(r-0xFEE0))
		j += size
	}
	e.emit(i, j, string(out), "T6")
	return j
}

// ---- L1 ----

// repeated notes a ！ or ？ that follows the same mark (L1), once per run.
func (e *engine) repeated(start, end int, r rune) {
	if !e.report {
		return
	}
	it := e.back(start)
	if it.prev() != r || it.prev() == r {
		return
	}
	msg := "叹号不宜连用"
	if r == '？' {
		msg = "问号不宜连用"
	}
	e.addNote(start, end, "L1", msg, "")
}

// message is the finding text for rule applied to orig.
func message(rule string, orig []byte) string {
	switch rule {
	case "T1":
		switch string(orig) {
		case ",":
			return "中文旁应使用全角逗号"
		case ".":
			return "中文句末应使用全角句号"
		case ";":
			return "中文旁应使用全角分号"
		case ":":
			return "中文旁应使用全角冒号"
		case "!":
			return "中文旁应使用全角叹号"
		default:
			return "中文旁应使用全角问号"
		}
	case "T2":
		return "中文旁应使用全角括号"
	case "T3":
		return "中文引号应使用弯引号"
	case "T4":
		return "省略号应写作“……”"
	case "T5":
		return "破折号应写作“——”"
	case "T6":
		return "全角数字和字母应改为半角"
	case "T7":
		return "全角标点旁不加空格"
	}
	return rule
}
