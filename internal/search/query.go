package search

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Search runs q. When nothing matches every term of a query with several,
// it runs the relaxed plan (any term) and sets Result.Partial.
func (x *Index) Search(ctx context.Context, q Query) (*Result, error) {
	res, err := x.search(ctx, q, planQuery(q.Text, false))
	if err != nil {
		return nil, err
	}
	if res.Total == 0 && relaxable(q.Text) {
		return x.search(ctx, q, planQuery(q.Text, true))
	}
	return res, nil
}

func termQuery(t term) query.Query {
	q := query.NewTermQuery(t.Gram)
	q.SetField(t.Field)
	q.SetBoost(t.Boost)
	return q
}

func groupQuery(g group) query.Query {
	ds := make([]query.Query, len(g))
	for i, c := range g {
		cs := make([]query.Query, len(c))
		for j, t := range c {
			cs[j] = termQuery(t)
		}
		ds[i] = query.NewConjunctionQuery(cs)
	}
	return query.NewDisjunctionQuery(ds)
}

// bleveQuery translates a plan and the filters of q.
func bleveQuery(q Query, p *plan) query.Query {
	bq := query.NewBooleanQuery(nil, nil, nil)
	for _, g := range p.Must {
		bq.AddMust(groupQuery(g))
	}
	for _, g := range p.Should {
		bq.AddShould(groupQuery(g))
	}
	var filters []query.Query
	if q.Credit != "" {
		t := query.NewTermQuery(Normalize(q.Credit))
		t.SetField(creditField)
		filters = append(filters, t)
	}
	if q.Tag != "" {
		t := query.NewTermQuery(Normalize(q.Tag))
		t.SetField(tagField)
		filters = append(filters, t)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		var lo, hi *float64
		yes := true
		if !q.From.IsZero() {
			v := float64(day(q.From))
			lo = &v
		}
		if !q.To.IsZero() {
			v := float64(day(q.To))
			hi = &v
		}
		r := query.NewNumericRangeInclusiveQuery(lo, hi, &yes, &yes)
		r.SetField(dayField)
		filters = append(filters, r)
	}
	switch {
	case len(filters) == 1:
		bq.AddFilter(filters[0])
	case len(filters) > 1:
		bq.AddFilter(query.NewConjunctionQuery(filters))
	}
	if p.empty() {
		if bq.Filter == nil {
			return query.NewMatchAllQuery()
		}
		bq.AddMust(query.NewMatchAllQuery())
	}
	return bq
}

func (x *Index) search(ctx context.Context, q Query, p *plan) (*Result, error) {
	limit := q.limit()
	offset := max(q.Offset, 0)
	req := bleve.NewSearchRequestOptions(bleveQuery(q, p), limit, offset, false)
	if q.Sort == SortNewest || p.empty() {
		req.SortBy([]string{orderField})
	} else {
		req.SortBy([]string{"-_score", orderField})
	}
	req.Fields = []string{rawField}
	req.AddFacet(creditField, bleve.NewFacetRequest(creditField, 50))
	req.AddFacet(yearField, bleve.NewFacetRequest(yearField, 100))
	sr, err := x.ix.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching for %q: %w", q.Text, err)
	}
	res := &Result{Query: q.Text, Total: int(sr.Total), Partial: p.Partial, Offset: offset, Limit: limit, Hits: []Hit{}}
	type scored struct {
		d     Doc
		score float64
	}
	page := make([]scored, 0, len(sr.Hits))
	for _, h := range sr.Hits {
		raw, _ := h.Fields[rawField].(string)
		var d Doc
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			return nil, fmt.Errorf("reading story %s from the search index: %w", h.ID, err)
		}
		page = append(page, scored{d, quantize(h.Score)})
	}
	// bleve may sum equal scores in a different order; settle ties on
	// the page exactly as the static index does.
	if q.Sort != SortNewest && !p.empty() {
		sort.SliceStable(page, func(i, j int) bool {
			return lessHit(page[i].score, page[i].d, page[j].score, page[j].d)
		})
	} else {
		for i := range page {
			page[i].score = 0
		}
	}
	for _, s := range page {
		res.Hits = append(res.Hits, newHit(s.d, s.score, p))
	}
	res.Facets.Credit = facetCounts(sr.Facets[creditField])
	res.Facets.Year = facetCounts(sr.Facets[yearField])
	return res, nil
}

// lessHit orders by score, then newest, then slug.
func lessHit(si float64, di Doc, sj float64, dj Doc) bool {
	if si != sj {
		return si > sj
	}
	if a, b := day(di.Date), day(dj.Date); a != b {
		return a > b
	}
	return di.Slug < dj.Slug
}

func facetCounts(fr *bsearch.FacetResult) []FacetCount {
	var out []FacetCount
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			out = append(out, FacetCount{Value: t.Term, Count: t.Count})
		}
	}
	return sortFacet(out)
}
