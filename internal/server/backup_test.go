package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

func TestHotBackup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "备份里的稿件", "这篇稿件要出现在备份里。", store.StatusSubmitted)
	c, _ := e.login("admin")
	_, page := e.do(c, "GET", "/desk/users", "", nil)
	if !strings.Contains(page, `href="/desk/admin/backup"`) {
		t.Errorf("the users page has no backup link")
	}
	for _, tc := range []struct {
		name string
		get  func() (*http.Response, string)
	}{
		{"desk", func() (*http.Response, string) { return e.do(c, "GET", "/desk/admin/backup", "", nil) }},
		{"api", func() (*http.Response, string) { return e.api("admin", "GET", "/api/backup", "", "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.get()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="banmian-20250610-`) {
				t.Fatalf("backup: %d %v", resp.StatusCode, resp.Header)
			}
			// The server is still running and holds the store; the copy
			// opens on its own with everything in it.
			dir := t.TempDir()
			if err := os.WriteFile(store.DataFile(dir), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			cp, err := store.Open(store.DataFile(dir), store.Options{ReadOnly: true})
			if err != nil {
				t.Fatalf("opening the backup: %v", err)
			}
			defer cp.Close()
			sub, err := cp.Submission(id)
			if err != nil || sub.Title != "备份里的稿件" {
				t.Errorf("submission in the backup: %+v %v", sub, err)
			}
			if n, err := cp.UserCount(); err != nil || n != 4 {
				t.Errorf("users in the backup: %d %v", n, err)
			}
			if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
				t.Error(err)
			}
		})
	}
	if resp, _ := e.api("editor", "GET", "/api/backup", "", ""); resp.StatusCode != 403 {
		t.Errorf("an editor downloading a backup: %d", resp.StatusCode)
	}
}
