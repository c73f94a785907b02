package search

import (
	"html"
	"html/template"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// Result is one page of results.
type Result struct {
	Query string `json:"query"`
	Total int    `json:"total"`
	// Partial is set exactly when a hit shown lacks a query term;
	// Missing names those terms, in query order.
	Partial bool     `json:"partial"`
	Missing []string `json:"missing,omitempty"`
	Offset  int      `json:"offset"`
	Limit   int      `json:"limit"`
	Hits    []Hit    `json:"hits"`
	Facets  Facets   `json:"facets"`
}

// Hit is one story found.
type Hit struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Kicker   string  `json:"kicker,omitempty"`
	Subtitle string  `json:"subtitle,omitempty"`
	Date     string  `json:"date"` // YYYY-MM-DD
	Credit   string  `json:"credit,omitempty"`
	Edition  string  `json:"edition,omitempty"`
	URL      string  `json:"url,omitempty"`
	Score    float64 `json:"score"`
	// TitleHTML is the escaped title with matches in <mark>; so are
	// KickerHTML, SubtitleHTML and CreditHTML (empty when the field is).
	TitleHTML    template.HTML `json:"titleHTML"`
	KickerHTML   template.HTML `json:"kickerHTML,omitempty"`
	SubtitleHTML template.HTML `json:"subtitleHTML,omitempty"`
	CreditHTML   template.HTML `json:"creditHTML,omitempty"`
	// Missing names the query terms this story lacks (partial results).
	Missing []string `json:"missing,omitempty"`
	// Snippet is 80 to 100 characters of the body around the best
	// matches, escaped, with matches in <mark>.
	Snippet template.HTML `json:"snippet"`
}

// Facets count all matching stories (not just one page) by credit and by
// year, most first, then by name.
type Facets struct {
	Credit []FacetCount `json:"credit"`
	Year   []FacetCount `json:"year"`
}

// FacetCount is one facet value and its count.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

func sortFacet(fc []FacetCount) []FacetCount {
	sort.Slice(fc, func(i, j int) bool {
		if fc[i].Count != fc[j].Count {
			return fc[i].Count > fc[j].Count
		}
		return fc[i].Value < fc[j].Value
	})
	if fc == nil {
		fc = []FacetCount{}
	}
	return fc
}

// quantize rounds a score to 9 significant digits, so that sums computed
// in a different order (bleve, Go, JavaScript) compare equal.
func quantize(s float64) float64 {
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return 0
	}
	e := math.Floor(math.Log10(math.Abs(s)))
	p := math.Pow(10, 8-e)
	return math.Round(s*p) / p
}

// SnippetRunes is the snippet length in characters.
const SnippetRunes = 90

// snippetLead is how many characters the snippet shows before the first
// match in it.
const snippetLead = 12

// span is a range of runes [Start, End).
type span struct{ Start, End int }

// findSpans returns the merged rune spans of text where a needle (a
// sequence of units within one run) occurs. The backup needles are used
// only when the needles found nothing.
func findSpans(us []unit, needles, backup [][]string) []span {
	out := matchNeedles(us, needles)
	if len(out) == 0 {
		out = matchNeedles(us, backup)
	}
	return mergeSpans(out)
}

// textSpans is findSpans(units(text), needles, backup), found by
// searching the folded text for each needle instead of cutting all of it
// into units: a needle's units joined occur in the text exactly where its
// units do, provided a word unit at either end is not part of a longer
// word.
func textSpans(text string, needles, backup [][]string) []span {
	f := foldString(text)
	out := matchText(f, needles)
	if len(out) == 0 {
		out = matchText(f, backup)
	}
	return mergeSpans(out)
}

// inWordUnit reports whether r belongs to a word unit (see units).
func inWordUnit(r rune) bool { return !isCJK(r) && isWord(r) }

func matchText(f string, needles [][]string) []span {
	var out []span
	for _, n := range needles {
		pat := strings.Join(n, "")
		if pat == "" {
			continue
		}
		r0, _ := utf8.DecodeRuneInString(n[0])
		r1, _ := utf8.DecodeRuneInString(n[len(n)-1])
		firstWord, lastWord := !isCJK(r0), !isCJK(r1)
		patRunes := utf8.RuneCountInString(pat)
		pos, runes := 0, 0 // a byte offset in f and its rune offset
		for from := 0; from < len(f); {
			i := strings.Index(f[from:], pat)
			if i < 0 {
				break
			}
			i += from
			j := i + len(pat)
			ok := true
			if firstWord && i > 0 {
				r, _ := utf8.DecodeLastRuneInString(f[:i])
				ok = !inWordUnit(r)
			}
			if ok && lastWord && j < len(f) {
				r, _ := utf8.DecodeRuneInString(f[j:])
				ok = !inWordUnit(r)
			}
			if ok {
				runes += utf8.RuneCountInString(f[pos:i])
				pos = i
				out = append(out, span{runes, runes + patRunes})
			}
			_, size := utf8.DecodeRuneInString(f[i:])
			from = i + size
		}
	}
	return out
}

