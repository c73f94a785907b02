package deploy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/content"
)

// TestFolderTarget deploys to a plain folder: whole, then nothing, then
// one story changed and one removed, each time swapped in as a whole.
func TestFolderTarget(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, 6)
	v1 := s.build()
	www := filepath.Join(t.TempDir(), "www")
	tg, err := ParseTarget(content.DeployTarget{Name: "nginx", URL: "file://" + filepath.ToSlash(www)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o := Options{Dir: s.out, Target: tg}
	st, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != len(v1) {
		t.Fatalf("first deploy: %s", st)
	}
	assertFolder(t, www, v1)

	st, err = Run(ctx, o)
	if err != nil || st.Uploaded != 0 || st.Unchanged != len(v1) {
		t.Fatalf("no-change deploy: %s, %v", st, err)
	}

	// A reader holding the old home page open keeps reading the old file.
	old, err := os.Open(filepath.Join(www, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	s.story(2, "社区治理第3篇：改过的标题", "改过的正文。")
	s.remove(4)
	v2 := s.build()
	st, err = Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sorted(st.Uploads), sorted(changed(v1, v2))) || !slices.Contains(st.Deletes, "stories/story-004/index.html") {
		t.Fatalf("uploads %v deletes %v", st.Uploads, st.Deletes)
	}
	assertFolder(t, www, v2)
	entries, _ := os.ReadDir(filepath.Dir(www))
	if len(entries) != 1 {
		t.Fatalf("left beside the folder: %v", entries)
	}

	// A file edited by hand on the host is put right.
	if err := os.WriteFile(filepath.Join(www, "robots.txt"), []byte("hand edit"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = Run(ctx, o)
	if err != nil || !slices.Equal(st.Uploads, []string{"robots.txt"}) {
		t.Fatalf("after a hand edit: %v, %v", st.Uploads, err)
	}
	assertFolder(t, www, v2)

	// The guard holds for folders too.
	for _, i := range []int{0, 1, 3, 5} {
		s.remove(i)
	}
	s.build()
	o.MaxDeletes = 1
	if _, err := Run(ctx, o); !errors.Is(err, ErrTooManyDeletes) {
		t.Fatalf("err = %v, want ErrTooManyDeletes", err)
	}
	assertFolder(t, www, v2)
}

func assertFolder(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := (&testSite{t: t, out: dir}).files()
	if len(got) != len(want) {
		t.Fatalf("folder holds %v\nwant %v", keys(got), keys(want))
	}
	for p, b := range want {
		if got[p] != b {
			t.Fatalf("%s differs in the deployed folder", p)
		}
	}
}

// TestFolderOverlap refuses a folder inside the site or around it.
func TestFolderOverlap(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, 1)
	s.build()
	for _, dir := range []string{s.out, filepath.Join(s.out, "www"), filepath.Dir(s.out)} {
		tg, err := ParseTarget(content.DeployTarget{Name: "x", URL: dir})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Run(context.Background(), Options{Dir: s.out, Target: tg})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "重叠") {
			t.Errorf("%s: err = %v", dir, err)
		}
	}
}
