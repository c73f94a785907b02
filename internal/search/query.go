package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
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

// The server evaluates plans itself (scorePlan, as the static index does)
// on postings read from bleve's current snapshot: bleve stores, updates
// and persists the index; scoring, filters, facets and ordering need no
// per-hit document values.

// table describes the stories of one bleve snapshot by document number.
type table struct {
	snap  index.IndexReader // the snapshot described (identity only)
	n     int               // document numbers are below n
	live  int               // stories
	rank  []int32           // order newest first, then by slug
	day   []int32
	year  []int32
	alive []bool
	cred  []int32 // credit number+1, 0 for none
	creds []string
	slugs []string
}

// arenaPool holds postings arenas (*[]int32) for Index.search.
var arenaPool sync.Pool

// tableCache holds the table of the latest snapshot. Holding it keeps
// that snapshot's Go values (not its files) alive until the next one.
type tableCache struct {
	mu sync.Mutex
	t  *table
}

// get returns the table of snap, building it when snap is new.
func (c *tableCache) get(ctx context.Context, snap index.IndexReader) (*table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t != nil && c.t.snap == snap {
		return c.t, nil
	}
	t, err := buildTable(ctx, snap)
	if err != nil {
		return nil, err
	}
	c.t = t
	return t, nil
}

// eachPosting calls fn with the document number of every live document
// holding term in field.
func eachPosting(ctx context.Context, r index.IndexReader, field string, term []byte, fn func(uint64)) error {
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		return eachSegmentPosting(snap, field, term, fn)
	}
	tfr, err := r.TermFieldReader(ctx, term, field, false, false, false)
	if err != nil {
		return err
	}
	defer tfr.Close()
	var tfd index.TermFieldDoc
	for {
		d, err := tfr.Next(&tfd)
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		fn(d.ID.Value())
	}
}

// eachSegmentPosting is eachPosting on a scorch snapshot, reading each
// segment's postings (without deleted documents) directly rather than
// through scorch's term field reader: document numbers are the segment's
// plus the documents of the segments before it, as scorch numbers them.
func eachSegmentPosting(snap *scorch.IndexSnapshot, field string, term []byte, fn func(uint64)) error {
	var base uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		dict, err := seg.Dictionary(field)
		if err != nil {
			return err
		}
		pl, err := dict.PostingsList(term, ss.Deleted(), nil)
		if err != nil {
			return err
		}
		it := pl.Iterator(false, false, false, nil)
		if !eachBitmapPosting(it, ss.Deleted(), base, fn) {
			for {
				p, err := it.Next()
				if err != nil {
					return err
				}
				if p == nil {
					break
				}
				fn(base + p.Number())
			}
		}
		base += seg.Count()
	}
	return nil
}

// bitmap is what eachBitmapPosting needs of a roaring bitmap.
type bitmap interface {
	comparable
	Iterate(func(uint32) bool)
}

// eachBitmapPosting walks the postings of it straight from its bitmap
// when it offers one (zap does: the bitmap, without deleted documents,
// or a single document), much faster than stepping it; it reports false
// when it does not. The second argument only gives the bitmap type (that
// of SegmentSnapshot.Deleted), so that this package need not import
// roaring and the segment API (indirect dependencies) to name it.
func eachBitmapPosting[B bitmap](it any, _ B, base uint64, fn func(uint64)) bool {
	o, ok := it.(interface {
		ActualBitmap() B
		DocNum1Hit() (uint64, bool)
	})
	if !ok {
		return false
	}
	if n, ok := o.DocNum1Hit(); ok {
		fn(base + n)
		return true
	}
	var none B
	bm := o.ActualBitmap()
	if bm == none {
		// No bitmap: zap's empty iterator, or a single document
		// that was deleted.
		return true
	}
	bm.Iterate(func(x uint32) bool {
		fn(base + uint64(x))
		return true
	})
	return true
}

// fieldTerms returns the terms of field.
func fieldTerms(r index.IndexReader, field string) ([]string, error) {
	fd, err := r.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	var out []string
	for {
		e, err := fd.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return out, nil
		}
		out = append(out, e.Term)
	}
}

