package search_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

func TestSyncIncremental(t *testing.T) {
	ctx := context.Background()
	docs := searchtest.GoldenDocs(t)[:40]
	dir := filepath.Join(t.TempDir(), "index")
	x, err := search.Open(dir)
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
	docs = append(docs, search.Doc{ID: "new-story", Title: "新故事", Body: "桃浦镇开展垃圾分类宣传。", Date: searchtest.Date("2025-08-01")})
	st, err = x.Sync(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	if st != (search.SyncStats{Added: 1, Updated: 1, Removed: 1, Unchanged: 38}) {
		t.Errorf("stats %+v", st)
	}
	r, err := x.Search(ctx, search.Query{Text: "纳凉晚会"})
	if err != nil || r.Total != 1 || r.Hits[0].ID != docs[0].ID {
		t.Errorf("updated story not found: %v %v", searchtest.Slugs(r), err)
	}
	r, _ = x.Search(ctx, search.Query{Text: "垃圾分类"})
	if r.Total != 1 {
		t.Errorf("new story: %v", searchtest.Slugs(r))
	}
	// Reopen: nothing to do.
	x = reopen(t, x, dir)
	defer x.Close()
	st, err = x.Sync(ctx, docs)
	if err != nil || st.Unchanged != 40 || st.Added+st.Updated+st.Removed != 0 {
		t.Errorf("resync %+v %v", st, err)
	}
	if x.Len() != 40 || !x.Complete() {
		t.Errorf("len %d complete %v", x.Len(), x.Complete())
	}
	r, _ = x.Search(ctx, search.Query{Text: removed})
	for _, s := range searchtest.Slugs(r) {
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
	docs := searchtest.GenCorpus(t, search.BatchSize*2+10, 50)
	dir := filepath.Join(t.TempDir(), "index")
	x, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	// Cancel after the first batch is written.
	search.SetAfterBatch(x, func() {
		n++
		if n == 1 {
			cancel()
		}
	})
	if _, err := x.Sync(ctx, docs); !errors.Is(err, context.Canceled) {
		t.Fatalf("sync: %v", err)
	}
	x = reopen(t, x, dir)
	// Batches are written two at a time: one or both of the first two
	// may be recorded.
	done := x.Len()
	if x.Complete() || done != search.BatchSize && done != 2*search.BatchSize {
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

// TestSyncLazyFillFails: a fill that fails part way (a story file gone
// unreadable) stops the sync with its error and keeps the batches
// written before it, in an index marked incomplete that the next sync
// completes without indexing them again.
func TestSyncLazyFillFails(t *testing.T) {
	full, stubs := lazyCorpus(t)
	broken := errors.New("稿件文件无法读取")
	calls := 0
	fill := func(ctx context.Context, docs []search.Doc, which []int) error {
		if calls++; calls == 3 {
			return broken
		}
		for _, i := range which {
			docs[i].Body = full[i].Body
		}
		return nil
	}
	dir := filepath.Join(t.TempDir(), "index")
	x, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.SyncLazy(context.Background(), stubs, fill); !errors.Is(err, broken) {
		t.Fatalf("sync with a failing fill: %v, want %v", err, broken)
	}
	x = reopen(t, x, dir)
	defer x.Close()
	// The two batches before the failed fill are written, at once: the
	// manifest bleve keeps last may list the other's stories as maybe
	// indexed, so one or both are recorded.
	done := x.Len()
	if x.Complete() || done != search.BatchSize && done != 2*search.BatchSize {
		t.Errorf("after the failed fill: complete %v, %d stories; want incomplete, %d or %d", x.Complete(), done, search.BatchSize, 2*search.BatchSize)
	}
	calls = -len(full) // no more failures
	st, err := x.SyncLazy(context.Background(), stubs, fill)
	if err != nil || !x.Complete() || x.Len() != len(full) || st.Unchanged != done || st.Added+st.Updated != len(full)-done {
		t.Errorf("resume after %d: %+v, %v; complete %v, %d stories", done, st, err, x.Complete(), x.Len())
	}
}

// TestSyncLazyFillsABatchAtATime: SyncLazy fills the docs it indexes a
// batch at a time, one fill at a time, and empties each body once its
// batch is written, so that a full sync never holds every story's text;
// the index answers as one synced from complete docs.
func TestSyncLazyFillsABatchAtATime(t *testing.T) {
	full, stubs := lazyCorpus(t)
	var calls, filled int
	fill := func(ctx context.Context, docs []search.Doc, which []int) error {
		calls++ // the race detector fails the test if fills overlap
		if len(which) > search.BatchSize {
			t.Errorf("fill of %d docs, more than a batch", len(which))
		}
		for _, i := range which {
			docs[i].Body = full[i].Body
		}
		filled += len(which)
		return nil
	}
	x := searchtest.MustOpenIndex(t, nil)
	st, err := x.SyncLazy(context.Background(), stubs, fill)
	if err != nil || st.Added != len(full) {
		t.Fatalf("sync: %+v, %v", st, err)
	}
	if want := (len(full) + search.BatchSize - 1) / search.BatchSize; calls != want || filled != len(full) {
		t.Errorf("%d fills of %d docs in all, want %d of %d", calls, filled, want, len(full))
	}
	for _, d := range stubs {
		if d.Body != "" {
			t.Fatalf("%s still holds its body after the sync", d.ID)
		}
	}
	ref := searchtest.MustOpenIndex(t, full)
	for _, q := range []string{"长征镇", "居民", "委员会"} {
		got, err := x.Search(context.Background(), search.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ref.Search(context.Background(), search.Query{Text: q})
		if want.Total == 0 {
			t.Errorf("%s: no hits to compare", q)
		}
		if g, w := searchtest.Slugs(got), searchtest.Slugs(want); got.Total != want.Total || !reflect.DeepEqual(g, w) {
			t.Errorf("%s: lazy %d %v, complete %d %v", q, got.Total, g, want.Total, w)
		}
	}
}

// TestOpenRebuildsCorruptIndex: an index whose files are damaged is
// removed and rebuilt by the next Sync.
func TestOpenRebuildsCorruptIndex(t *testing.T) {
	docs := searchtest.GoldenDocs(t)[:20]
	dir := filepath.Join(t.TempDir(), "index")
	x, err := search.Open(dir)
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
	x, err = search.Open(dir)
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
	r, _ := x.Search(context.Background(), search.Query{Text: "多格合一"})
	if r.Total != 1 {
		t.Errorf("total %d", r.Total)
	}
}

func TestPutAndDelete(t *testing.T) {
	x := searchtest.MustOpenIndex(t, searchtest.GoldenDocs(t)[:5])
	ctx := context.Background()
	d := search.Doc{ID: "put", Title: "单篇更新", Body: "真如镇社区食堂开张。", Date: searchtest.Date("2025-09-01")}
	if err := x.Put(d); err != nil {
		t.Fatal(err)
	}
	if r, _ := x.Search(ctx, search.Query{Text: "社区食堂"}); r.Total != 1 {
		t.Errorf("after put: %d", r.Total)
	}
	if err := x.Delete("put"); err != nil {
		t.Fatal(err)
	}
	if r, _ := x.Search(ctx, search.Query{Text: "社区食堂"}); searchtest.IndexOf(searchtest.Slugs(r), "put") >= 0 || !r.Partial && r.Total > 0 {
		t.Errorf("after delete: %v", searchtest.Slugs(r))
	}
	if err := x.Delete("missing"); err != nil {
		t.Error(err)
	}
}

// TestUpdate: one batch adds, re-indexes and removes stories; unchanged
// ones and missing deletions are skipped.
func TestUpdate(t *testing.T) {
	docs := searchtest.GoldenDocs(t)[:5]
	x := searchtest.MustOpenIndex(t, docs)
	ctx := context.Background()
	before := x.Len()
	a := search.Doc{ID: "upd-a", Title: "社区食堂开张", Body: "真如镇社区食堂开张。", Date: searchtest.Date("2025-09-01")}
	b := search.Doc{ID: "upd-b", Title: "老年助餐点", Body: "桃浦镇老年助餐点启用。", Date: searchtest.Date("2025-09-02")}
	if err := x.Update([]search.Doc{a, b, docs[0]}, []string{docs[1].ID, "missing"}); err != nil {
		t.Fatal(err)
	}
	if got := x.Len(); got != before+1 {
		t.Errorf("Len %d, want %d", got, before+1)
	}
	for q, want := range map[string]string{"社区食堂": "upd-a", "助餐点": "upd-b"} {
		if r, _ := x.Search(ctx, search.Query{Text: q}); searchtest.IndexOf(searchtest.Slugs(r), want) < 0 {
			t.Errorf("%s: %v", q, searchtest.Slugs(r))
		}
	}
	if r, _ := x.Search(ctx, search.Query{Text: docs[1].Title}); searchtest.IndexOf(searchtest.Slugs(r), docs[1].ID) >= 0 {
		t.Errorf("deleted story still found: %v", searchtest.Slugs(r))
	}
	if err := x.Update(nil, nil); err != nil {
		t.Error(err)
	}
}

// TestUpdatePrepared: a doc analysed with Prepare is written by
// UpdatePrepared and found; written again unchanged, it is skipped, as
// by Update.
func TestUpdatePrepared(t *testing.T) {
	docs := searchtest.GoldenDocs(t)[:5]
	x := searchtest.MustOpenIndex(t, docs)
	d := search.Doc{ID: "prep-a", Title: "社区食堂开张", Body: "真如镇社区食堂开张。", Date: searchtest.Date("2025-09-01"), Source: 7}
	p, err := search.Prepare(d)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID() != d.ID {
		t.Errorf("ID %q", p.ID())
	}
	if err := x.UpdatePrepared([]*search.Prepared{p}, []string{docs[1].ID}); err != nil {
		t.Fatal(err)
	}
	if r, _ := x.Search(t.Context(), search.Query{Text: "社区食堂"}); searchtest.IndexOf(searchtest.Slugs(r), d.ID) < 0 {
		t.Errorf("prepared doc not found: %v", searchtest.Slugs(r))
	}
	if r, _ := x.Search(t.Context(), search.Query{Text: docs[1].Title}); searchtest.IndexOf(searchtest.Slugs(r), docs[1].ID) >= 0 {
		t.Errorf("deleted story still found: %v", searchtest.Slugs(r))
	}
	if !x.Indexed(d.ID, d.Hash()) {
		t.Error("the prepared doc's hash is not recorded")
	}
	before := x.Len()
	if err := x.UpdatePrepared([]*search.Prepared{p}, nil); err != nil || x.Len() != before {
		t.Errorf("unchanged prepared doc: %v, Len %d, want %d", err, x.Len(), before)
	}
}

// TestLazyIndexKeepsWritesAcrossClose: a Lazy index's writes are seen
// by searches at once and are on disk after Close: reopened, the index
// finds them and knows their hashes.
func TestLazyIndexKeepsWritesAcrossClose(t *testing.T) {
	dir := t.TempDir() + "/index"
	x, err := search.OpenWith(dir, search.Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]search.Doc, 20)
	for i := range docs {
		docs[i] = search.Doc{ID: fmt.Sprintf("lazy-%02d", i), Title: "社区食堂开张", Body: fmt.Sprintf("真如镇第%d家社区食堂开张。", i), Date: searchtest.Date("2025-09-01")}
		if err := x.Update(docs[i:i+1], nil); err != nil {
			t.Fatal(err)
		}
		if r, _ := x.Search(t.Context(), search.Query{Text: "社区食堂", Limit: search.MaxLimit}); r.Total != i+1 {
			t.Fatalf("after write %d: %d found", i, r.Total)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	y, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if r, _ := y.Search(t.Context(), search.Query{Text: "社区食堂", Limit: search.MaxLimit}); r.Total != len(docs) {
		t.Errorf("reopened: %d found, want %d", r.Total, len(docs))
	}
	for _, d := range docs {
		if !y.Indexed(d.ID, d.Hash()) {
			t.Errorf("reopened: %s not in the manifest", d.ID)
		}
	}
}

// TestSmallWriteAfterLongText: writing one short story right after a
// story of 200 KB with many distinct words allocates little. zap used to
// allocate the long story's segment size 101 times over for it (75 MB).
func TestSmallWriteAfterLongText(t *testing.T) {
	x := searchtest.MustOpenIndex(t, nil)
	var b strings.Builder
	for i := 0; b.Len() < 200<<10; i++ {
		fmt.Fprintf(&b, "[r%d]: http://a.b/%d, 见说明.\n", i, i)
	}
	long := search.Doc{ID: "long", Title: "长稿", Body: b.String(), Date: searchtest.Date("2025-09-01")}
	if err := x.Update([]search.Doc{long}, nil); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := x.Update([]search.Doc{{ID: "short", Title: "短稿", Body: "长征镇居民积极参与垃圾分类。", Date: searchtest.Date("2025-09-01")}}, nil); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("writing one short story allocated %d MB", n>>20)
	}
}

// TestOpenRefusesOtherFolders: a folder that is not an index is never
// deleted.
func TestOpenRefusesOtherFolders(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("重要"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := search.Open(dir); err == nil {
		t.Fatal("opened a folder that is not an index")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("file deleted: %v", err)
	}
}

// TestConcurrentSearchAndUpdate: searches run while stories are updated.
func TestConcurrentSearchAndUpdate(t *testing.T) {
	docs := searchtest.GoldenDocs(t)[:30]
	x := searchtest.MustOpenIndex(t, docs)
	done := make(chan error, 3)
	for g := 0; g < 2; g++ {
		go func() {
			for i := 0; i < 30; i++ {
				if _, err := x.Search(context.Background(), search.Query{Text: []string{"长征镇", "镇", "12345热线"}[i%3]}); err != nil {
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
	dir := filepath.Join(t.TempDir(), "index")
	x, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(context.Background(), searchtest.GoldenDocs(t)[:3]); err != nil {
		t.Fatal(err)
	}
	if _, err := search.Open(dir); !errors.Is(err, search.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	y, err := search.Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if y.Rebuilt {
		t.Error("the index was rebuilt")
	}
	y.Close()
}

// TestSearchIDsOnly: with IDsOnly a search finds the same stories in the
// same order, with scores, and nothing else.
func TestSearchIDsOnly(t *testing.T) {
	x := searchtest.MustOpenIndex(t, searchtest.GoldenDocs(t)[:40])
	for _, text := range []string{"社区", "垃圾分类", "居民"} {
		full, err := x.Search(t.Context(), search.Query{Text: text, Limit: search.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		ids, err := x.Search(t.Context(), search.Query{Text: text, Limit: search.MaxLimit, IDsOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Hits) == 0 || len(ids.Hits) != len(full.Hits) || ids.Total != full.Total {
			t.Fatalf("%s: %d hits of %d with IDsOnly, %d of %d without", text, len(ids.Hits), ids.Total, len(full.Hits), full.Total)
		}
		for i, h := range ids.Hits {
			if want := full.Hits[i]; !reflect.DeepEqual(h, search.Hit{ID: want.ID, Score: want.Score}) {
				t.Errorf("%s, hit %d: %+v, want ID %s score %v only", text, i, h, want.ID, want.Score)
			}
		}
	}
}

// TestSnapshotTableKeepsTheNewest: a snapshot's table is built once and
// kept for later searches, but a search begun before a write, whose table
// is built after the newer one, does not replace it.
func TestSnapshotTableKeepsTheNewest(t *testing.T) {
	docs := searchtest.GoldenDocs(t)[:5]
	x := searchtest.MustOpenIndex(t, docs)
	old, err := search.Snapshot(x)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	d := docs[0]
	d.Body += "\n补记。"
	if err := x.Put(d); err != nil {
		t.Fatal(err)
	}
	// The merger may make new snapshots after the write; the check runs
	// on one that stays current throughout (merges of six stories end).
	for attempt := 0; ; attempt++ {
		if attempt == 100 {
			t.Fatal("the index never settled on a snapshot")
		}
		cur, err := search.Snapshot(x)
		if err != nil {
			t.Fatal(err)
		}
		if cur == old {
			t.Fatal("a write made no new snapshot")
		}
		newer, keptNewer, err1 := search.SnapshotTable(x, cur)
		older, keptAfterOld, err2 := search.SnapshotTable(x, old) // the search begun before the write
		again, _, err3 := search.SnapshotTable(x, cur)
		now, err := search.Snapshot(x)
		if err != nil {
			t.Fatal(err)
		}
		settled := now == cur
		now.Close()
		cur.Close()
		if !settled {
			continue // a merge made yet another snapshot meanwhile: again
		}
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		if keptNewer != newer {
			t.Error("the current snapshot's table is not kept")
		}
		if older == newer || keptAfterOld != newer {
			t.Errorf("after the older snapshot's table: kept the newer %v", keptAfterOld == newer)
		}
		if again != newer {
			t.Error("the current snapshot's table was built again")
		}
		return
	}
}

// A hostile offset (up to the largest int, where offset+limit overflows)
// gives an empty page with the true total, not a panic.
func TestHugeOffset(t *testing.T) {
	t.Parallel()
	x := searchtest.MustOpenIndex(t, searchtest.GoldenDocs(t))
	all, err := x.Search(context.Background(), search.Query{Text: "长征"})
	if err != nil || all.Total == 0 {
		t.Fatalf("长征: %v, %v", all, err)
	}
	for _, off := range []int{all.Total, 1 << 40, math.MaxInt - 5, math.MaxInt} {
		got, err := x.Search(context.Background(), search.Query{Text: "长征", Offset: off, Limit: search.MaxLimit})
		if err != nil || len(got.Hits) != 0 || got.Total != all.Total {
			t.Errorf("offset %d: %d hits, total %d, %v; want none of %d", off, len(got.Hits), got.Total, err, all.Total)
		}
	}
}

// reopen closes x and opens the index in dir again, as a new process
// would.
func reopen(t *testing.T, x *search.Index, dir string) *search.Index {
	t.Helper()
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	y, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// lazyCorpus returns a corpus of a little over three batches and its
// stubs, without bodies, for SyncLazy to fill.
func lazyCorpus(t *testing.T) (full, stubs []search.Doc) {
	full = searchtest.GenCorpus(t, search.BatchSize*3+10, 50)
	stubs = make([]search.Doc, len(full))
	for i, d := range full {
		d.Body, d.Source = "", uint64(i+1)
		stubs[i] = d
	}
	return full, stubs
}
