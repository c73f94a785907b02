package static

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// mustWriteStatic writes the static index of docs and opens it.
func mustWriteStatic(tb testing.TB, docs []search.Doc) (string, *Index) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "search")
	if err := Write(dir, docs, Options{Title: "多维世界"}); err != nil {
		tb.Fatal(err)
	}
	s, err := Open(os.DirFS(dir))
	if err != nil {
		tb.Fatal(err)
	}
	return dir, s
}

// TestStaticAgreesWithServer: the static index returns the same result
// (total, hits, scores, snippets, facets) as the server on the golden set.
func TestStaticAgreesWithServer(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	x := searchtest.MustOpenIndex(t, docs)
	_, s := mustWriteStatic(t, docs)
	for _, c := range searchtest.GoldenCases {
		t.Run(c.Name, func(t *testing.T) {
			want, err := x.Search(context.Background(), c.Q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Search(c.Q)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := searchtest.JSONOf(t, got), searchtest.JSONOf(t, want); g != w {
				t.Errorf("static:\n%s\nserver:\n%s", g, w)
			}
			c.Check(t, got)
		})
	}
}
