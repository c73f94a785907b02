package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// Search runs q. When nothing matches every term of a query with several,
// it runs the relaxed plan (any term) and sets Result.Partial.
func (x *Index) Search(ctx context.Context, q Query) (*Result, error) {
	res, err := x.search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("searching for %q: %w", q.Text, err)
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

// arenaPool holds postings arenas (*arenas) for Index.search.
var arenaPool sync.Pool

// tableCache holds the table of the latest snapshot. Holding it keeps
// that snapshot's Go values (not its files) alive until the next one.
//
// A table is built outside the lock, once per snapshot however many
// searches ask for it at once: under a stream of writes every batch makes
// a new snapshot, and building under the lock made every search wait for
// every build (and, with searches on two snapshots, for builds in turn).
type tableCache struct {
	mu       sync.Mutex
	t        *table
	building map[index.IndexReader]*tableBuild
}

// tableBuild is a table being built; done is closed when t or err is set.
type tableBuild struct {
	done chan struct{}
	t    *table
	err  error
}

// get returns the table of snap, building it when snap is new. A table
// built is kept if snap is still the index's current snapshot (current),
// so that a search begun before a write does not replace the newer table.
func (c *tableCache) get(ctx context.Context, snap index.IndexReader, current func(index.IndexReader) bool) (*table, error) {
	c.mu.Lock()
	if c.t != nil && c.t.snap == snap {
		t := c.t
		c.mu.Unlock()
		return t, nil
	}
	if b := c.building[snap]; b != nil {
		c.mu.Unlock()
		select {
		case <-b.done:
			return b.t, b.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b := &tableBuild{done: make(chan struct{})}
	if c.building == nil {
		c.building = map[index.IndexReader]*tableBuild{}
	}
	c.building[snap] = b
	c.mu.Unlock()
	// Others wait for this build: one caller going away does not stop it.
	b.t, b.err = buildTable(context.WithoutCancel(ctx), snap)
	keep := b.err == nil && current(snap)
	c.mu.Lock()
	delete(c.building, snap)
	if keep {
		c.t = b.t
	}
	c.mu.Unlock()
	close(b.done)
	return b.t, b.err
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
		err := eachPosting(ctx, r, yearField, []byte(y), false, func(d, _ uint64) {
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
		err := eachPosting(ctx, r, creditField, []byte(c), false, func(d, _ uint64) {
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

func (x *Index) search(ctx context.Context, q Query) (*Result, error) {
	ai, err := x.ix.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := ai.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	t, err := x.tables.get(ctx, r, x.current)
	if err != nil {
		return nil, err
	}
	// Postings of all terms go into arenas, kept for later queries: a
	// slice handed out stays valid when an arena grows.
	ap, _ := arenaPool.Get().(*arenas)
	if ap == nil {
		ap = new(arenas)
	}
	ids, imps := ap.ids[:0], ap.imps[:0]
	defer func() {
		ap.ids, ap.imps = ids[:0], imps[:0]
		arenaPool.Put(ap)
	}()
	c := &Collection{
		N: t.n, Live: t.live, Alive: t.alive,
		Day:  func(i int) int { return int(t.day[i]) },
		Year: t.year, Credit: t.cred, Credits: t.creds, Rank: t.rank,
		Postings: func(field, gram string) ([]int32, []uint8, error) {
			start := len(ids)
			freq := field != creditField && field != tagField
			err := eachPosting(ctx, r, field, []byte(gram), freq, func(d, f uint64) {
				if int(d) < t.n {
					ids = append(ids, int32(d))
					imps = append(imps, uint8(min(f, 255)))
				}
			})
			return ids[start:len(ids):len(ids)], imps[start:len(imps):len(imps)], err
		},
		Doc: func(i int) (Doc, error) { return storedDoc(r, t.slugs[i]) },
		ID:  func(i int) string { return t.slugs[i] },
	}
	return c.Search(q)
}

// current reports whether r is the index's current snapshot.
func (x *Index) current(r index.IndexReader) bool {
	ai, err := x.ix.Advanced()
	if err != nil {
		return false
	}
	now, err := ai.Reader()
	if err != nil {
		return false
	}
	defer now.Close()
	return now == r
}

// arenas hold the postings of one query.
type arenas struct {
	ids  []int32
	imps []uint8
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
