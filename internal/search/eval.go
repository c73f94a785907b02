package search

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// Query evaluation shared by the server index and the static index: both
// hand over the postings of each (field, gram) as ascending story numbers
// with their impacts and get the same scores, order and facets, by
// construction. A term scores boost·idf·impact (BM25, with the
// term-frequency part quantised into the impact at indexing time) with
// idf = ln(1 + (N − df + 0.5)/(df + 0.5)); a clause sums its terms when
// all match; a group sums its matching clauses times the fraction that
// matched. Summing follows the plan's order everywhere (Go and
// search.js), and scores are quantised before they are compared.

// leaf is the postings of one plan term.
type leaf struct {
	ids []int32
	imp []uint8
	idf float64
}

// has reports whether story i holds the leaf's gram.
func (l *leaf) has(i int32) bool {
	_, ok := slices.BinarySearch(l.ids, i)
	return ok
}

// slotTie is the weight of a slot's clauses other than its best: a gram
// in the title and the body counts more than in the title alone, but
// less than twice.
const slotTie = 0.3

// dfKey names what a term's document frequency counts: its gram in all
// text fields, in all phrase fields, or in its own field.
func dfKey(t term) string {
	kind := t.Field
	for _, f := range textFields {
		switch t.Field {
		case f.Name:
			kind = "text"
		case phraseField(f.Name):
			kind = "phrase"
		}
	}
	return kind + "\x00" + t.Gram
}

// idf is the weight of a term held by df of total stories: BM25's
// inverse document frequency, squared (once for the query, once for the
// story, as in tf-idf), which keeps the common words of a question from
// outweighing its rare ones.
func idf(total, df int) float64 {
	v := math.Log(1 + (float64(total)-float64(df)+0.5)/(float64(df)+0.5))
	return v * v
}

// scorePlan scores plan p over story numbers [0, n), of which total are
// live. On entry match holds the stories the filters let through; on
// return, the stories that match p. It returns the scores (quantised
// later, by collect) and the postings of every term.
func scorePlan(p *plan, n, total int, match []bool, post PostingsFunc) ([]float64, map[term]*leaf, error) {
	score := make([]float64, n)
	leaves := map[term]*leaf{}
	if p.empty() {
		return score, leaves, nil
	}
	for _, gs := range [][]group{p.Must, p.Should, p.Near} {
		for _, g := range gs {
			for _, c := range g {
				for _, t := range c {
					if leaves[t] != nil {
						continue
					}
					ids, imp, err := post(t.Field, t.Gram)
					if err != nil {
						return nil, nil, err
					}
					leaves[t] = &leaf{ids: ids, imp: imp}
				}
			}
		}
	}
	// A gram's document frequency counts the stories holding it in any
	// text field (or any phrase field): a word common in bodies is
	// common in titles too, however few titles hold it.
	union := map[string]map[int32]bool{}
	for t, l := range leaves {
		k := dfKey(t)
		if union[k] == nil {
			union[k] = map[int32]bool{}
		}
		for _, id := range l.ids {
			union[k][id] = true
		}
	}
	for t, l := range leaves {
		l.idf = idf(total, len(union[dfKey(t)]))
	}
	// Scratch space, reused by every clause and group, and by later
	// queries.
	sc := getScratch(n)
	defer scratchPool.Put(sc)
	acc, cnt, cs, cc := sc.acc, sc.cnt, sc.cs, sc.cc
	// groupScore adds to dst the score of g for every story matching it
	// and marks them in m. Consecutive clauses starting with the same gram
	// form a slot (one gram in every field): a slot scores its best
	// clause plus slotTie times the others, and the group the sum of its
	// slots.
	smax, ssum, sseen := sc.smax, sc.ssum, sc.sseen
	groupScore := func(g group, dst []float64, m []bool) {
		var touched []int32
		for i := 0; i < len(g); {
			j := i
			for j < len(g) && g[j][0].Gram == g[i][0].Gram {
				j++
			}
			var st []int32
			best := func(id int32, v float64) {
				ssum[id] += v
				if !sseen[id] {
					sseen[id] = true
					st = append(st, id)
					smax[id] = v
				} else if v > smax[id] {
					smax[id] = v
				}
			}
			for _, c := range g[i:j] {
				if len(c) == 1 {
					t := c[0]
					l := leaves[t]
					w := t.Boost * l.idf
					for k, id := range l.ids {
						best(id, w*float64(l.imp[k]))
					}
					continue
				}
				var tc []int32
				for _, t := range c {
					l := leaves[t]
					w := t.Boost * l.idf
					for k, id := range l.ids {
						if cc[id] == 0 {
							tc = append(tc, id)
						}
						cs[id] += w * float64(l.imp[k])
						cc[id]++
					}
				}
				for _, id := range tc {
					if int(cc[id]) == len(c) {
						best(id, cs[id])
					}
					cs[id], cc[id] = 0, 0
				}
			}
			for _, id := range st {
				if cnt[id] == 0 {
					touched = append(touched, id)
				}
				acc[id] += smax[id] + slotTie*(ssum[id]-smax[id])
				cnt[id]++
				smax[id], ssum[id], sseen[id] = 0, 0, false
			}
			i = j
		}
		for _, id := range touched {
			m[id] = true
			dst[id] += acc[id]
			acc[id], cnt[id] = 0, 0
		}
	}
	gm, gs := sc.gm, sc.gs
	for _, g := range p.Must {
		clear(gm)
		clear(gs)
		groupScore(g, gs, gm)
		for i := range match {
			match[i] = match[i] && gm[i]
			score[i] += gs[i]
		}
	}
	if len(p.Should) > 0 {
		sacc, scnt := sc.sacc, sc.scnt
		for _, g := range p.Should {
			clear(gm)
			clear(gs)
			groupScore(g, gs, gm)
			for i, ok := range gm {
				if ok {
					sacc[i] += gs[i]
					scnt[i]++
				}
			}
		}
		for i := range score {
			if scnt[i] > 0 {
				score[i] += sacc[i] * (float64(scnt[i]) / float64(len(p.Should)))
			}
		}
	}
	for _, g := range p.Near {
		clear(gm)
		clear(gs)
		groupScore(g, gs, gm)
		for i, ok := range gm {
			if ok {
				score[i] += gs[i]
			}
		}
	}
	return score, leaves, nil
}