func matchNeedles(us []unit, needles [][]string) []span {
	var out []span
	for _, n := range needles {
		for i := 0; i+len(n) <= len(us) && len(n) > 0; i++ {
			ok := true
			for k, t := range n {
				if us[i+k].Text != t || us[i+k].Run != us[i].Run {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, span{us[i].Start, us[i+len(n)-1].End})
			}
		}
	}
	return out
}

func mergeSpans(ss []span) []span {
	if len(ss) == 0 {
		return nil
	}
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].Start != ss[j].Start {
			return ss[i].Start < ss[j].Start
		}
		return ss[i].End < ss[j].End
	})
	out := []span{ss[0]}
	for _, s := range ss[1:] {
		last := &out[len(out)-1]
		if s.Start <= last.End {
			if s.End > last.End {
				last.End = s.End
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// markHTML escapes runes [from, to) of text with spans in <mark>.
func markHTML(rs []rune, from, to int, spans []span) string {
	var b strings.Builder
	pos := from
	for _, s := range spans {
		st, en := max(s.Start, from), min(s.End, to)
		if st >= en {
			continue
		}
		b.WriteString(html.EscapeString(string(rs[pos:st])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(string(rs[st:en])))
		b.WriteString("</mark>")
		pos = en
	}
	b.WriteString(html.EscapeString(string(rs[pos:to])))
	return b.String()
}

// highlightTitle returns the escaped title with needles marked.
func highlightTitle(title string, needles, backup [][]string) template.HTML {
	rs := []rune(title)
	return template.HTML(markHTML(rs, 0, len(rs), textSpans(title, needles, backup)))
}

// snippet returns about SnippetRunes characters of body (newlines shown as
// spaces) around the window holding the most matches, escaped, with
// matches in <mark> and … where text was cut.
func snippet(body string, needles, backup [][]string) template.HTML {
	rs := []rune(strings.ReplaceAll(body, "\n", " "))
	spans := textSpans(body, needles, backup)
	start := 0
	if len(spans) > 0 {
		best, bestN := 0, -1
		for i, s := range spans {
			if i >= 64 {
				break
			}
			ws := max(0, s.Start-snippetLead)
			n := 0
			for _, t := range spans[i:] {
				if t.End > ws+SnippetRunes {
					break
				}
				n++
			}
			if n > bestN {
				best, bestN = ws, n
			}
		}
		start = best
	}
	end := min(len(rs), start+SnippetRunes)
	if end-start < SnippetRunes {
		start = max(0, end-SnippetRunes)
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	b.WriteString(markHTML(rs, start, end, spans))
	if end < len(rs) {
		b.WriteString("…")
	}
	return template.HTML(b.String())
}

// newHit builds a hit from a normalised doc lacking the terms missing,
// with needles and backup marked (plan.Needles and plan.Backup).
func newHit(d Doc, score float64, needles, backup [][]string, missing []string) Hit {
	return Hit{
		ID:           d.ID,
		Title:        d.Title,
		Kicker:       d.Kicker,
		Subtitle:     d.Subtitle,
		Date:         d.Date.Format("2006-01-02"),
		Credit:       d.Credit,
		Edition:      d.Edition,
		URL:          d.URL,
		Score:        score,
		TitleHTML:    highlightTitle(d.Title, needles, backup),
		KickerHTML:   highlightTitle(d.Kicker, needles, backup),
		SubtitleHTML: highlightTitle(d.Subtitle, needles, backup),
		CreditHTML:   highlightTitle(d.Credit, needles, backup),
		Snippet:      snippet(d.Body, needles, backup),
		Missing:      missing,
	}
}

// setPartial sets Partial and Missing from the hits shown.
func (r *Result) setPartial(p *plan) {
	lack := map[string]bool{}
	for _, h := range r.Hits {
		for _, m := range h.Missing {
			lack[m] = true
		}
	}
	r.Partial = len(lack) > 0
	for _, t := range p.Terms {
		if lack[t.Text] {
			r.Missing = append(r.Missing, t.Text)
			delete(lack, t.Text)
		}
	}
}
