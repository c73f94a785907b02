package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// treeHash fingerprints a folder: every path with its kind, mode and, for
// files, content. Two trees with the same hash are byte-for-byte the same.
func treeHash(tb testing.TB, dir string) string {
	tb.Helper()
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
		h.Write([]byte(rel + "\x00" + info.Mode().String() + "\x00"))
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Break 2: a build that fails while writing (a page's file is in the way)
// left the new story and edition pages live.
func TestFailedPublishLeavesSiteAsItWas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "垃圾分类新风尚", "长征镇居民积极参与垃圾分类。", store.StatusAccepted)
	if resp, body := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
		`{"page":12,"items":[{"submission":"`+id+`","lead":true}]}`); resp.StatusCode != 200 {
		t.Fatalf("put edition: %d %s", resp.StatusCode, body)
	}
	// The credit page of 长征镇 becomes a folder: writing it fails.
	credit := filepath.Join(e.out, "credits", "chang-zheng-zhen", "index.html")
	if err := os.Remove(credit); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(credit, 0o755); err != nil {
		t.Fatal(err)
	}
	before, beforeStore := treeHash(t, e.out), storeState(t, e, "2025-06-24", id)
	resp, body := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", "")
	if resp.StatusCode < 400 {
		t.Fatalf("publish over a blocked page: %d %s", resp.StatusCode, body)
	}
	if got := treeHash(t, e.out); got != before {
		t.Error("public/ changed by a failed publish")
	}
	if _, err := os.Stat(filepath.Join(e.out, "editions", "2025-06-24", "index.html")); err == nil {
		t.Error("the edition page is live after the failed publish")
	}
	if got := storeState(t, e, "2025-06-24", id); got != beforeStore {
		t.Errorf("store changed:\n%s\n%s", beforeStore, got)
	}
	// Clear the obstacle: the next publish goes through, and only then do
	// the pages appear.
	os.Remove(credit)
	if resp, body := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", ""); resp.StatusCode != 200 {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	if _, err := os.Stat(filepath.Join(e.out, "editions", "2025-06-24", "index.html")); err != nil {
		t.Error(err)
	}
}
