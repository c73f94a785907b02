package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func lintRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	code = run(context.Background(), env, append([]string{"lint"}, args...))
	return code, out.String(), errb.String()
}

func lintWrite(t *testing.T, dir, name, data string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil { // umask
		t.Fatal(err)
	}
	return p
}

const lintStory = `---
title: 小区管道"添堵","多格合一"舒心
kicker: 普陀区长征镇为"网格"赋能,形成社区治理新格局
slug: xiaoqu-guandao,tiandu
date: 2025-05-22
credit: 长征镇 供稿
tags: [社区治理, 网格]
---

近日,家住真源小区的居民反映:马桶堵塞.

运行` + "`go build ./...`" + `,然后访问[网站](http://t.xinmin.cn/a,b)查看.
`

const lintStoryFixed = `---
title: 小区管道“添堵”，“多格合一”舒心
kicker: 普陀区长征镇为“网格”赋能，形成社区治理新格局
slug: xiaoqu-guandao,tiandu
date: 2025-05-22
credit: 长征镇 供稿
tags: [社区治理, 网格]
---

近日，家住真源小区的居民反映：马桶堵塞。

运行` + "`go build ./...`" + `，然后访问[网站](http://t.xinmin.cn/a,b)查看。
`

func TestLintExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clean := lintWrite(t, dir, "clean.md", lintStoryFixed, 0o644)
	dirty := lintWrite(t, dir, "dirty.md", lintStory, 0o644)
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring
		stderr   string // substring
		noStdout bool
	}{
		{name: "clean", args: []string{clean}, code: 0, noStdout: true},
		{name: "findings", args: []string{dirty}, code: 1, stdout: dirty + ":10:3: T1: 中文旁应使用全角逗号 (，)\n"},
		{name: "front matter finding", args: []string{dirty}, code: 1, stdout: dirty + ":2:12: T3: 中文引号应使用弯引号 (“)\n"},
		{name: "clean and dirty", args: []string{clean, dirty}, code: 1, stdout: dirty + ":"},
		{name: "missing file", args: []string{filepath.Join(dir, "nope.md")}, code: 2, stderr: "reading " + filepath.Join(dir, "nope.md") + ": no such file or directory"},
		{name: "missing and dirty", args: []string{dirty, filepath.Join(dir, "nope.md")}, code: 2, stdout: dirty + ":"},
		{name: "bad format", args: []string{"-format", "xml", clean}, code: 2, stderr: "-format must be text or json"},
		{name: "bad flag", args: []string{"-frobnicate", clean}, code: 2},
		{name: "help", args: []string{"-h"}, code: 0, stderr: "Usage: banmian lint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := lintRun(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
			if tt.noStdout && stdout != "" {
				t.Errorf("unexpected output:\n%s", stdout)
			}
		})
	}
	// Linting never writes.
	if b, _ := os.ReadFile(dirty); string(b) != lintStory {
		t.Error("lint without -fix changed the file")
	}
}

