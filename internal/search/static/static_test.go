package static

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
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

// TestSmallBucketsAgree: with many small buckets and long postings
// stored apart, the static index and search.js still return what the
// server returns, and a query fetches ranges of shards, not whole ones.
func TestSmallBucketsAgree(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	x := searchtest.MustOpenIndex(t, docs)
	dir := filepath.Join(t.TempDir(), "search")
	if err := Write(dir, docs, Options{bucketBytes: 64}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	sg := s.meta.Segments[0]
	if sg.Buckets < 16 {
		t.Fatalf("%d buckets, want many", sg.Buckets)
	}
	var qs []search.Query
	for _, c := range searchtest.GoldenCases {
		qs = append(qs, c.Q)
	}
	js := runNodeOrNil(t, dir, qs)
	for i, q := range qs {
		want, err := x.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		s.ResetFetched()
		got, err := s.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		w := searchtest.JSONOf(t, want)
		if g := searchtest.JSONOf(t, got); g != w {
			t.Errorf("query %+v: static:\n%s\nserver:\n%s", q, g, w)
		}
		if js != nil {
			if g := searchtest.JSONOf(t, js[i]); g != w {
				t.Errorf("query %+v: search.js:\n%s\nserver:\n%s", q, g, w)
			}
		}
		if _, sh := s.Fetched(); q.Text == "长征镇" {
			whole := 0
			for name, b := range s.files {
				if strings.HasPrefix(name, "s/") {
					whole += len(b)
				}
			}
			if sh == 0 || sh*2 > whole {
				t.Errorf("%q fetched %d bytes of postings, of shards of %d", q.Text, sh, whole)
			}
		}
	}
	long := false
	for name, b := range s.files {
		if strings.HasPrefix(name, "s/") && int(binary.LittleEndian.Uint32(b[4*sg.Buckets:])) < len(b) {
			long = true
		}
	}
	if !long {
		t.Error("no long postings were read")
	}
}

// TestDamagedShard: a damaged shard is an error, not a panic or a wrong
// result.
func TestDamagedShard(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	dir := filepath.Join(t.TempDir(), "search")
	if err := Write(dir, docs, Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	sg := s.meta.Segments[0]
	name := filepath.Join(dir, filepath.FromSlash(shardName(sg.ID, shardOf("长征", sg.Shards))))
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{b[:3], b[:len(b)/2], append(append([]byte{}, b[:4*(sg.Buckets+1)]...), bytes.Repeat([]byte{0xff}, len(b)-4*(sg.Buckets+1))...)} {
		if err := os.WriteFile(name, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Search(search.Query{Text: "长征"}); err == nil {
			t.Errorf("a shard of %d bytes cut or overwritten from %d: no error", len(bad), len(b))
		}
	}
}
