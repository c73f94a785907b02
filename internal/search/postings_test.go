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
	docs := goldenDocs(t)
	x := mustOpenIndex(t, docs)
	// Re-index some stories and delete others: older segments then hold
	// deleted documents.
	for i := 0; i < 40; i += 3 {
		d := docs[i]
		d.Body += "\n社区补记。"
		if err := x.Put(d); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < 40; i += 7 {
		if err := x.Delete(docs[i].Slug); err != nil {
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
	for _, c := range []struct{ field, term string }{
		{"body", "社区"}, {"body", "补记"}, {"chars", "镇"}, {"title", "多格"}, {"body3", "长征镇"},
		{"credit", "佘山镇"}, {"year", "2015"}, {"body", "没有这个"}, {"tag", "民生"},
	} {
		var direct, reader []uint64
		if err := eachSegmentPosting(snap, c.field, []byte(c.term), func(d uint64) { direct = append(direct, d) }); err != nil {
			t.Fatal(err)
		}
		tfr, err := r.TermFieldReader(ctx, []byte(c.term), c.field, false, false, false)
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
			reader = append(reader, d.ID.Value())
		}
		tfr.Close()
		slices.Sort(direct)
		if len(reader) == 0 && c.term != "没有这个" {
			t.Errorf("%s:%s: no documents", c.field, c.term)
		}
		if !slices.Equal(direct, reader) {
			t.Errorf("%s:%s: direct %v, term reader %v", c.field, c.term, direct, reader)
		}
	}
}
