package search_test

import (
	"context"
	"testing"

	"github.com/banmian/banmian/internal/search/searchtest"
)

func TestGolden(t *testing.T) {
	x := searchtest.MustOpenIndex(t, searchtest.GoldenDocs(t))
	for _, c := range searchtest.GoldenCases {
		t.Run(c.Name, func(t *testing.T) {
			r, err := x.Search(context.Background(), c.Q)
			if err != nil {
				t.Fatal(err)
			}
			c.Check(t, r)
		})
	}
}
