package publish

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/banmian/banmian/internal/site"
	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

// dirHash fingerprints a folder: paths, kinds, modes and file contents.
func dirHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", rel, info.Mode())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

type fixture struct {
	svc          *Service
	st           *store.Store
	source, out  string
	builder      *site.Builder
	snap         *site.Snapshot
	submissionID string
}

// newFixture is a content folder with one story, its built site, a store
// with an accepted story on the edition of 2025-06-24, and a Service.
func newFixture(t *testing.T) *fixture {
	dir := t.TempDir()
	f := &fixture{source: filepath.Join(dir, "content"), out: filepath.Join(dir, "public")}
	for name, data := range map[string]string{
		"site.yaml":                     "title: 多维世界\n",
		"stories/changzheng-guandao.md": "---\ntitle: 小区管道“添堵”\ncredit: 长征镇\ndate: 2025-06-17\nslug: changzheng-guandao\n---\n正文。\n",
	} {
		p := filepath.Join(f.source, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.st = storetest.MustOpen(t, store.Options{})
	storetest.MustCreateUser(t, f.st, "changzheng", store.RoleSubmitter, "长征镇")
	sub, err := f.st.CreateSubmission(store.Submission{Office: "长征镇", Title: "垃圾分类新风尚", Body: "居民积极参与。"}, "changzheng")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []store.Action{store.ActionSubmit, store.ActionAccept} {
		if err := f.st.Transition(sub.ID, a, "editor", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.PutEdition(store.Edition{Date: "2025-06-24", Page: 12, Items: []store.EditionItem{{Submission: sub.ID}}}, "editor"); err != nil {
		t.Fatal(err)
	}
	f.submissionID = sub.ID
	f.builder = site.New(site.Options{Source: os.DirFS(f.source), OutDir: f.out, Emitters: []site.Emitter{
		func(ctx context.Context, dir string, snap *site.Snapshot) error { f.snap = snap; return nil },
	}})
	if _, err := f.builder.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.svc = New(Config{Store: f.st, Source: f.source, Builder: f.builder, Snapshot: func() *site.Snapshot { return f.snap }})
	return f
}

func TestRecoverInterruptedPublish(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := dirHash(t, f.source)
	// A crash after the files were renamed into place, before the store.
	tx := newFileTx(f.source, journal{Edition: "2025-06-30"})
	if err := tx.apply(map[string][]byte{"stories/x.md": []byte("---\ntitle: x\ndate: 2025-06-30\n---\nx\n"), "site.yaml": []byte("title: 改坏了\n")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(context.Background(), "2025-06-24", "editor"); !errors.Is(err, ErrInterrupted) {
		t.Errorf("publish over an interrupted one: %v, want ErrInterrupted", err)
	}
	if err := f.svc.Recover(); err != nil {
		t.Fatal(err)
	}
	if got := dirHash(t, f.source); got != before {
		t.Error("recovery left content/ changed")
	}
}

// A failure at every step leaves content/ and public/ byte for byte as
// they were, and the store unchanged; the error is the domain error.
func TestPublishFailureAtEachStepLeavesEverythingAsItWas(t *testing.T) {
	t.Parallel()
	for _, step := range []string{StepFiles, StepBuild, StepIndex, StepStore} {
		t.Run(step, func(t *testing.T) {
			f := newFixture(t)
			src, out := dirHash(t, f.source), dirHash(t, f.out)
			injected := errors.New("injected")
			f.svc.SetHook(func(s string) error {
				if s == step {
					return injected
				}
				return nil
			})
			if _, err := f.svc.Publish(context.Background(), "2025-06-24", "editor"); !errors.Is(err, injected) {
				t.Fatalf("publish: %v", err)
			}
			if dirHash(t, f.source) != src || dirHash(t, f.out) != out {
				t.Error("a failed publish changed content/ or public/")
			}
			if sub, _ := f.st.Submission(f.submissionID); sub.Status == store.StatusPublished {
				t.Error("story marked published")
			}
			f.svc.SetHook(nil)
			res, err := f.svc.Publish(context.Background(), "2025-06-24", "editor")
			if err != nil || len(res.Stories) != 1 {
				t.Fatalf("publish: %+v %v", res, err)
			}
			if _, err := os.Stat(filepath.Join(f.out, "editions", "2025-06-24", "index.html")); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPublishDomainErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.svc.Publish(context.Background(), "2025-07-01", "editor"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown edition: %v", err)
	}
	if _, err := f.st.PutEdition(store.Edition{Date: "2025-07-01", Page: 3}, "editor"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(context.Background(), "2025-07-01", "editor"); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty edition: %v", err)
	}
	if _, err := f.svc.Publish(context.Background(), "2025-06-24", "editor"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(context.Background(), "2025-06-24", "editor"); !errors.Is(err, store.ErrInvalidTransition) {
		t.Errorf("published twice: %v", err)
	}
}
