package search

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Sort orders results.
type Sort string

const (
	// SortRelevance orders by score, then newest first, then slug.
	SortRelevance Sort = ""
	// SortNewest orders newest first, then by slug.
	SortNewest Sort = "newest"
)

// DefaultLimit is the page size when Query.Limit is zero; MaxLimit caps it.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// Query is one search.
type Query struct {
	// Text is what the reader typed. Runs of one character search the
	// per-character field; runs of two to four units require every bigram
	// and boost the exact phrase (title > kicker, subtitle > body); longer
	// runs need any bigram; "quoted" runs (straight or Chinese quotes)
	// must occur as written.
	Text   string
	Credit string    // exact credit (供稿单位), or empty
	Tag    string    // exact tag, or empty
	From   time.Time // first day included; zero for no bound
	To     time.Time // last day included; zero for no bound
	Sort   Sort
	Offset int
	Limit  int
	// IDsOnly leaves every Hit with its ID and Score only: Index.Search
	// then reads no stored story and highlights nothing, which is most of
	// its cost per hit. (The static index ignores it.)
	IDsOnly bool
}

func (q Query) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

// term is one leaf of a plan: gram in field, scored boost·idf².
type term struct {
	Field string
	Gram  string
	Boost float64
}

// clause needs all its terms (a conjunction); group needs at least one of
// its clauses (a disjunction, scored by the sum of the matching clauses
// times the fraction that matched, as bleve does).
type (
	clause []term
	group  []clause
)

// plan is a planned query: every Must group matches; Should groups add
// to the score (their sum times the fraction matched); Near groups add
// to the score of the stories they match, each on its own.
type plan struct {
	Must   []group
	Should []group
	// Near rewards query terms typed one after the other that a story
	// holds next to each other: per pair of adjacent runs, the phrase of
	// the last two units of the first and the first two of the second
	// (长征 垃圾分类 looks for 长征垃圾 and 征垃圾 in the phrase fields).
	Near []group
	// Needles are what to highlight, as unit sequences; Backup (the
	// bigrams of longer runs) is highlighted where no needle occurs.
	Needles, Backup [][]string
	// Terms are the query terms as the reader typed them, each with what
	// a story must hold to contain it: a result lacking one is partial.
	Terms []queryTerm
	// Pinyin are the query words that may be pinyin (one-unit runs):
	// each hit also highlights the Han characters they read as.
	Pinyin []string
}

// queryTerm is one term of a query: a run of units. A story contains it
// when every group of Need has a clause whose grams it holds all.
type queryTerm struct {
	Text string
	Need []group
}

func (p *plan) empty() bool { return len(p.Must) == 0 && len(p.Should) == 0 }

// queryRun is one run of query units, and whether it was quoted.
type queryRun struct {
	Units  []string
	Quoted bool
}

