package search_test

import (
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// TestSegmentPostingsAgree holds the bleve fast path to its assumptions
// (bleve_fastpath.go, CheckSegmentPostings): segment postings read
// directly agree with scorch's term field reader, deleted documents left
// out, and give back the impacts EachStoryTerms computes although grams of
// one impact share one TokenFreq.
func TestSegmentPostingsAgree(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	x := searchtest.MustOpenIndex(t, docs)
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
	search.CheckSegmentPostings(t, x, docs)
}
