package static

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// job returns a Job of docs; fills counts the calls of its Docs.
func job(docs []search.Doc, fp string, full bool, fills *int) Job {
	return Job{Full: full, Changed: true, Fingerprint: fp, Docs: func() ([]search.Doc, search.Filler) {
		*fills++
		return docs, nil
	}}
}

// TestBuilderBackground: incremental jobs queued while a rebuild waits for
// the gate collapse into the latest; Settle returns once it is written;
// Close stops the worker, and later jobs are dropped.
func TestBuilderBackground(t *testing.T) {
	docs := searchtest.GoldenDocs(t)[:20]
	live := filepath.Join(t.TempDir(), "search")
	b := NewBackground(context.Background(), live, nil)
	defer b.Close()
	var gate sync.Mutex
	b.SetGate(func(fn func() error) error {
		gate.Lock()
		defer gate.Unlock()
		return fn()
	})
	fills := 0
	gate.Lock() // a publish runs
	for i, fp := range []string{"a", "b", "c"} {
		if err := b.Emit(context.Background(), live, job(docs[:10+i], fp, false, &fills)); err != nil {
			t.Fatal(err)
		}
	}
	gate.Unlock()
	if err := b.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fp, err := os.ReadFile(filepath.Join(live, fingerprintFile)); err != nil || string(fp) != "c" {
		t.Fatalf("fingerprint %q, %v: want the latest job's", fp, err)
	}
	if fills > 2 {
		t.Errorf("%d rebuilds for three jobs queued behind the gate, want at most 2", fills)
	}
	meta, err := os.ReadFile(filepath.Join(live, "meta.json"))
	if err != nil || !strings.Contains(string(meta), `"n":12`) {
		t.Errorf("meta.json %s, %v: want the latest job's 12 stories", meta, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	before := fills
	if err := b.Emit(context.Background(), live, job(docs, "d", false, &fills)); err != nil {
		t.Fatal(err)
	}
	b.Wait()
	if fills != before {
		t.Error("a job after Close was run")
	}
}

// TestBuilderFullStartsFromLive: a full build into a fresh folder links
// the live index instead of writing it, and writes only what changed.
func TestBuilderFullStartsFromLive(t *testing.T) {
	docs := searchtest.GoldenDocs(t)[:30]
	root := t.TempDir()
	live := filepath.Join(root, "public", "search")
	b := NewBuilder(live)
	fills := 0
	if err := b.Emit(context.Background(), live, job(docs, "one", true, &fills)); err != nil {
		t.Fatal(err)
	}
	// Unchanged: the new folder is the live index, linked.
	fresh := filepath.Join(root, "fresh", "search")
	if err := b.Emit(context.Background(), fresh, job(docs, "one", true, &fills)); err != nil {
		t.Fatal(err)
	}
	if fills != 1 {
		t.Errorf("an unchanged full build asked for docs (%d calls)", fills)
	}
	same := func(a, b string) bool {
		t.Helper()
		fa, err := os.Stat(a)
		if err != nil {
			t.Fatal(err)
		}
		fb, err := os.Stat(b)
		if err != nil {
			t.Fatal(err)
		}
		return os.SameFile(fa, fb)
	}
	if !same(filepath.Join(live, "meta.json"), filepath.Join(fresh, "meta.json")) {
		t.Error("meta.json was written, not linked")
	}
	// One story changed: a new segment beside the linked old one.
	docs[0].Body += "\n补记。"
	fresh2 := filepath.Join(root, "fresh2", "search")
	if err := b.Emit(context.Background(), fresh2, job(docs, "two", true, &fills)); err != nil {
		t.Fatal(err)
	}
	if !same(filepath.Join(live, shardName("0", 0)), filepath.Join(fresh2, shardName("0", 0))) {
		t.Error("an old shard was rewritten")
	}
	if fp, _ := os.ReadFile(filepath.Join(live, fingerprintFile)); string(fp) != "one" {
		t.Errorf("the live index's fingerprint became %q", fp)
	}
	if _, err := os.Stat(filepath.Join(fresh2, shardName("1", 0))); err != nil {
		t.Errorf("no new segment: %v", err)
	}
}
