package search

import "slices"

// What another index format (the static index, internal/search/static)
// needs of the engine to return what Index.Search returns: the terms of a
// story with their impacts (EachStoryTerms, stored by field number), and the
// evaluation of a query over stories it numbers itself (Collection).
// Analysis, planning and scoring stay here, written once.

// PostingsFunc returns the ascending numbers of the live stories holding
// gram in field, and the impact of each.
type PostingsFunc func(field, gram string) ([]int32, []uint8, error)

// FieldNumber returns the number of an indexed field, or -1 when field is
// none. Fields are numbered in a fixed order, which the static index
// stores: it changes only with Version.
func FieldNumber(field string) int {
	for i, f := range indexedFields {
		if f == field {
			return i
		}
	}
	return -1
}

// EachStoryTerms calls fn with the number (FieldNumber) of each indexed
// field of a normalised Doc (Doc.Normalized) that has terms, and the
// field's distinct grams with their impacts, in no particular order:
// what a Collection's Postings must give back for that field. The year
// field is left out: a Collection gives each story's year itself
// (Collection.Year). fn must not keep the slice, which is only valid
// during the call; the grams, substrings of the story's texts, may be
// kept.
func EachStoryTerms(d Doc, fn func(field int, post []Posting)) {
	eachGramTerms(d, func(field string, post []Posting) {
		if field != yearField {
			fn(FieldNumber(field), post)
		}
	})
}

// Collection is a set of stories numbered 0 to N−1, as Search evaluates a
// query over them: the server index describes a bleve snapshot this way
// and the static index its files, so that both return the same stories
// in the same order, with the same scores, snippets and facets.
type Collection struct {
	N     int    // story numbers are below N
	Live  int    // stories not removed: the total of document frequencies
	Alive []bool // per story number, whether it is live; nil for all
	// Day returns the day (Day) of story i.
	Day func(i int) int
	// Year, Credit and Credits give the facets: the year of each story,
	// its credit's number+1 in Credits (0 for none).
	Year    []int32
	Credit  []int32
	Credits []string
	// Rank orders stories when scores tie: per story number, its place
	// newest first, then by ID. Nil means story numbers are ranks.
	Rank []int32
	// Postings reads the postings of a field's gram (EachStoryTerms).
	Postings PostingsFunc
	// Doc returns the normalised Doc of story i, for the hits shown.
	Doc func(i int) (Doc, error)
	// Readings, when set, returns the pinyin readings of story i
	// (PinyinReadings of its Doc), to highlight pinyin matches; nil
	// computes them from the Doc.
	Readings func(i int) (map[string][]string, error)
	// ID, when set, returns the ID of story i without reading its Doc:
	// a query with IDsOnly then reads no stored story.
	ID func(i int) string
}

// Search runs q over c. When nothing matches every term of a query with
// several, it runs the relaxed plan (any term), and Result.Partial and
// Missing say which terms the hits lack. Errors are those of c's Postings
// and Doc.
func (c *Collection) Search(q Query) (*Result, error) {
	res, err := c.search(q, planQuery(q.Text, false))
	if err != nil {
		return nil, err
	}
	if res.Total == 0 && relaxable(q.Text) {
		return c.search(q, planQuery(q.Text, true))
	}
	return res, nil
}

func (c *Collection) search(q Query, p *plan) (*Result, error) {
	res := &Result{Query: q.Text, Offset: max(q.Offset, 0), Limit: q.limit(), Hits: []Hit{}}
	ok, err := filterMask(q, c.N, c.Alive, c.Postings, c.Day)
	if err != nil {
		return nil, err
	}
	score, leaves, err := scorePlan(p, c.N, c.Live, ok, c.Postings)
	if err != nil {
		return nil, err
	}
	fs := docFacets{credit: c.Credit, credits: c.Credits, year: c.Year}
	for _, i := range collect(q, p, res, ok, score, c.Rank, fs) {
		if q.IDsOnly && c.ID != nil {
			res.Hits = append(res.Hits, Hit{ID: c.ID(i), Score: score[i]})
			continue
		}
		d, err := c.Doc(i)
		if err != nil {
			return nil, err
		}
		needles := p.Needles
		if len(p.Pinyin) > 0 {
			var rs map[string][]string
			if c.Readings != nil {
				if rs, err = c.Readings(i); err != nil {
					return nil, err
				}
			} else {
				rs = PinyinReadings(d)
			}
			needles = append(slices.Clip(needles), pinyinNeedles(d, p.Pinyin, rs)...)
		}
		res.Hits = append(res.Hits, newHit(d, score[i], needles, p.Backup, missingTerms(p, leaves, i)))
	}
	res.setPartial(p)
	return res, nil
}