// parseQuery splits normalised query text into runs.
func parseQuery(text string) []queryRun {
	text = Normalize(text)
	var runs []queryRun
	add := func(s string, quoted bool) {
		us := units(s)
		for i := 0; i < len(us); {
			j := i
			var r queryRun
			r.Quoted = quoted
			for j < len(us) && us[j].Run == us[i].Run && (j == i || !scriptBreak(us[j-1].Text, us[j].Text)) {
				r.Units = append(r.Units, us[j].Text)
				j++
			}
			runs = append(runs, r)
			i = j
		}
	}
	for text != "" {
		i := strings.IndexAny(text, "\"“「『")
		if i < 0 {
			add(text, false)
			break
		}
		add(text[:i], false)
		open := text[i:]
		_, size := firstRune(open)
		closer := map[string]string{"\"": "\"", "“": "”", "「": "」", "『": "』"}[open[:size]]
		rest := open[size:]
		j := strings.Index(rest, closer)
		if j < 0 {
			add(rest, true)
			break
		}
		add(rest[:j], true)
		text = rest[j+len(closer):]
	}
	return runs
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

// nGrams returns the distinct n-grams of one run of units.
func nGrams(us []string, n int) []string {
	if n == 2 && len(us) == 1 {
		return []string{us[0]}
	}
	var out []string
	for i := 0; i+n <= len(us); i++ {
		out = append(out, strings.Join(us[i:i+n], ""))
	}
	return dedupe(out)
}

// scriptBreak reports whether a query run breaks between units a and b:
// between a word of letters and a Han character (xyz不存在词 is two
// terms), but not between digits and Han characters (12345热线 is one).
func scriptBreak(a, b string) bool {
	la, lb := letterWord(a), letterWord(b)
	ca, cb := !isWordUnit(a), !isWordUnit(b)
	return la && cb || ca && lb
}

// isWordUnit reports whether a unit is a word (not a Han character).
func isWordUnit(u string) bool {
	r, _ := utf8.DecodeRuneInString(u)
	return !isCJK(r)
}

// letterWord reports whether a unit is a word holding a letter.
func letterWord(u string) bool {
	if !isWordUnit(u) {
		return false
	}
	for _, r := range u {
		if !(r >= '0' && r <= '9') {
			return true
		}
	}
	return false
}

// anyField is a group matching gram in any text field.
func anyField(gram string) group {
	g := make(group, 0, len(textFields))
	for _, f := range textFields {
		g = append(g, clause{{f.Name, gram, f.Boost}})
	}
	return g
}

// phraseGroup is a group matching the run as written in any text field.
func phraseGroup(us []string) group {
	tri := nGrams(us, 3)
	g := make(group, 0, len(textFields))
	for _, f := range textFields {
		c := make(clause, len(tri))
		for i, t := range tri {
			c[i] = term{phraseField(f.Name), t, f.Boost * phraseBoost}
		}
		g = append(g, c)
	}
	return g
}

// unitGroup matches a one-unit run: the unit itself, or for a word of
// letters, a pinyin reading.
func unitGroup(u string) group {
	g := group{{{charsField, u, 1}}}
	if pinyinWord(u) {
		g = append(g, clause{{pinyinField, u, pinyinBoost}})
	}
	return g
}

// planQuery plans text strictly (every run must match) or, with relaxed,
// as the fallback (any gram of any run).
func planQuery(text string, relaxed bool) *plan {
	runs := parseQuery(text)
	p := &plan{}
	var any group
	for _, r := range runs {
		k := len(r.Units)
		p.Needles = append(p.Needles, r.Units)
		qt := queryTerm{Text: strings.Join(r.Units, "")}
		switch {
		case k == 1:
			qt.Need = []group{unitGroup(r.Units[0])}
			if pinyinWord(r.Units[0]) {
				p.Pinyin = append(p.Pinyin, r.Units[0])
			}
		case r.Quoted && k >= 3:
			qt.Need = []group{phraseGroup(r.Units)}
		case k <= 4:
			for _, g := range nGrams(r.Units, 2) {
				qt.Need = append(qt.Need, anyField(g))
			}
		default:
			// A long run (a question, a sentence) needs any bigram.
			var g group
			for _, b := range nGrams(r.Units, 2) {
				g = append(g, anyField(b)...)
			}
			qt.Need = []group{g}
		}
		p.Terms = append(p.Terms, qt)
		switch {
		case relaxed && k == 1:
			any = append(any, qt.Need[0]...)
		case relaxed:
			for _, b := range nGrams(r.Units, 2) {
				any = append(any, anyField(b)...)
			}
		default:
			p.Must = append(p.Must, qt.Need...)
		}
		if k >= 3 && !(r.Quoted && !relaxed) {
			p.Should = append(p.Should, phraseGroup(r.Units))
		}
	}
	if len(any) > 0 {
		p.Must = append(p.Must, any)
	}
	for k := 1; k < len(runs); k++ {
		a, b := runs[k-1].Units, runs[k].Units
		us := append(slices.Clone(a[max(0, len(a)-2):]), b[:min(2, len(b))]...)
		if len(us) >= 3 {
			p.Near = append(p.Near, phraseGroup(us))
		}
	}
	// Secondary needles: the bigrams of runs longer than two units, so
	// partial matches show what matched.
	for _, r := range runs {
		if len(r.Units) > 2 {
			for i := 0; i+2 <= len(r.Units); i++ {
				p.Backup = append(p.Backup, r.Units[i:i+2])
			}
		}
	}
	return p
}

// relaxable reports whether the fallback plan of text differs from the
// strict plan.
func relaxable(text string) bool {
	runs := parseQuery(text)
	if len(runs) > 1 {
		return true
	}
	return len(runs) == 1 && len(runs[0].Units) > 2
}