// missingTerms returns the query terms of p that story i lacks: a term
// is there when each of its groups has a clause whose grams i all holds.
func missingTerms(p *plan, leaves map[term]*leaf, i int) []string {
	var out []string
	for _, qt := range p.Terms {
		ok := true
		for _, g := range qt.Need {
			found := false
			for _, c := range g {
				all := true
				for _, t := range c {
					if l := leaves[t]; l == nil || !l.has(int32(i)) {
						all = false
						break
					}
				}
				if all {
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if !ok {
			out = append(out, qt.Text)
		}
	}
	return out
}

// docFacets gives the facet values of stories by number.
type docFacets struct {
	credit  []int32 // credit number+1 per story; 0 for none
	credits []string
	year    []int32
}

// scratch holds scorePlan's working arrays. Between uses acc, cnt, cs
// and cc are all zero (scorePlan clears what it touches); the others are
// cleared by getScratch.
type scratch struct {
	acc, cs, gs, sacc, smax, ssum []float64
	cnt, cc, scnt                 []int32
	gm, sseen                     []bool
}

var scratchPool sync.Pool

// getScratch returns scratch arrays of length n.
func getScratch(n int) *scratch {
	sc, _ := scratchPool.Get().(*scratch)
	if sc == nil || cap(sc.acc) < n {
		return &scratch{
			acc: make([]float64, n), cs: make([]float64, n), gs: make([]float64, n), sacc: make([]float64, n), smax: make([]float64, n), ssum: make([]float64, n),
			cnt: make([]int32, n), cc: make([]int32, n), scnt: make([]int32, n), gm: make([]bool, n), sseen: make([]bool, n),
		}
	}
	sc.acc, sc.cs, sc.gs, sc.sacc, sc.smax, sc.ssum = sc.acc[:n], sc.cs[:n], sc.gs[:n], sc.sacc[:n], sc.smax[:n], sc.ssum[:n]
	sc.cnt, sc.cc, sc.scnt, sc.gm, sc.sseen = sc.cnt[:n], sc.cc[:n], sc.scnt[:n], sc.gm[:n], sc.sseen[:n]
	clear(sc.sacc)
	clear(sc.scnt)
	return sc
}

// collect fills res from the stories matching: Total, the facets, and the
// page of hits (story numbers and scores), ordered by score, then by
// rank (newest first, then slug). rank nil means story numbers are
// ranks.
func collect(q Query, p *plan, res *Result, match []bool, score []float64, rank []int32, fs docFacets) (page []int) {
	var hits []int
	credits := make([]int, len(fs.credits)+1)
	years := map[int32]int{}
	lastYear, lastCount := int32(-1), 0 // stories come in runs of a year
	for i, ok := range match {
		if !ok {
			continue
		}
		hits = append(hits, i)
		credits[fs.credit[i]]++
		if y := fs.year[i]; y != lastYear {
			if lastCount > 0 {
				years[lastYear] += lastCount
			}
			lastYear, lastCount = y, 0
		}
		lastCount++
	}
	if lastCount > 0 {
		years[lastYear] += lastCount
	}
	res.Total = len(hits)
	relevance := q.Sort != SortNewest && !p.empty()
	in, out := 0.0, 0.0 // quantize is slow and scores repeat: remember the last
	for _, i := range hits {
		switch {
		case !relevance:
			score[i] = 0
		case score[i] == in:
			score[i] = out
		default:
			in, out = score[i], quantize(score[i])
			score[i] = out
		}
	}
	rk := func(i int) int {
		if rank == nil {
			return i
		}
		return int(rank[i])
	}
	less := func(a, b int) bool {
		if score[a] != score[b] {
			return score[a] > score[b]
		}
		return rk(a) < rk(b)
	}
	// Only the first offset+limit hits need ordering (the sum taken
	// where it cannot overflow: an offset may be any int a caller sends).
	start := min(res.Offset, len(hits))
	want := start + min(res.Limit, len(hits)-start)
	if want < len(hits)/4 {
		top := topK(hits, want, less)
		hits = top
	} else {
		sort.Slice(hits, func(a, b int) bool { return less(hits[a], hits[b]) })
	}
	page = hits[start:want]
	for k, c := range credits[1:] {
		if c > 0 {
			res.Facets.Credit = append(res.Facets.Credit, FacetCount{fs.credits[k], c})
		}
	}
	for v, c := range years {
		res.Facets.Year = append(res.Facets.Year, FacetCount{strconv.Itoa(int(v)), c})
	}
	res.Facets.Credit = sortFacet(res.Facets.Credit)
	res.Facets.Year = sortFacet(res.Facets.Year)
	return page
}

// topK returns the k least of xs by less, in order, with a bounded heap.
func topK(xs []int, k int, less func(a, b int) bool) []int {
	if k <= 0 {
		return nil
	}
	h := make([]int, 0, k) // max-heap by less: h[0] is the worst kept
	down := func(i int) {
		for {
			l, r, m := 2*i+1, 2*i+2, i
			if l < len(h) && less(h[m], h[l]) {
				m = l
			}
			if r < len(h) && less(h[m], h[r]) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for _, x := range xs {
		switch {
		case len(h) < k:
			h = append(h, x)
			for i := len(h) - 1; i > 0; {
				parent := (i - 1) / 2
				if !less(h[parent], h[i]) {
					break
				}
				h[i], h[parent] = h[parent], h[i]
				i = parent
			}
		case less(x, h[0]):
			h[0] = x
			down(0)
		}
	}
	sort.Slice(h, func(a, b int) bool { return less(h[a], h[b]) })
	return h
}

// filterMask marks which of n stories pass q's credit, tag and date
// filters: alive (nil for all) narrowed by the postings of the credit and
// the tag, and by each story's day (dayOf). The server index and the
// static index filter alike through it.
func filterMask(q Query, n int, alive []bool, post PostingsFunc, dayOf func(i int) int) ([]bool, error) {
	ok := make([]bool, n)
	if alive != nil {
		copy(ok, alive)
	} else {
		for i := range ok {
			ok[i] = true
		}
	}
	keep := func(field, value string) error {
		ids, _, err := post(field, Normalize(value))
		if err != nil {
			return err
		}
		in := make([]bool, n)
		for _, id := range ids {
			in[id] = true
		}
		for i := range ok {
			ok[i] = ok[i] && in[i]
		}
		return nil
	}
	if q.Credit != "" {
		if err := keep(creditField, q.Credit); err != nil {
			return nil, err
		}
	}
	if q.Tag != "" {
		if err := keep(tagField, q.Tag); err != nil {
			return nil, err
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		from, to := Day(q.From), Day(q.To)
		for i := range ok {
			if d := dayOf(i); !q.From.IsZero() && d < from || !q.To.IsZero() && d > to {
				ok[i] = false
			}
		}
	}
	return ok, nil
}
