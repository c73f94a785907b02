package static

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// snapshotFiles reads every file under dir.
func snapshotFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpdateStatic: after one story changes, one is added and one is
// removed, UpdateStatic writes a small new segment and the index files
// (not the old shards), and the index answers as one written whole:
// the same as the server, in Go and in search.js.
func TestUpdateStatic(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	dir, _ := mustWriteStatic(t, docs)
	before := snapshotFiles(t, dir)

	next := append([]search.Doc(nil), docs...)
	next[0].Body += "\n长征镇居民又反映了新的情况。"
	removed := next[5].ID
	next = append(next[:5], next[6:]...)
	next = append(next, search.Doc{ID: "new-story", Title: "桃浦镇新开一家菜市场", Body: "菜市场开张，居民买菜更方便。", Credit: "桃浦镇", Date: searchtest.Date("2025-08-01")})
	rebuilt, err := Update(dir, next, Options{Title: "多维世界"})
	if err != nil {
		t.Fatal(err)
	}
	if rebuilt {
		t.Fatal("rebuilt the index whole for three stories")
	}
	after := snapshotFiles(t, dir)
	changed := 0
	for name, b := range after {
		if old, ok := before[name]; !ok || !bytes.Equal(old, b) {
			changed++
			t.Logf("written: %s (%d bytes)", name, len(b))
		}
	}
	// The new segment's shards (two at most for two stories) and its
	// chunk, docs-1.bin, meta.json and stories.txt.
	if changed > 6 {
		t.Errorf("%d files written, want at most 6", changed)
	}
	if os.Getenv("KEEP") != "" {
		exec.Command("cp", "-r", dir, os.Getenv("KEEP")).Run()
	}
	for name, b := range before {
		if a, ok := after[name]; ok && filepath.Dir(name) == "s" && !bytes.Equal(a, b) {
			t.Errorf("old shard %s rewritten", name)
		}
	}

	s, err := Open(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	x := searchtest.MustOpenIndex(t, next)
	qs := []search.Query{{Text: "长征镇"}, {Text: "菜市场"}, {Text: "新的情况"}, {Text: "社区", Limit: 100}, {Text: "镇", Sort: search.SortNewest}, {Credit: "桃浦镇", Limit: 100}, {Text: "xyz长征镇"}}
	for _, c := range searchtest.GoldenCases {
		qs = append(qs, c.Q)
	}
	js := runNode(t, dir, qs)
	for i, q := range qs {
		want, err := x.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := searchtest.JSONOf(t, got), searchtest.JSONOf(t, want); g != w {
			t.Errorf("%+v: updated static index:\n%s\nserver:\n%s", q, g, w)
		}
		if g, w := searchtest.JSONOf(t, js[i]), searchtest.JSONOf(t, want); g != w {
			t.Errorf("%+v: search.js on the updated index:\n%s\nserver:\n%s", q, g, w)
		}
		for _, h := range got.Hits {
			if h.ID == removed {
				t.Errorf("%+v: removed story %s found", q, removed)
			}
		}
	}
	// Nothing changed: nothing written.
	if _, err := Update(dir, next, Options{Title: "多维世界"}); err != nil {
		t.Fatal(err)
	}
	again := snapshotFiles(t, dir)
	for name, b := range again {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s rewritten without a change", name)
		}
	}
}