func buildTable(ctx context.Context, r index.IndexReader) (*table, error) {
	t := &table{snap: r}
	// Every story has one year: its postings list every live story.
	years, err := fieldTerms(r, yearField)
	if err != nil {
		return nil, err
	}
	type yd struct {
		doc  uint64
		year int32
	}
	var docs []yd
	for _, y := range years {
		v, _ := strconv.Atoi(y)
		err := eachPosting(ctx, r, yearField, []byte(y), func(d uint64) {
			docs = append(docs, yd{d, int32(v)})
			t.n = max(t.n, int(d)+1)
		})
		if err != nil {
			return nil, err
		}
	}
	t.live = len(docs)
	t.rank = make([]int32, t.n)
	t.day = make([]int32, t.n)
	t.year = make([]int32, t.n)
	t.alive = make([]bool, t.n)
	t.cred = make([]int32, t.n)
	t.slugs = make([]string, t.n)
	keys := make([]string, t.n) // orderKey
	dvr, err := r.DocValueReader([]string{orderField})
	if err != nil {
		return nil, err
	}
	id := index.NewIndexInternalID(nil, 0)
	for _, d := range docs {
		t.year[d.doc] = d.year
		t.alive[d.doc] = true
		id.SetValue(d.doc)
		err := dvr.VisitDocValues(id, func(_ string, term []byte) { keys[d.doc] = string(term) })
		if err != nil {
			return nil, err
		}
		k := keys[d.doc]
		i := strings.IndexByte(k, '|')
		dd, err := strconv.Atoi(k[:max(i, 0)])
		if i < 0 || err != nil {
			return nil, fmt.Errorf("reading search index: story %d has no order", d.doc)
		}
		t.day[d.doc] = int32(9999999 - dd)
		t.slugs[d.doc] = k[i+1:]
	}
	// Newest first, then by slug, as the static index numbers stories.
	sortDocs := make([]uint64, len(docs))
	for i, d := range docs {
		sortDocs[i] = d.doc
	}
	slices.SortFunc(sortDocs, func(a, b uint64) int {
		if t.day[a] != t.day[b] {
			return int(t.day[b] - t.day[a])
		}
		return strings.Compare(t.slugs[a], t.slugs[b])
	})
	for i, d := range sortDocs {
		t.rank[d] = int32(i)
	}
	credits, err := fieldTerms(r, creditField)
	if err != nil {
		return nil, err
	}
	t.creds = credits
	for k, c := range credits {
		err := eachPosting(ctx, r, creditField, []byte(c), func(d uint64) {
			if int(d) < t.n {
				t.cred[d] = int32(k + 1)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (x *Index) search(ctx context.Context, q Query, p *plan) (*Result, error) {
	ai, err := x.ix.Advanced()
	if err != nil {
		return nil, fmt.Errorf("searching for %q: %w", q.Text, err)
	}
	r, err := ai.Reader()
	if err != nil {
		return nil, fmt.Errorf("searching for %q: %w", q.Text, err)
	}
	defer r.Close()
	t, err := x.tables.get(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("searching for %q: %w", q.Text, err)
	}
	res, err := t.search(ctx, r, q, p)
	if err != nil {
		return nil, fmt.Errorf("searching for %q: %w", q.Text, err)
	}
	return res, nil
}

func (t *table) search(ctx context.Context, r index.IndexReader, q Query, p *plan) (*Result, error) {
	res := &Result{Query: q.Text, Partial: p.Partial, Offset: max(q.Offset, 0), Limit: q.limit(), Hits: []Hit{}}
	// Postings of all terms go into one arena, kept for later queries:
	// a slice handed out stays valid when the arena grows.
	ap, _ := arenaPool.Get().(*[]int32)
	if ap == nil {
		ap = new([]int32)
	}
	arena := (*ap)[:0]
	defer func() {
		*ap = arena[:0]
		arenaPool.Put(ap)
	}()
	post := func(field, gram string) ([]int32, error) {
		start := len(arena)
		err := eachPosting(ctx, r, field, []byte(gram), func(d uint64) {
			if int(d) < t.n {
				arena = append(arena, int32(d))
			}
		})
		return arena[start:len(arena):len(arena)], err
	}
	ok, err := filterMask(q, t.n, t.alive, post, func(i int) int { return int(t.day[i]) })
	if err != nil {
		return nil, err
	}
	score, err := scorePlan(p, t.n, t.live, ok, post)
	if err != nil {
		return nil, err
	}
	fs := docFacets{credit: t.cred, credits: t.creds, year: t.year}
	for _, i := range collect(q, p, res, ok, score, t.rank, fs) {
		d, err := storedDoc(r, t.slugs[i])
		if err != nil {
			return nil, err
		}
		res.Hits = append(res.Hits, newHit(d, score[i], p))
	}
	return res, nil
}

// storedDoc reads the normalised Doc stored with a story.
func storedDoc(r index.IndexReader, slug string) (Doc, error) {
	var d Doc
	doc, err := r.Document(slug)
	if err != nil {
		return d, err
	}
	var raw []byte
	if doc != nil {
		doc.VisitFields(func(f index.Field) {
			if f.Name() == rawField {
				raw = f.Value()
			}
		})
	}
	if raw == nil {
		return d, fmt.Errorf("story %s is not stored", slug)
	}
	if d, err = decodeDoc(raw); err != nil {
		return d, fmt.Errorf("reading story %s from the search index: %w", slug, err)
	}
	return d, nil
}
