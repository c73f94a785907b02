package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/server"
	"github.com/banmian/banmian/internal/store"
)

// deskLogin signs in through the desk's login form and returns the status
// of the POST (303 on success).
func deskLogin(t *testing.T, base, name, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/desk/login")
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	buf := make([]byte, 8192)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(sb.String())
	if m == nil {
		t.Fatalf("no login form: %s", sb.String())
	}
	resp, err = c.PostForm(base+"/desk/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// apiStatus calls GET /api/submissions with a token.
func apiStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/submissions", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestAdminCommandsWhileServing: banmian user, token and backup work
// while serve runs, through its 0600 admin socket, and take effect at
// once: a user added logs in, a revoked token and a disabled user stop.
func TestAdminCommandsWhileServing(t *testing.T) {
	dir := t.TempDir()
	serveSite(t, dir)
	data := filepath.Join(dir, "data")
	p := startInProcess(t, "-addr", "127.0.0.1:0", "-source", filepath.Join(dir, "content"), "-data", data, "-out", filepath.Join(dir, "public"))
	base := "http://" + p.addr
	setup := regexp.MustCompile(`/desk/setup/[A-Za-z0-9_-]+`).FindString(p.stdout.String())
	if setup == "" {
		t.Fatalf("no setup link:\n%s", p.stdout)
	}
	if st, err := os.Stat(server.AdminSocket(data)); err != nil || st.Mode().Perm() != 0o600 || st.Mode().Type() != os.ModeSocket {
		t.Fatalf("admin socket: %v, %v", st, err)
	}

	const pw = "长征镇投稿密码一二三"
	if code, stdout, stderr := userRun(t, "版面编辑部的密码是十字\n", "user", "add", "-data", data, "-role", "admin", "-password-stdin", "管理员"); code != 0 {
		t.Fatalf("user add admin while serving: exit %d %q %q", code, stdout, stderr)
	}
	if code, stdout, stderr := userRun(t, pw+"\n", "user", "add", "-data", data, "-role", "submitter", "-office", "长征镇", "-password-stdin", "张三"); code != 0 || !strings.Contains(stdout, "created user 张三") {
		t.Fatalf("user add while serving: exit %d %q %q", code, stdout, stderr)
	}
	if got := deskLogin(t, base, "张三", pw); got != 303 {
		t.Errorf("the new user logs in at once: %d", got)
	}
	// A user made on the command line ends the first-run link.
	if code, _ := get(t, base+setup); code != 404 {
		t.Errorf("the setup link after user add: %d", code)
	}
	// The policy holds over the socket too, in the server's words.
	if code, _, stderr := userRun(t, "12345678\n", "user", "add", "-data", data, "-role", "editor", "-password-stdin", "李四"); code != 1 || !strings.Contains(stderr, "密码太短") {
		t.Errorf("a weak password over the socket: exit %d %q", code, stderr)
	}

	code, stdout, stderr := userRun(t, "", "token", "create", "-data", data, "-label", "投稿脚本", "张三")
	token := strings.TrimSpace(stdout)
	if code != 0 || !strings.HasPrefix(token, "bm_") {
		t.Fatalf("token create: exit %d %q %q", code, stdout, stderr)
	}
	if got := apiStatus(t, base, token); got != 200 {
		t.Fatalf("the new token: %d", got)
	}
	code, stdout, _ = userRun(t, "", "token", "list", "-data", data, "张三")
	id := regexp.MustCompile(`(?m)^([0-9a-f]{12}) `).FindStringSubmatch(stdout)
	if code != 0 || id == nil {
		t.Fatalf("token list: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := userRun(t, "", "token", "revoke", "-data", data, id[1]); code != 0 {
		t.Fatalf("token revoke: %q", stderr)
	}
	if got := apiStatus(t, base, token); got != 401 {
		t.Errorf("the revoked token: %d, want 401", got)
	}

	if code, _, stderr := userRun(t, "", "user", "disable", "-data", data, "张三"); code != 0 {
		t.Fatalf("user disable: %q", stderr)
	}
	if got := deskLogin(t, base, "张三", pw); got != 403 {
		t.Errorf("a disabled user logs in: %d", got)
	}
	code, stdout, _ = userRun(t, "", "user", "list", "-data", data)
	if code != 0 || !regexp.MustCompile(`张三 .*disabled`).MatchString(stdout) {
		t.Errorf("user list:\n%s", stdout)
	}
	if code, _, stderr := userRun(t, "", "user", "set", "-data", data, "-role", "editor", "管理员"); code != 1 || !strings.Contains(stderr, "管理员") {
		t.Errorf("demoting the last admin: exit %d %q", code, stderr)
	}
	if code, _, stderr := userRun(t, "", "user", "enable", "-data", data, "张三"); code != 0 {
		t.Fatalf("user enable: %q", stderr)
	}
	if got := deskLogin(t, base, "张三", pw); got != 303 {
		t.Errorf("the enabled user logs in: %d", got)
	}

	out := filepath.Join(t.TempDir(), "备份.db")
	if code, _, stderr := userRun(t, "", "backup", "-data", data, "-o", out); code != 0 || !strings.Contains(stderr, "backed up") {
		t.Fatalf("backup while serving: exit %d %q", code, stderr)
	}
	b, err := store.Open(out, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if u, err := b.User("张三"); err != nil || u.Office != "长征镇" {
		t.Errorf("the backup: %+v, %v", u, err)
	}

	// Stopped, the commands open the file themselves.
	p.stop(t)
	if _, err := os.Stat(server.AdminSocket(data)); !os.IsNotExist(err) {
		t.Errorf("admin socket left behind: %v", err)
	}
	if code, stdout, stderr := userRun(t, "", "user", "disable", "-data", data, "张三"); code != 0 || !strings.Contains(stdout, "disabled") {
		t.Errorf("user disable with serve stopped: exit %d %q", code, stderr)
	}
}