func TestLintFixInPlace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := lintWrite(t, dir, "story.md", lintStory, 0o640)
	// A hard link keeps the old inode: an atomic rename leaves it as it was.
	old := filepath.Join(dir, "old-link")
	if err := os.Link(p, old); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := lintRun(t, "", "-fix", p)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != lintStoryFixed {
		t.Errorf("fixed file:\n%s\nwant:\n%s", got, lintStoryFixed)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("permissions %v, want 0640", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(old); string(b) != lintStory {
		t.Error("file was rewritten in place, not replaced by a rename")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("temporary files left behind: %v", names)
	}
	// The fixed file is clean, and fixing again changes nothing.
	if code, stdout, _ := lintRun(t, "", p); code != 0 {
		t.Errorf("fixed file still has findings (exit %d):\n%s", code, stdout)
	}
	if code, _, _ := lintRun(t, "", "-fix", p); code != 0 {
		t.Errorf("second -fix exit %d", code)
	}
	if b, _ := os.ReadFile(p); string(b) != lintStoryFixed {
		t.Error("second -fix changed the file")
	}
}

func TestLintFixUnfixableLeft(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := lintWrite(t, dir, "story.md", "居民说:“太好了!!\n", 0o600)
	code, stdout, _ := lintRun(t, "", "-fix", p)
	if code != 1 {
		t.Errorf("exit %d, want 1 (unfixable findings left)", code)
	}
	for _, want := range []string{":1:10: L1: 叹号不宜连用", ":1:5: L2: 引号不成对"} {
		if !strings.Contains(stdout, p+want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "T1") {
		t.Errorf("fixed findings reported after -fix:\n%s", stdout)
	}
	if b, _ := os.ReadFile(p); string(b) != "居民说：“太好了！！\n" {
		t.Errorf("fixed file: %q", b)
	}
}

func TestLintStdin(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := lintRun(t, lintStory, "-fix")
	if code != 0 || stdout != lintStoryFixed || stderr != "" {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	code, stdout, _ = lintRun(t, lintStory)
	if code != 1 || !strings.Contains(stdout, "<stdin>:10:3: T1: 中文旁应使用全角逗号 (，)\n") {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
	code, stdout, _ = lintRun(t, lintStoryFixed)
	if code != 0 || stdout != "" {
		t.Errorf("clean stdin: exit %d, stdout %q", code, stdout)
	}
	// Unfixable findings go to standard error; the exit code stays 0.
	code, stdout, stderr = lintRun(t, "太好了!!", "-fix")
	if code != 0 || stdout != "太好了！！" || !strings.Contains(stderr, "<stdin>:1:5: L1: 叹号不宜连用") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// A front matter that is never closed is a read error.
	code, _, stderr = lintRun(t, "---\ntitle: 标题\n正文,")
	if code != 2 || !strings.Contains(stderr, "never closed") {
		t.Errorf("unclosed front matter: exit %d, stderr %q", code, stderr)
	}
}

func TestLintJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := lintWrite(t, dir, "story.md", lintStory, 0o644)
	code, stdout, _ := lintRun(t, "", "-format", "json", p)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var raw []map[string]any
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, stdout)
	}
	if len(raw) == 0 {
		t.Fatal("no findings")
	}
	for _, key := range []string{"file", "offset", "line", "col", "rule", "message", "original", "suggestion", "fixable"} {
		if _, ok := raw[0][key]; !ok {
			t.Errorf("finding lacks %q: %v", key, raw[0])
		}
	}
	var found []lintFinding
	if err := json.Unmarshal([]byte(stdout), &found); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(lintStory, "\n")
	for _, f := range found {
		if f.File != p {
			t.Errorf("file %q, want %q", f.File, p)
		}
		if !strings.HasPrefix(lintStory[f.Offset:], f.Original) {
			t.Errorf("%+v: original %q not at offset", f, f.Original)
		}
		ln := lines[f.Line-1]
		if col := []rune(ln); f.Col > len(col) || !strings.HasPrefix(string(col[f.Col-1:]), f.Original) {
			t.Errorf("%+v: original not at line %d col %d", f, f.Line, f.Col)
		}
		if f.Line >= 4 && f.Line <= 7 {
			t.Errorf("finding in slug, date, credit or tags: %+v", f)
		}
	}
	// Clean input gives an empty array, not null.
	code, stdout, _ = lintRun(t, lintStoryFixed, "-format", "json")
	if code != 0 || strings.TrimSpace(stdout) != "[]" {
		t.Errorf("clean: exit %d, stdout %q", code, stdout)
	}
}

func TestLintFrontMatterForms(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"YAML double quoted", "---\ntitle: \"他说\\\"你好\\\",再见\"\n---\n", "---\ntitle: \"他说\\\"你好\\\"，再见\"\n---\n"},
		{"YAML single quoted", "---\ntitle: '它''s 小区,管道'\n---\n", "---\ntitle: '它''s 小区，管道'\n---\n"},
		{"YAML comment", "---\ntitle: 小区,管道 # 注释,不改\n---\n", "---\ntitle: 小区，管道 # 注释,不改\n---\n"},
		{"YAML block scalar", "---\nsummary: >\n  小区管道,疏通\n  居民满意!\nslug: a,b\n---\n", "---\nsummary: >\n  小区管道，疏通\n  居民满意！\nslug: a,b\n---\n"},
		{"YAML other keys", "---\ntags: [网格,治理]\nsubtitle: 长征镇:治理\n---\n", "---\ntags: [网格,治理]\nsubtitle: 长征镇：治理\n---\n"},
		{"TOML", "+++\ntitle = \"小区,管道\"\nslug = \"a,b\"\n+++\n正文,结束\n", "+++\ntitle = \"小区，管道\"\nslug = \"a,b\"\n+++\n正文，结束\n"},
		{"BOM", "\ufeff---\ntitle: 小区,管道\n---\n正文,结束\n", "\ufeff---\ntitle: 小区，管道\n---\n正文，结束\n"},
		{"no front matter", "正文,结束\n", "正文，结束\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := lintRun(t, tt.in, "-fix")
			if code != 0 || stdout != tt.want {
				t.Errorf("exit %d, stderr %q\ngot:  %q\nwant: %q", code, stderr, stdout, tt.want)
			}
		})
	}
}

func TestLintPlainText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := lintWrite(t, dir, "page.txt", "---\n责任编辑:郭爽\n", 0o644)
	code, stdout, _ := lintRun(t, "", p)
	if code != 1 || !strings.Contains(stdout, p+":2:5: T1: 中文旁应使用全角冒号 (：)") {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
}
