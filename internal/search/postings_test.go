package search

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// TestSegmentPostingsAgree: reading segment postings directly gives the
// documents scorch's term field reader gives, deleted ones left out.
func TestSegmentPostingsAgree(t *testing.T) {
	t.Parallel()
	docs := goldenDocs(t)
	x := mustOpenIndex(t, docs)
	// Re-index some stories and delete others: older segments then hold
	// deleted documents.
	for i := 0; i < 40; i += 3 {
		docs[i].Body += "\n社区补记。"
		if err := x.Put(docs[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < 40; i += 7 {
		if err := x.Delete(docs[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	ai, err := x.ix.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || len(snap.Segments()) < 2 {
		t.Fatalf("want a scorch snapshot of several segments, got %T", r)
	}
	deleted := false
	for _, ss := range snap.Segments() {
		deleted = deleted || ss.Deleted() != nil && !ss.Deleted().IsEmpty()
	}
	if !deleted {
		t.Fatal("no segment holds deleted documents")
	}
	ctx := context.Background()
	// Impacts as gramTerms computes them, by slug: what the static index
	// stores, and what bleve must give back as frequencies even though
	// every gram of an impact shares one TokenFreq (bleve_fastpath.go).
	want := map[string]map[string]uint8{}
	for _, d := range docs {
		d = d.normalized()
		for field, post := range gramTerms(d) {
			for _, p := range post {
				k := field + "\x00" + p.Gram
				if want[k] == nil {
					want[k] = map[string]uint8{}
				}
				want[k][d.ID] = p.Impact
			}
		}
	}
	slugOf := map[uint64]string{}
	t2, err := buildTable(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range t2.slugs {
		if t2.alive[i] {
			slugOf[uint64(i)] = s
		}
	}
	type hit struct{ doc, freq uint64 }
	for _, c := range []struct{ field, term string }{
		{"body", "社区"}, {"body", "补记"}, {"chars", "镇"}, {"title", "多格"}, {"body3", "长征镇"},
		{"credit", "佘山镇"}, {"year", "2015"}, {"body", "没有这个"}, {"tag", "民生"}, {"byline", "长征"},
		{"py", "changzheng"}, {"py", "czz"}, {"chars", "的"},
	} {
		freq := c.field != "credit" && c.field != "year" && c.field != "tag"
		var direct, reader []hit
		if err := eachSegmentPosting(snap, c.field, []byte(c.term), freq, func(d, f uint64) { direct = append(direct, hit{d, f}) }); err != nil {
			t.Fatal(err)
		}
		tfr, err := r.TermFieldReader(ctx, []byte(c.term), c.field, freq, false, false)
		if err != nil {
			t.Fatal(err)
		}
		var tfd index.TermFieldDoc
		for {
			d, err := tfr.Next(&tfd)
			if err != nil {
				t.Fatal(err)
			}
			if d == nil {
				break
			}
			f := uint64(1)
			if freq {
				f = d.Freq
			}
			reader = append(reader, hit{d.ID.Value(), f})
		}
		tfr.Close()
		slices.SortFunc(direct, func(a, b hit) int { return int(a.doc) - int(b.doc) })
		if len(reader) == 0 && c.term != "没有这个" {
			t.Errorf("%s:%s: no documents", c.field, c.term)
		}
		if !slices.Equal(direct, reader) {
			t.Errorf("%s:%s: direct %v, term reader %v", c.field, c.term, direct, reader)
		}
		if !freq {
			continue
		}
		for _, h := range direct {
			slug := slugOf[h.doc]
			w, ok := want[c.field+"\x00"+c.term][slug]
			if slug == "" || !ok {
				t.Errorf("%s:%s: story %d (%q) should not hold it", c.field, c.term, h.doc, slug)
				continue
			}
			if uint64(w) != h.freq {
				t.Errorf("%s:%s: story %s has frequency %d, impact %d", c.field, c.term, slug, h.freq, w)
			}
		}
	}
}
