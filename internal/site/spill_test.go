package site

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSecondIndexReadsTextsBack: in a builder that builds once, the texts
// the first index took (the static one, while the site is written) are
// read back for the second (banmian build's full-text index) instead of
// rendered again, equal to a fresh render's, and the file that keeps them
// leaves no trace beside the output.
func TestSecondIndexReadsTextsBack(t *testing.T) {
	s := newTestSite(t, "basic.txtar")
	var first []string
	var snap *Snapshot
	b := New(Options{Source: os.DirFS(s.src), OutDir: s.out, Once: true, SpillTexts: true, Emitters: []Emitter{func(ctx context.Context, _ string, sn *Snapshot) error {
		snap = sn
		var err error
		first, err = sn.Texts(ctx)
		return err
	}}})
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := b.textRenders.Load(); n != 0 {
		t.Fatalf("the first index rendered %d texts; want them from the build's render", n)
	}
	second, err := snap.Texts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := b.textRenders.Load(); n != 0 {
		t.Errorf("the second index rendered %d texts again; want them read back", n)
	}
	if !slices.Equal(first, second) || len(second) == 0 {
		t.Errorf("texts read back differ from the first (%d and %d)", len(first), len(second))
	}
	fresh := New(Options{Source: os.DirFS(s.src), OutDir: filepath.Join(t.TempDir(), "out")})
	var want []string
	fresh.opt.Emitters = []Emitter{func(ctx context.Context, _ string, sn *Snapshot) error {
		want, err = sn.Texts(ctx)
		return err
	}}
	if _, err := fresh.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(second, want) {
		t.Error("texts read back differ from a fresh render's")
	}
	entries, err := os.ReadDir(filepath.Dir(s.out))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".banmian-texts") {
			t.Errorf("%s is left beside the output", e.Name())
		}
	}
}

// TestTextSpillTurnsOffOnError: a spill that cannot make its file, or
// whose file fails, keeps nothing, and the texts are rendered again; so
// does a builder asked for no spill.
func TestTextSpillTurnsOffOnError(t *testing.T) {
	s := newTestSite(t, "basic.txtar")
	var snap *Snapshot
	b := New(Options{Source: os.DirFS(s.src), OutDir: s.out, Once: true, Emitters: []Emitter{func(ctx context.Context, _ string, sn *Snapshot) error {
		snap = sn
		_, err := sn.Texts(ctx)
		return err
	}}})
	b.spill = newTextSpill(filepath.Join(t.TempDir(), "no such folder"))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	texts, err := snap.Texts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := b.textRenders.Load(); n != int64(len(texts)) || n == 0 {
		t.Errorf("without a spill the second index rendered %d of %d texts", n, len(texts))
	}
	if New(Options{OutDir: s.out, Once: true}).spill != nil {
		t.Error("a builder asked for no spill has one")
	}
	// A file that fails on read turns the spill off.
	sp := newTextSpill(t.TempDir())
	st := snap.Content.Stories[0]
	sp.put(st, "长征镇居民")
	if got, ok := sp.get(st); !ok || got != "长征镇居民" {
		t.Fatalf("get = %q, %v", got, ok)
	}
	sp.f.Close()
	if _, ok := sp.get(st); ok {
		t.Error("a failed read still returned a text")
	}
	sp.put(st, "长征镇居民")
	if _, ok := sp.get(st); ok || !sp.broken {
		t.Error("the spill kept texts after its file failed")
	}
}
