package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// userRun runs banmian in-process with stdin and returns the exit code and
// output.
func userRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

// userOpen opens the store of data folder dir, closed when the test ends.
func userOpen(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(store.DataFile(dir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestUserAddListPasswd(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		stdout   string // substring
		stderr   string // substring
		wantUser *store.User
	}{
		{"submitter", "长征镇投稿密码一二三\n", []string{"user", "add", "-data", data, "-role", "submitter", "-office", "长征镇", "-password-stdin", "张三"},
			0, "created user 张三 (供稿人，长征镇)", "", &store.User{Name: "张三", Role: store.RoleSubmitter, Office: "长征镇"}},
		{"flags after the name", "newsroom-lamp-42\r\n", []string{"user", "add", "王编辑", "-data", data, "-role", "editor", "-password-stdin"},
			0, "created user 王编辑 (编辑)", "", &store.User{Name: "王编辑", Role: store.RoleEditor}},
		{"duplicate", "newsroom-lamp-42\n", []string{"user", "add", "-data", data, "-role", "editor", "-password-stdin", "张三"},
			1, "", `user "张三": already exists`, nil},
		{"submitter without office", "newsroom-lamp-42\n", []string{"user", "add", "-data", data, "-role", "submitter", "-password-stdin", "李四"},
			2, "", "a submitter needs -office", nil},
		{"unknown role", "newsroom-lamp-42\n", []string{"user", "add", "-data", data, "-role", "chief", "-password-stdin", "李四"},
			2, "", `unknown role "chief"`, nil},
		{"missing role", "newsroom-lamp-42\n", []string{"user", "add", "-data", data, "-password-stdin", "李四"},
			2, "", "-role is required", nil},
		{"no name", "newsroom-lamp-42\n", []string{"user", "add", "-data", data, "-role", "admin", "-password-stdin"},
			2, "", "want exactly one NAME", nil},
		{"two names", "newsroom-lamp-42\n", []string{"user", "add", "-data", data, "-role", "admin", "-password-stdin", "a", "b"},
			2, "", "want exactly one NAME, got 2", nil},
		{"bad name", "newsroom-lamp-42\n", []string{"user", "add", "-data", data, "-role", "admin", "-password-stdin", "李 四"},
			1, "", "user name", nil},
		{"short password", "真如镇\n", []string{"user", "add", "-data", data, "-role", "admin", "-password-stdin", "李四"},
			1, "", "shorter than 10 characters", nil},
		{"no password", "", []string{"user", "add", "-data", data, "-role", "admin", "-password-stdin", "李四"},
			1, "", "no password on stdin", nil},
		{"not a terminal", "", []string{"user", "add", "-data", data, "-role", "admin", "李四"},
			2, "", "-password-stdin", nil},
		{"unknown subcommand", "", []string{"user", "remove", "张三"}, 2, "", `unknown subcommand "remove"`, nil},
		{"no subcommand", "", []string{"user"}, 2, "", "Usage: banmian user", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := userRun(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout ~%q, stderr ~%q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
			if tt.wantUser != nil {
				s := userOpen(t, data)
				u, err := s.Authenticate(tt.wantUser.Name, strings.TrimRight(tt.stdin, "\r\n"))
				if err != nil || u.Role != tt.wantUser.Role || u.Office != tt.wantUser.Office {
					t.Errorf("stored %+v, %v", u, err)
				}
				s.Close()
			}
		})
	}

	code, stdout, stderr := userRun(t, "", "user", "list", "-data", data)
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("list:\n%s", stdout)
	}
	// Columns line up with Chinese characters two columns wide: 张三 (4)
	// and 王编辑 (6) both reach column 8 before the role.
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "张三    submitter  长征镇  ") && !strings.HasPrefix(l, "王编辑  editor             ") {
			t.Errorf("list line %q", l)
		}
	}

	code, stdout, stderr = userRun(t, "新的密码：长征镇2025\n", "user", "passwd", "-data", data, "-password-stdin", "张三")
	if code != 0 || !strings.Contains(stdout, "password of 张三 changed") {
		t.Fatalf("passwd: exit %d, %q %q", code, stdout, stderr)
	}
	s := userOpen(t, data)
	if _, err := s.Authenticate("张三", "新的密码：长征镇2025"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, err := s.Authenticate("张三", "长征镇投稿密码一二三"); !errors.Is(err, store.ErrAuth) {
		t.Errorf("old password still accepted: %v", err)
	}
	s.Close()
	if code, _, stderr := userRun(t, "newsroom-lamp-42\n", "user", "passwd", "-data", data, "-password-stdin", "无此人"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("passwd of unknown user: exit %d, %q", code, stderr)
	}
}

