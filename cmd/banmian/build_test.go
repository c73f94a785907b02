package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/search"
)

// runCmd runs banmian in-process and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBuildCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, out, idx := filepath.Join(dir, "content"), filepath.Join(dir, "public"), filepath.Join(dir, "data", "index")
	writeFiles(t, src, map[string]string{
		"stories/a.md":             "---\ntitle: 小区管道“添堵”\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n正文。\n",
		"editions/2025-05-22.yaml": "date: 2025-05-22\npage: 14\nitems:\n  - story: a\n",
	})
	code, stdout, stderr := runCmd(t, "build", "-source", src, "-out", out, "-index", idx)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "1 stories, 1 editions") {
		t.Errorf("summary line: %q", stdout)
	}
	// The build keeps the search index current.
	if !strings.Contains(stdout, "1 added") {
		t.Errorf("index line: %q", stdout)
	}
	if code, stdout, stderr := runCmd(t, "search", "-source", src, "-index", idx, "添堵"); code != 0 || !strings.Contains(stdout, "小区管道") {
		t.Errorf("search after build: exit %d: %s %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "stories/a/index.html")); err != nil {
		t.Error(err)
	}
	// The static search index comes with the site, and a rebuild of the
	// same stories reuses it.
	page, err := os.ReadFile(filepath.Join(out, "search/index.html"))
	if err != nil || !strings.Contains(string(page), "search.js") {
		t.Fatalf("search page: %v", err)
	}
	// It carries the site's own header and footer.
	for _, w := range []string{`class="site-header"`, `<a href="/archive/">往期</a>`, `class="site-footer"`, `id="main"`} {
		if !strings.Contains(string(page), w) {
			t.Errorf("search page lacks %s", w)
		}
	}
	before, _ := os.Stat(filepath.Join(out, "search/meta.json"))
	code, stdout, stderr = runCmd(t, "build", "-source", src, "-out", out, "-index", idx)
	if code != 0 {
		t.Fatalf("rebuild: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "1 unchanged") {
		t.Errorf("index line after a rebuild: %q", stdout)
	}
	after, err := os.Stat(filepath.Join(out, "search/meta.json"))
	if err != nil || !os.SameFile(before, after) {
		t.Errorf("static index was rebuilt for unchanged stories (err %v)", err)
	}

	// While banmian serve holds the index, build says so and succeeds.
	held, err := search.Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCmd(t, "build", "-source", src, "-out", out, "-index", idx)
	held.Close()
	if code != 0 || !strings.Contains(stderr, "is in use (banmian serve keeps it current)") {
		t.Errorf("build with the index held: exit %d: %s", code, stderr)
	}

	// Broken content: every problem, with file and line; exit 1; site kept.
	writeFiles(t, src, map[string]string{
		"stories/b.md": "---\ntitle: 二\ndate: 2025-13-01\n---\n",
		"stories/c.md": "---\ndate: 2025-05-01\n---\n",
	})
	code, _, stderr = runCmd(t, "build", "-source", src, "-out", out, "-index", idx)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, w := range []string{"stories/b.md:3: bad date", "stories/c.md:1: missing title", "2 problem(s)", "previous site was left as it was"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, ".go:") {
		t.Errorf("stderr shows Go internals:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "stories/a/index.html")); err != nil {
		t.Error("previous site lost:", err)
	}
}

func TestCommandUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"version"}, 0, "banmian "},
		{[]string{"help"}, 0, "build"},
		{[]string{"nope"}, 2, "unknown command"},
		{[]string{"build", "-nope"}, 2, "flag provided but not defined"},
		{[]string{"build", "extra"}, 2, "unexpected arguments"},
		{[]string{"build", "-source", "/does/not/exist"}, 1, "content folder /does/not/exist not found"},
		{nil, 2, "Usage"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCmd(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("banmian %v: exit %d, output %q; want exit %d with %q", tt.args, code, stdout+stderr, tt.code, tt.want)
		}
	}
}

// TestBuildProgress: on a terminal build draws a bar and clears it before
// the summary; in a pipe it prints the summary line only; -quiet prints
// nothing at all.
func TestBuildProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "content")
	writeFiles(t, src, map[string]string{
		"site.yaml":                "title: 多维世界\nbaseURL: https://example.org/duowei/\n",
		"stories/a.md":             "---\ntitle: 社区里的新年\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n正文。\n",
		"editions/2025-05-22.yaml": "date: 2025-05-22\npage: 14\nitems:\n  - story: a\n",
	})
	tests := []struct {
		name     string
		terminal bool
		extra    []string
		bar      bool
		summary  bool
	}{
		{"终端", true, nil, true, true},
		{"管道", false, nil, false, true},
		{"终端静默", true, []string{"-quiet"}, false, false},
		{"管道静默", false, []string{"-quiet"}, false, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Terminal: tt.terminal}
			args := append([]string{"build", "-source", src, "-out", filepath.Join(dir, "public", tt.name), "-index", filepath.Join(dir, "index", string(rune('a'+i)))}, tt.extra...)
			if code := run(context.Background(), env, args); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			errs := stderr.String()
			if got := strings.Contains(errs, "构建 ["); got != tt.bar {
				t.Errorf("bar drawn = %v, want %v: %q", got, tt.bar, errs)
			}
			if tt.bar && !strings.HasSuffix(errs, "\r\033[K") {
				t.Errorf("the bar was not cleared before the summary: %q", errs)
			}
			if !tt.bar && errs != "" {
				t.Errorf("stderr off a terminal or quiet: %q", errs)
			}
			if got := strings.Contains(stdout.String(), "built "); got != tt.summary {
				t.Errorf("summary printed = %v, want %v: %q", got, tt.summary, stdout.String())
			}
			if !tt.summary && stdout.Len() != 0 {
				t.Errorf("-quiet printed %q", stdout.String())
			}
		})
	}
}
