package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSyncIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	docs := goldenDocs(t)[:40]
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := x.Sync(ctx, docs)
	if err != nil || st.Added != 40 {
		t.Fatalf("first sync %+v, %v", st, err)
	}
	// Change one, remove one, add one.
	docs[0].Body += "\n新增一段：长征镇举行纳凉晚会。"
	removed := docs[1].ID
	docs = append(docs[:1], docs[2:]...)
	docs = append(docs, Doc{ID: "new-story", Title: "新故事", Body: "桃浦镇开展垃圾分类宣传。", Date: date("2025-08-01")})
	st, err = x.Sync(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	if st != (SyncStats{Added: 1, Updated: 1, Removed: 1, Unchanged: 38}) {
		t.Errorf("stats %+v", st)
	}
	r, err := x.Search(ctx, Query{Text: "纳凉晚会"})
	if err != nil || r.Total != 1 || r.Hits[0].ID != docs[0].ID {
		t.Errorf("updated story not found: %v %v", slugs(r), err)
	}
	r, _ = x.Search(ctx, Query{Text: "垃圾分类"})
	if r.Total != 1 {
		t.Errorf("new story: %v", slugs(r))
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen: nothing to do.
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	st, err = x.Sync(ctx, docs)
	if err != nil || st.Unchanged != 40 || st.Added+st.Updated+st.Removed != 0 {
		t.Errorf("resync %+v %v", st, err)
	}
	if x.Len() != 40 || !x.Complete() {
		t.Errorf("len %d complete %v", x.Len(), x.Complete())
	}
	r, _ = x.Search(ctx, Query{Text: removed})
	for _, s := range slugs(r) {
		if s == removed {
			t.Error("removed story still found")
		}
	}
	// Duplicate slugs are refused.
	if _, err := x.Sync(ctx, append(docs, docs[0])); err == nil {
		t.Error("duplicate slug accepted")
	}
}

// TestSyncSurvivesCrash: a Sync stopped between batches (as by a crash)
// leaves an index marked incomplete; reopening and syncing again indexes
// only what is missing.
func TestSyncSurvivesCrash(t *testing.T) {
	t.Parallel()
	docs := genCorpus(t, batchSize*2+10, 50)
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	// Cancel after the first batch is written.
	x.afterBatch = func() {
		n++
		if n == 1 {
			cancel()
		}
	}
	if _, err := x.Sync(ctx, docs); !errors.Is(err, context.Canceled) {
		t.Fatalf("sync: %v", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Batches are written two at a time: one or both of the first two
	// may be recorded.
	done := x.Len()
	if x.Complete() || done != batchSize && done != 2*batchSize {
		t.Errorf("after crash: complete %v, %d stories", x.Complete(), done)
	}
	st, err := x.Sync(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unchanged != done || st.Added+st.Updated != len(docs)-done {
		t.Errorf("resume %+v after %d", st, done)
	}
	if !x.Complete() || x.Len() != len(docs) {
		t.Errorf("complete %v, %d stories", x.Complete(), x.Len())
	}
	x.Close()
}

// TestOpenRebuildsCorruptIndex: an index whose files are damaged is
// removed and rebuilt by the next Sync.
func TestOpenRebuildsCorruptIndex(t *testing.T) {
	t.Parallel()
	docs := goldenDocs(t)[:20]
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	x.Close()
	for _, name := range []string{"index_meta.json", "store/root.bolt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !x.Rebuilt || x.Len() != 0 {
		t.Errorf("rebuilt %v, %d stories", x.Rebuilt, x.Len())
	}
	st, err := x.Sync(context.Background(), docs)
	if err != nil || st.Added != 20 {
		t.Errorf("%+v %v", st, err)
	}
	r, _ := x.Search(context.Background(), Query{Text: "多格合一"})
	if r.Total != 1 {
		t.Errorf("total %d", r.Total)
	}
}

func TestPutAndDelete(t *testing.T) {
	t.Parallel()
	x := mustOpenIndex(t, goldenDocs(t)[:5])
	ctx := context.Background()
	d := Doc{ID: "put", Title: "单篇更新", Body: "真如镇社区食堂开张。", Date: date("2025-09-01")}
	if err := x.Put(d); err != nil {
		t.Fatal(err)
	}
	if r, _ := x.Search(ctx, Query{Text: "社区食堂"}); r.Total != 1 {
		t.Errorf("after put: %d", r.Total)
	}
	if err := x.Delete("put"); err != nil {
		t.Fatal(err)
	}
	if r, _ := x.Search(ctx, Query{Text: "社区食堂"}); indexOf(slugs(r), "put") >= 0 || !r.Partial && r.Total > 0 {
		t.Errorf("after delete: %v", slugs(r))
	}
	if err := x.Delete("missing"); err != nil {
		t.Error(err)
	}
}

// TestUpdate: one batch adds, re-indexes and removes stories; unchanged
// ones and missing deletions are skipped.
func TestUpdate(t *testing.T) {
	t.Parallel()
	docs := goldenDocs(t)[:5]
	x := mustOpenIndex(t, docs)
	ctx := context.Background()
	before := x.Len()
	a := Doc{ID: "upd-a", Title: "社区食堂开张", Body: "真如镇社区食堂开张。", Date: date("2025-09-01")}
	b := Doc{ID: "upd-b", Title: "老年助餐点", Body: "桃浦镇老年助餐点启用。", Date: date("2025-09-02")}
	if err := x.Update([]Doc{a, b, docs[0]}, []string{docs[1].ID, "missing"}); err != nil {
		t.Fatal(err)
	}
	if got := x.Len(); got != before+1 {
		t.Errorf("Len %d, want %d", got, before+1)
	}
	for q, want := range map[string]string{"社区食堂": "upd-a", "助餐点": "upd-b"} {
		if r, _ := x.Search(ctx, Query{Text: q}); indexOf(slugs(r), want) < 0 {
			t.Errorf("%s: %v", q, slugs(r))
		}
	}
	if r, _ := x.Search(ctx, Query{Text: docs[1].Title}); indexOf(slugs(r), docs[1].ID) >= 0 {
		t.Errorf("deleted story still found: %v", slugs(r))
	}
	if err := x.Update(nil, nil); err != nil {
		t.Error(err)
	}
}

// TestOpenRefusesOtherFolders: a folder that is not an index is never
// deleted.
func TestOpenRefusesOtherFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("重要"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("opened a folder that is not an index")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("file deleted: %v", err)
	}
}

// TestConcurrentSearchAndUpdate: searches run while stories are updated.
func TestConcurrentSearchAndUpdate(t *testing.T) {
	t.Parallel()
	docs := goldenDocs(t)[:30]
	x := mustOpenIndex(t, docs)
	done := make(chan error, 3)
	for g := 0; g < 2; g++ {
		go func() {
			for i := 0; i < 30; i++ {
				if _, err := x.Search(context.Background(), Query{Text: []string{"长征镇", "镇", "12345热线"}[i%3]}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		for i := 0; i < 10; i++ {
			d := docs[i]
			d.Body += "\n补记。"
			if err := x.Put(d); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 3; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenLockedIndex: a second Open of an index in use fails with
// ErrLocked at once, and the index opens again once closed.
func TestOpenLockedIndex(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(context.Background(), goldenDocs(t)[:3]); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	y, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if y.Rebuilt {
		t.Error("the index was rebuilt")
	}
	y.Close()
}
