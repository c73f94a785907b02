package search

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// mustWriteStatic writes the static index of docs and opens it.
func mustWriteStatic(tb testing.TB, docs []Doc) (string, *StaticIndex) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "search")
	if err := WriteStatic(dir, docs, StaticOptions{Title: "多维世界"}); err != nil {
		tb.Fatal(err)
	}
	s, err := OpenStatic(os.DirFS(dir))
	if err != nil {
		tb.Fatal(err)
	}
	return dir, s
}

func jsonOf(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestStaticAgreesWithServer: the static index returns the same result
// (total, hits, scores, snippets, facets) as the server on the golden set.
func TestStaticAgreesWithServer(t *testing.T) {
	t.Parallel()
	docs := goldenDocs(t)
	x := mustOpenIndex(t, docs)
	_, s := mustWriteStatic(t, docs)
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			want, err := x.Search(context.Background(), c.q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Search(c.q)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
				t.Errorf("static:\n%s\nserver:\n%s", g, w)
			}
			c.check(t, got)
		})
	}
}