// TestLazyUpdatesFillOnlyWhatChanged: with docs whose Source is set and
// whose bodies are filled on demand, UpdateStaticLazy and SyncLazy fill
// the new and changed docs only (a build then renders one body for one
// changed story, not every story's), and the index answers as one built
// from complete docs.
func TestLazyUpdatesFillOnlyWhatChanged(t *testing.T) {
	full := searchtest.GoldenDocs(t)
	stubs := func(bodies []search.Doc, version map[string]uint64) []search.Doc {
		out := make([]search.Doc, len(bodies))
		for i, d := range bodies {
			d.Body = ""
			d.Source = 100 + version[d.ID]
			out[i] = d
		}
		return out
	}
	var filled []string
	filler := func(bodies []search.Doc) search.Filler {
		return func(ctx context.Context, docs []search.Doc, which []int) error {
			for _, i := range which {
				docs[i].Body = bodies[i].Body
				filled = append(filled, docs[i].ID)
			}
			return nil
		}
	}
	dir := filepath.Join(t.TempDir(), "search")
	x, err := search.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	version := map[string]uint64{}
	docs := stubs(full, version)
	if _, err := UpdateLazy(context.Background(), dir, docs, filler(full), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.SyncLazy(context.Background(), stubs(full, version), filler(full)); err != nil {
		t.Fatal(err)
	}
	if len(filled) != 2*len(full) {
		t.Fatalf("first build filled %d docs, want %d", len(filled), 2*len(full))
	}

	next := append([]search.Doc(nil), full...)
	next[3].Body += "\n长征镇居民又反映了新的情况。"
	version[next[3].ID]++
	filled = nil
	rebuilt, err := UpdateLazy(context.Background(), dir, stubs(next, version), filler(next), Options{})
	if err != nil || rebuilt {
		t.Fatalf("update: rebuilt=%v, %v", rebuilt, err)
	}
	st, err := x.SyncLazy(context.Background(), stubs(next, version), filler(next))
	if err != nil || st.Updated != 1 || st.Unchanged != len(full)-1 {
		t.Fatalf("sync: %+v, %v", st, err)
	}
	if len(filled) != 2 || filled[0] != next[3].ID || filled[1] != next[3].ID {
		t.Errorf("after one change, filled %v; want %s twice", filled, next[3].ID)
	}

	ix, err := Open(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"新的情况", "长征镇", "居民"} {
		got, err := ix.Search(search.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		want, err := x.Search(context.Background(), search.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := ids(got), ids(want); !slices.Equal(g, w) {
			t.Errorf("%s: static %v, server %v", q, g, w)
		}
		if q == "新的情况" && (got.Total != 1 || got.Hits[0].ID != next[3].ID) {
			t.Errorf("%s: %v", q, ids(got))
		}
	}
}

// ids lists the IDs of a result's hits.
func ids(r *search.Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

// TestUpdatesFoldSegments: a long run of one-story updates never writes
// the index whole (which renders every story again): past maxSegments the
// update segments fold into the new one, refilling only the stories that
// came in by updates (never the first segment's), and the folded
// segments' files go. The index still answers as the server does, in Go
// and in search.js.
func TestUpdatesFoldSegments(t *testing.T) {
	docs := searchtest.GenCorpus(t, 200, 300)
	var filled int
	fill := func(full []search.Doc) search.Filler {
		return func(ctx context.Context, out []search.Doc, which []int) error {
			for _, i := range which {
				out[i].Body = full[i].Body
			}
			filled += len(which)
			return nil
		}
	}
	stubs := func(full []search.Doc) []search.Doc {
		out := slices.Clone(full)
		for i := range out {
			out[i].Body = ""
			out[i].Source = full[i].Normalized().Hash() | 1
		}
		return out
	}
	dir := filepath.Join(t.TempDir(), "search")
	if _, err := UpdateLazy(context.Background(), dir, stubs(docs), fill(docs), Options{Title: "多维世界"}); err != nil {
		t.Fatal(err)
	}
	changed := map[int]bool{}
	for n := range 3 * maxSegments {
		k := (n * 7) % len(docs)
		changed[k] = true
		docs[k].Body += fmt.Sprintf("\n第%d次修改：长征镇居民又反映了新的情况。", n)
		filled = 0
		rebuilt, err := UpdateLazy(context.Background(), dir, stubs(docs), fill(docs), Options{Title: "多维世界"})
		if err != nil {
			t.Fatal(err)
		}
		if rebuilt || filled > len(changed) {
			t.Fatalf("update %d: rebuilt whole %v, filled %d docs", n, rebuilt, filled)
		}
		ix, err := Open(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(ix.meta.Segments) > maxSegments {
			t.Fatalf("update %d: %d segments", n, len(ix.meta.Segments))
		}
	}
	// Only the files meta.json names are left.
	ix, err := Open(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, sg := range ix.meta.Segments {
		named[sg.ID] = true
	}
	for name := range snapshotFiles(t, dir) {
		if dirName := filepath.Dir(name); dirName == "s" || dirName == "d" {
			if id, _, _ := strings.Cut(filepath.Base(name), "-"); !named[id] {
				t.Errorf("%s belongs to a folded segment", name)
			}
		}
	}
	x := searchtest.MustOpenIndex(t, docs)
	qs := []search.Query{{Text: "新的情况", Limit: 100}, {Text: "第5次修改"}, {Text: "长征镇"}, {Text: "居民", Sort: search.SortNewest, Limit: 50}}
	js := runNode(t, dir, qs)
	for i, q := range qs {
		want, err := x.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := searchtest.JSONOf(t, got), searchtest.JSONOf(t, want); g != w {
			t.Errorf("%+v: folded static index:\n%s\nserver:\n%s", q, g, w)
		}
		if g, w := searchtest.JSONOf(t, js[i]), searchtest.JSONOf(t, want); g != w {
			t.Errorf("%+v: search.js on the folded index:\n%s\nserver:\n%s", q, g, w)
		}
	}
}

// TestAppendDocHash: the hash UpdateLazy compares is the one stories.txt
// records, for docs with and without a Source.
func TestAppendDocHash(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	docs[1].Source = 12345
	docs[2].Title = "１２３４５ＡＢＣ長征鎮"
	for _, d := range docs {
		want := fmt.Sprintf("%x", d.Normalized().Hash())
		if got := string(appendDocHash(nil, d)); got != want {
			t.Errorf("%s: hash %s, want %s", d.ID, got, want)
		}
	}
}

// BenchmarkUpdateHashes is what UpdateLazy spends on 10,000 filled docs
// with a Source to find them unchanged.
func BenchmarkUpdateHashes(b *testing.B) {
	docs := searchtest.GenCorpus(b, 10000, 2000)
	for i := range docs {
		docs[i].Source = uint64(i)*7919 + 1
	}
	old := make([]string, len(docs))
	for i, d := range docs {
		old[i] = fmt.Sprintf("%x", d.Normalized().Hash())
	}
	b.ReportAllocs()
	b.ResetTimer()
	var buf [16]byte
	for i := 0; i < b.N; i++ {
		for k, d := range docs {
			if old[k] != string(appendDocHash(buf[:0], d)) {
				b.Fatal("changed")
			}
		}
	}
}

// TestWholeLazyWriteFillsInBatches: an index written whole from docs
// filled on demand fills a few bodies at a time, each once, and is byte
// for byte the index of the complete docs.
func TestWholeLazyWriteFillsInBatches(t *testing.T) {
	full := searchtest.GoldenDocs(t)
	docs := make([]search.Doc, len(full))
	for i, d := range full {
		d.Body = ""
		d.Source = uint64(100 + i)
		docs[i] = d
	}
	seen := map[string]int{}
	fill := func(ctx context.Context, docs []search.Doc, which []int) error {
		if len(which) > fillBatch {
			t.Errorf("filled %d bodies at once, want at most %d", len(which), fillBatch)
		}
		for _, i := range which {
			docs[i].Body = full[i].Body
			seen[docs[i].ID]++
		}
		return nil
	}
	lazy := filepath.Join(t.TempDir(), "search")
	if rebuilt, err := UpdateLazy(context.Background(), lazy, docs, fill, Options{}); err != nil || !rebuilt {
		t.Fatalf("rebuilt=%v, %v", rebuilt, err)
	}
	for _, d := range docs {
		if seen[d.ID] != 1 {
			t.Errorf("%s filled %d times", d.ID, seen[d.ID])
		}
		if d.Body != "" {
			t.Errorf("%s: the caller's doc was filled", d.ID)
		}
	}
	complete := make([]search.Doc, len(full))
	for i, d := range full {
		d.Source = docs[i].Source
		complete[i] = d
	}
	whole := filepath.Join(t.TempDir(), "search")
	if err := Write(whole, complete, Options{}); err != nil {
		t.Fatal(err)
	}
	a, b := snapshotFiles(t, lazy), snapshotFiles(t, whole)
	if len(a) != len(b) {
		t.Errorf("%d files, want %d", len(a), len(b))
	}
	for name, data := range b {
		if !bytes.Equal(a[name], data) {
			t.Errorf("%s differs from the index of complete docs", name)
		}
	}
}