func TestUserListEmpty(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	code, stdout, stderr := userRun(t, "", "user", "list", "-data", data)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "banmian user add -data "+data+" -role admin NAME") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if code, _, stderr := userRun(t, "newsroom-lamp-42\n", "user", "add", "-data", data, "-role", "submitter", "-office", "真如镇", "-password-stdin", "李四"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := userRun(t, "", "token", "create", "-data", data, "-label", "投稿脚本", "李四")
	if code != 0 || !strings.Contains(stderr, "shown this once") {
		t.Fatalf("create: exit %d, %q", code, stderr)
	}
	secret := strings.TrimSpace(stdout)
	s := userOpen(t, data)
	u, tok, err := s.UserByToken(secret)
	s.Close()
	if err != nil || u.Name != "李四" || tok.Label != "投稿脚本" {
		t.Fatalf("token %q: %+v %+v %v", secret, u, tok, err)
	}
	code, stdout, _ = userRun(t, "", "token", "list", "-data", data, "李四")
	if code != 0 || !strings.Contains(stdout, tok.ID) || !strings.Contains(stdout, "投稿脚本") || strings.Contains(stdout, secret) {
		t.Errorf("list: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := userRun(t, "", "token", "create", "-data", data, "无此人"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("token for unknown user: exit %d, %q", code, stderr)
	}
	if code, stdout, _ := userRun(t, "", "token", "revoke", "-data", data, tok.ID); code != 0 || !strings.Contains(stdout, "revoked") {
		t.Errorf("revoke: exit %d", code)
	}
	if code, _, _ := userRun(t, "", "token", "revoke", "-data", data, tok.ID); code != 1 {
		t.Errorf("revoke twice: exit %d", code)
	}
}

// TestCommandsFailFastWhileServing holds the store as banmian serve would
// and checks every command fails at once with a clear message.
func TestCommandsFailFastWhileServing(t *testing.T) {
	data := t.TempDir()
	userOpen(t, data) // held until the test ends
	for _, args := range [][]string{
		{"user", "list", "-data", data},
		{"user", "add", "-data", data, "-role", "admin", "-password-stdin", "admin"},
		{"user", "passwd", "-data", data, "-password-stdin", "admin"},
		{"token", "create", "-data", data, "admin"},
		{"backup", "-data", data, "-o", filepath.Join(t.TempDir(), "b.db")},
	} {
		start := time.Now()
		code, _, stderr := userRun(t, "newsroom-lamp-42\n", args...)
		if code != 1 || !strings.Contains(stderr, "the data folder is in use by another banmian process (is banmian serve running?)") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%v took %v", args, d)
		}
	}
}

func TestBackupCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if code, _, stderr := userRun(t, "newsroom-lamp-42\n", "user", "add", "-data", data, "-role", "admin", "-password-stdin", "管理员"); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(t.TempDir(), "备份.db")
	code, _, stderr := userRun(t, "", "backup", "-data", data, "-o", out)
	if code != 0 || !strings.Contains(stderr, "backed up") {
		t.Fatalf("backup: exit %d, %q", code, stderr)
	}
	// Restore: the backup is a data file.
	restored := t.TempDir()
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(store.DataFile(restored), b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := userRun(t, "", "user", "list", "-data", restored)
	if code != 0 || !strings.Contains(stdout, "管理员") {
		t.Errorf("list of restored backup: exit %d\n%s", code, stdout)
	}
	// To stdout.
	code, stdout, _ = userRun(t, "", "backup", "-data", data, "-o", "-")
	if code != 0 || len(stdout) != len(b) {
		t.Errorf("backup to stdout: exit %d, %d bytes, want %d", code, len(stdout), len(b))
	}
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"backup", "-data", data}, 2, "-o FILE is required"},
		{[]string{"backup", "-data", filepath.Join(data, "missing"), "-o", out}, 1, "no data file at"},
		{[]string{"backup", "-data", data, "-o", out, "extra"}, 2, "unexpected argument"},
	} {
		if code, _, stderr := userRun(t, "", c.args...); code != c.code || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v: exit %d, %q", c.args, code, stderr)
		}
	}
}
