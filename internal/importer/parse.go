package importer

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/banmian/banmian/internal/content"
)

// Options tune Parse.
type Options struct {
	// Normalize brings a piece of copy to house style. Nil leaves copy as
	// it is (apart from joining lines and trimming spaces).
	Normalize func(string) string
}

// Page is what Parse recognised on one legacy page.
type Page struct {
	// Masthead holds the section name and fields printed at the top.
	Masthead content.Masthead
	Stories  []*Story
	Boxes    []*content.Box // Type, Title and Rows set; ID and Path by Plan
	Warnings []Warning
	// Labels are the label words of the input that the structure replaces
	// (责任编辑, 微博, 邮箱, 热线电话, 供稿, 受检产品, 荣获), one entry per
	// occurrence. Together with the output they hold every Han character of
	// the input.
	Labels []string
	// Rejoined counts lines joined to the line before them because a print
	// column broke a sentence.
	Rejoined int
	// order lists stories and boxes in page order.
	order []ref
}

// ref is a story (box false) or a box, by index.
type ref struct {
	box bool
	i   int
}

// Story is one recognised story.
type Story struct {
	Kicker   string // 引题
	Title    string // 主题
	Subtitle string // 副题
	// Credit names the offices that supplied the story, separated by one
	// space when there are several ("长征镇", "长征镇 真如镇"), without 供稿.
	Credit string
	Blocks []Block
	Line   int // line of the headline in the input
}

// Block is a paragraph or a subhead of a story body.
type Block struct {
	Subhead bool
	Text    string
}

// Subheads returns the story's subheads in order.
func (s *Story) Subheads() []string {
	var out []string
	for _, b := range s.Blocks {
		if b.Subhead {
			out = append(out, b.Text)
		}
	}
	return out
}

// Paragraphs counts the story's paragraphs.
func (s *Story) Paragraphs() int {
	n := 0
	for _, b := range s.Blocks {
		if !b.Subhead {
			n++
		}
	}
	return n
}

// Warning is something the importer could not place with confidence.
type Warning struct {
	Line int // 1-based line of the input; 0 for the whole page
	Msg  string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("line %d: %s", w.Line, w.Msg)
	}
	return w.Msg
}

// ErrEmpty is returned for a page in which Parse found no text at all.
var ErrEmpty = errors.New("the page has no text")

// line is one non-blank input line.
type line struct {
	text       string // trimmed, spaces inside kept
	no         int    // 1-based line number
	afterBlank bool   // a blank line (or the start of the page) precedes it
}

// Parse reads one legacy page. src is UTF-8 (or GB18030, which is detected
// and decoded with a warning); CRLF line ends, a byte order mark and
// full-width spaces at line ends are accepted. It fails only on text it
// cannot decode or a page without text; everything else it reports as
// warnings.
func Parse(src []byte, opt Options) (*Page, error) {
	p := &Page{}
	text, err := decode(src, p)
	if err != nil {
		return nil, err
	}
	norm := opt.Normalize
	if norm == nil {
		norm = func(s string) string { return s }
	}
	lines := splitLines(text)
	if len(lines) == 0 {
		return nil, ErrEmpty
	}
	ps := &parser{page: p, norm: norm, lines: lines}
	ps.parse()
	return p, nil
}

// decode returns src as UTF-8 text without a byte order mark.
func decode(src []byte, p *Page) (string, error) {
	src = bytes.TrimPrefix(src, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(src) {
		return string(src), nil
	}
	bad := 0
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			bad = i
			break
		}
		i += n
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(src)
	if err == nil && utf8.Valid(out) && !bytes.ContainsRune(out, utf8.RuneError) {
		p.Warnings = append(p.Warnings, Warning{Msg: "the file is not UTF-8; read it as GB18030"})
		return string(bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF"))), nil
	}
	return "", fmt.Errorf("line %d: the file is neither UTF-8 nor GB18030 text", 1+bytes.Count(src[:bad], []byte("\n")))
}

// invisible are runes dropped everywhere: they carry no text.
var invisible = strings.NewReplacer("\uFEFF", "", "\u200B", "", "\u200C", "", "\u200D", "")

func splitLines(text string) []line {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = invisible.Replace(text)
	var out []line
	blank := true
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimFunc(l, isSpace)
		if l == "" {
			blank = true
			continue
		}
		out = append(out, line{text: l, no: i + 1, afterBlank: blank})
		blank = false
	}
	return out
}

