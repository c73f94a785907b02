package search

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
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
	t.Parallel()
	docs := goldenDocs(t)
	dir, _ := mustWriteStatic(t, docs)
	before := snapshotFiles(t, dir)

	next := append([]Doc(nil), docs...)
	next[0].Body += "\n长征镇居民又反映了新的情况。"
	removed := next[5].ID
	next = append(next[:5], next[6:]...)
	next = append(next, Doc{ID: "new-story", Title: "桃浦镇新开一家菜市场", Body: "菜市场开张，居民买菜更方便。", Credit: "桃浦镇", Date: date("2025-08-01")})
	rebuilt, err := UpdateStatic(dir, next, StaticOptions{Title: "多维世界"})
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

	s, err := OpenStatic(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	x := mustOpenIndex(t, next)
	qs := []Query{{Text: "长征镇"}, {Text: "菜市场"}, {Text: "新的情况"}, {Text: "社区", Limit: 100}, {Text: "镇", Sort: SortNewest}, {Credit: "桃浦镇", Limit: 100}, {Text: "xyz长征镇"}}
	for _, c := range goldenCases {
		qs = append(qs, c.q)
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
		if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
			t.Errorf("%+v: updated static index:\n%s\nserver:\n%s", q, g, w)
		}
		if g, w := jsonOf(t, js[i]), jsonOf(t, want); g != w {
			t.Errorf("%+v: search.js on the updated index:\n%s\nserver:\n%s", q, g, w)
		}
		for _, h := range got.Hits {
			if h.ID == removed {
				t.Errorf("%+v: removed story %s found", q, removed)
			}
		}
	}
	// Nothing changed: nothing written.
	if _, err := UpdateStatic(dir, next, StaticOptions{Title: "多维世界"}); err != nil {
		t.Fatal(err)
	}
	again := snapshotFiles(t, dir)
	for name, b := range again {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s rewritten without a change", name)
		}
	}
}