func isSpace(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

type parser struct {
	page  *Page
	norm  func(string) string
	lines []line
	i     int
	cur   *storyBuilder
}

func (ps *parser) warn(no int, format string, args ...any) {
	ps.page.Warnings = append(ps.page.Warnings, Warning{Line: no, Msg: fmt.Sprintf(format, args...)})
}

func (ps *parser) parse() {
	ps.masthead()
	for ps.i < len(ps.lines) {
		l := ps.lines[ps.i]
		if isBoxTitle(l.text) {
			if box, next, ok := ps.box(ps.i); ok {
				ps.endStory()
				ps.page.order = append(ps.page.order, ref{box: true, i: len(ps.page.Boxes)})
				ps.page.Boxes = append(ps.page.Boxes, box)
				ps.i = next
				continue
			}
		}
		if ps.cur == nil {
			ps.cur = &storyBuilder{ps: ps, line: l.no}
		}
		ps.cur.add(ps.i)
		ps.i++
	}
	ps.endStory()
}

// masthead consumes the section name and masthead fields at the top.
func (ps *parser) masthead() {
	m := &ps.page.Masthead
	seenField := false
	for ps.i < len(ps.lines) {
		l := ps.lines[ps.i]
		if fields := mastheadFields(l.text); fields != nil {
			for _, f := range fields {
				ps.page.Labels = append(ps.page.Labels, f.label)
				v := f.value
				switch f.label {
				case "责任编辑":
					m.Editor = ps.norm(v)
				case "微博":
					m.Weibo = v
				case "邮箱":
					m.Email = v
				default:
					m.Hotline = v
				}
				if v == "" {
					ps.warn(l.no, "masthead field %s is empty", f.label)
				}
			}
			seenField = true
			ps.i++
			continue
		}
		if !seenField && m.Section == "" && isSectionName(l.text) && ps.fieldFollows(ps.i+1) {
			m.Section = ps.norm(l.text)
			ps.i++
			continue
		}
		return
	}
}

// fieldFollows reports whether a masthead field is among the three lines
// from i.
func (ps *parser) fieldFollows(i int) bool {
	for j := i; j < len(ps.lines) && j < i+3; j++ {
		if mastheadFields(ps.lines[j].text) != nil {
			return true
		}
	}
	return false
}

type field struct{ label, value string }

var fieldRE = regexp.MustCompile(`(责任编辑|微博|邮箱|热线电话)[ \t\x{3000}]*[:：][ \t\x{3000}]*|(责任编辑|微博|邮箱|热线电话)[ \t\x{3000}]+`)

// mastheadFields splits a line made only of masthead fields ("责任编辑:郭爽",
// or several on one line); it returns nil for any other line.
func mastheadFields(s string) []field {
	locs := fieldRE.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 || locs[0][0] != 0 {
		return nil
	}
	var out []field
	for k, loc := range locs {
		label := ""
		if loc[2] >= 0 {
			label = s[loc[2]:loc[3]]
		} else {
			label = s[loc[4]:loc[5]]
		}
		end := len(s)
		if k+1 < len(locs) {
			end = locs[k+1][0]
		}
		out = append(out, field{label: label, value: strings.TrimFunc(s[loc[1]:end], isSpace)})
	}
	return out
}

// isSectionName: a short line without punctuation.
func isSectionName(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return false
		}
		n++
	}
	return n <= 12
}

var boxTitleRE = regexp.MustCompile(`^[^\s\pP]{0,10}(荣誉榜|光荣榜)$`)

func isBoxTitle(s string) bool { return boxTitleRE.MatchString(s) }

func (ps *parser) endStory() {
	if ps.cur != nil {
		ps.cur.finish()
		ps.cur = nil
	}
}

// ---- stories ----

type storyBuilder struct {
	ps      *parser
	line    int
	heads   []line
	blocks  []Block
	pending []string // lines of the paragraph being joined
	pendAt  int
	body    bool // the body has started
	credit  string
}

// sentenceEnders close a sentence; a closing quote or bracket after one of
// them closes it too.
const sentenceEnders = "。．.!！?？…"
const closers = "”’」』）)》】\"'"

// endsSentence reports whether s ends a sentence (and so a paragraph).
func endsSentence(s string) bool {
	for s != "" {
		r, n := utf8.DecodeLastRuneInString(s)
		if strings.ContainsRune(closers, r) {
			s = s[:len(s)-n]
			continue
		}
		return strings.ContainsRune(sentenceEnders, r)
	}
	return false
}

func (b *storyBuilder) add(i int) {
	ps := b.ps
	l := ps.lines[i]
	text := l.text
	if body, credit, ok := splitCredit(text); ok {
		ps.page.Labels = append(ps.page.Labels, "供稿")
		if body != "" {
			b.bodyLine(i, body)
		}
		b.flush()
		b.credit = credit
		ps.endStory()
		return
	}
	b.bodyLine(i, text)
}

// bodyLine places one line: headline block, subhead or paragraph text.
func (b *storyBuilder) bodyLine(i int, text string) {
	ps := b.ps
	l := ps.lines[i]
	if !b.body && len(b.pending) == 0 {
		if len(b.heads) < 3 && !endsSentence(text) && runeLen(text) <= 60 && !b.firstFragment(i, text) {
			b.heads = append(b.heads, line{text: text, no: l.no})
			return
		}
		b.body = true
	}
	if len(b.pending) > 0 {
		b.pending = append(b.pending, text)
		ps.page.Rejoined++
		if endsSentence(text) {
			b.flush()
		}
		return
	}
	if !endsSentence(text) && b.isSubhead(i, text) {
		b.blocks = append(b.blocks, Block{Subhead: true, Text: ps.heading(text)})
		return
	}
	b.pending = []string{text}
	b.pendAt = l.no
	if endsSentence(text) {
		b.flush()
	}
}

// firstFragment reports whether a heading-like line at the start of a story
// is in fact the first part of a paragraph broken by a column (its next
// line continues mid-sentence).
func (b *storyBuilder) firstFragment(i int, text string) bool {
	next := b.ps.nextText(i)
	return next != "" && startsMidSentence(next)
}

func (ps *parser) nextText(i int) string {
	if i+1 < len(ps.lines) {
		return ps.lines[i+1].text
	}
	return ""
}

// flush ends the paragraph being joined.
func (b *storyBuilder) flush() {
	if len(b.pending) == 0 {
		return
	}
	b.blocks = append(b.blocks, Block{Text: b.ps.norm(joinLines(b.pending))})
	b.pending = nil
}

var enumeratorRE = regexp.MustCompile(`^([一二三四五六七八九十]+是|首先|其次|再次|最后|此外|同时)`)
var clauseRE = regexp.MustCompile(`[,，;；]`)

// isSubhead decides whether a line without closing punctuation is a
// subhead or the first part of a paragraph broken by a print column.
func (b *storyBuilder) isSubhead(i int, text string) bool {
	ps := b.ps
	n := runeLen(text)
	if n > 30 {
		return false
	}
	if i+1 >= len(ps.lines) {
		return false // nothing follows: a subhead heads something
	}
	next := ps.lines[i+1].text
	if _, _, ok := splitCredit(next); ok && runeLen(next) < 20 {
		return false
	}
	if isBoxTitle(next) || startsMidSentence(next) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(text)
	if last < 128 && (unicode.IsDigit(last) || unicode.IsLetter(last)) {
		return false // "建于1997" / "年的老小区"
	}
	if strings.ContainsRune(":：、", last) {
		return false
	}
	if hasInnerSpace(text) {
		return true
	}
	if enumeratorRE.MatchString(text) {
		return false
	}
	if clauses := clauseRE.Split(text, -1); len(clauses) > 1 {
		for _, c := range clauses {
			if k := runeLen(c); k < 2 || k > 10 {
				return false
			}
		}
		return runeLen(clauses[len(clauses)-1]) >= 3
	}
	return n <= 12
}

// startsMidSentence: the line continues a sentence ("理,真源居委…",
// "，…", "”…").
func startsMidSentence(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	if strings.ContainsRune(",，、;；:：。．!！?？)）”’」』》", r) {
		return true
	}
	if unicode.Is(unicode.Han, r) {
		r2, _ := utf8.DecodeRuneInString(s[n:])
		return strings.ContainsRune(",，、;；", r2)
	}
	return false
}

// hasInnerSpace reports whether s has a space between two parts that are
// not both Latin words ("从“痛点”到“焦点” 推动…").
func hasInnerSpace(s string) bool {
	_, _, ok := splitAtSpace(s)
	return ok
}

// splitAtSpace splits s at its first run of spaces that does not sit
// between two ASCII letters or digits.
func splitAtSpace(s string) (before, after string, ok bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isSpace(r) {
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if !isSpace(r2) {
				break
			}
			j += n2
		}
		if i > 0 && j < len(s) {
			a, _ := utf8.DecodeLastRuneInString(s[:i])
			c, _ := utf8.DecodeRuneInString(s[j:])
			if !isASCIIWord(a) || !isASCIIWord(c) {
				return s[:i], s[j:], true
			}
		}
		i = j
	}
	return s, "", false
}

func isASCIIWord(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// headingSpace separates the parts of a heading that print with a space
// between them ("从“痛点”到“焦点”　推动基层治理“一呼百应”"): a full-width
// space, which house-style normalisation leaves alone and which keeps its
// width next to full-width punctuation.
const headingSpace = "\u3000"

// heading normalises a heading, keeping its parts apart with a full-width
// space.
func (ps *parser) heading(s string) string {
	parts := strings.FieldsFunc(s, isSpace)
	// Latin words keep their ASCII space; other parts are joined by a
	// full-width one.
	var b strings.Builder
	for k, f := range parts {
		if k > 0 {
			a, _ := utf8.DecodeLastRuneInString(parts[k-1])
			c, _ := utf8.DecodeRuneInString(f)
			if isASCIIWord(a) && isASCIIWord(c) {
				b.WriteString(" ")
			} else {
				b.WriteString(headingSpace)
			}
		}
		b.WriteString(ps.norm(f))
	}
	return b.String()
}

// joinLines joins lines broken by print columns: no space between Chinese
// and anything, one space between two Latin words.
func joinLines(ls []string) string {
	var b strings.Builder
	for k, l := range ls {
		if k > 0 {
			a, _ := utf8.DecodeLastRuneInString(ls[k-1])
			c, _ := utf8.DecodeRuneInString(l)
			if a < 128 && unicode.IsLetter(a) && c < 128 && unicode.IsLetter(c) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// splitCredit finds a credit closing a line: "长征镇 供稿" on its own, or
// "…做好治理“大文章”。 长征镇 供稿" after the last sentence of a paragraph.
// It returns the text before the credit and the offices, one space between
// them.
func splitCredit(s string) (before, credit string, ok bool) {
	rest, found := strings.CutSuffix(s, "供稿")
	if !found {
		return "", "", false
	}
	rest = strings.TrimRightFunc(rest, isSpace)
	// The offices follow the last sentence end.
	cut := 0
	for i, r := range rest {
		if strings.ContainsRune(sentenceEnders+closers, r) {
			cut = i + utf8.RuneLen(r)
		}
	}
	offices := strings.TrimFunc(rest[cut:], isSpace)
	if offices == "" || runeLen(offices) > 40 || strings.ContainsAny(offices, ",，;；:：") {
		return "", "", false
	}
	if cut > 0 && !endsSentence(rest[:cut]) {
		return "", "", false
	}
	names := strings.FieldsFunc(offices, isSpace)
	return strings.TrimFunc(rest[:cut], isSpace), strings.Join(names, " "), true
}

// finish turns the collected lines into a Story, or hands them to the
// previous story when they make none.
func (b *storyBuilder) finish() {
	ps := b.ps
	b.flush()
	if len(b.heads) > 0 && len(b.blocks) == 0 && b.credit == "" {
		// Heading-like lines and nothing else: no story. Keep the text in
		// the nearest story.
		if prev := ps.lastStory(); prev != nil {
			for _, h := range b.heads {
				prev.Blocks = append(prev.Blocks, Block{Text: ps.norm(h.text)})
				ps.warn(h.no, "%q heads no story; kept as a paragraph of the story before (%s)", h.text, prev.Title)
			}
			return
		}
	}
	s := &Story{Line: b.line, Blocks: b.blocks}
	if b.credit != "" {
		for _, name := range strings.Split(b.credit, " ") {
			if s.Credit != "" {
				s.Credit += " "
			}
			s.Credit += ps.norm(name)
		}
	}
	ps.headlines(s, b.heads)
	if s.Title == "" {
		if prev := ps.lastStory(); prev != nil {
			ps.warn(b.line, "text without a headline after the story %q; kept in that story", prev.Title)
			prev.Blocks = append(prev.Blocks, s.Blocks...)
			if s.Credit != "" {
				if prev.Credit != "" {
					ps.warn(b.line, "second credit %q for the story %q dropped into its text", s.Credit, prev.Title)
					prev.Blocks = append(prev.Blocks, Block{Text: s.Credit})
				} else {
					prev.Credit = s.Credit
				}
			}
			return
		}
		if len(s.Blocks) == 0 && s.Credit == "" {
			return
		}
		s.Title = "无题"
		ps.warn(b.line, "story without a headline; titled 无题, please fix")
	}
	if len(s.Blocks) == 0 {
		ps.warn(b.line, "story %q has no text", s.Title)
	}
	if s.Credit == "" {
		ps.warn(b.line, "story %q has no credit line (… 供稿)", s.Title)
	}
	ps.page.order = append(ps.page.order, ref{i: len(ps.page.Stories)})
	ps.page.Stories = append(ps.page.Stories, s)
}

func (ps *parser) lastStory() *Story {
	if n := len(ps.page.Stories); n > 0 {
		return ps.page.Stories[n-1]
	}
	return nil
}

// headlines reads the headline block: one line "引题 主题", or up to three
// lines kicker, headline, subtitle (a line opening with a dash is a
// subtitle).
func (ps *parser) headlines(s *Story, heads []line) {
	isSub := func(t string) bool {
		return strings.HasPrefix(t, "—") || strings.HasPrefix(t, "--") || strings.HasPrefix(t, "－")
	}
	switch len(heads) {
	case 0:
	case 1:
		ps.kickerTitle(s, heads[0].text)
	case 2:
		if isSub(heads[1].text) || hasInnerSpace(heads[0].text) {
			ps.kickerTitle(s, heads[0].text)
			s.Subtitle = ps.heading(heads[1].text)
		} else {
			s.Kicker = ps.heading(heads[0].text)
			s.Title = ps.heading(heads[1].text)
		}
	default:
		s.Kicker = ps.heading(heads[0].text)
		s.Title = ps.heading(heads[1].text)
		s.Subtitle = ps.heading(heads[2].text)
	}
}

// kickerTitle splits "引题 主题": the part before the first space is the
// kicker.
func (ps *parser) kickerTitle(s *Story, t string) {
	if k, h, ok := splitAtSpace(t); ok && !strings.HasPrefix(h, "—") {
		s.Kicker = ps.heading(k)
		s.Title = ps.heading(h)
		return
	}
	s.Title = ps.heading(t)
}
