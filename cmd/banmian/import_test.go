package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/content"
)

// sampleImportArgs regenerates the sample site: content/ is this command's
// output for the sample page, and TestImportSample keeps the two in step.
//
//	banmian import -date 2025-05-22 -page 14 -out content -paper 新民晚报 \
//	  -note "本期为示例版面，据印刷版文字重建；日期和版次仅为示意。" \
//	  ../shared/samples/duowei-page-legacy.txt
var sampleImportArgs = []string{"-date", "2025-05-22", "-page", "14", "-paper", "新民晚报",
	"-note", "本期为示例版面，据印刷版文字重建；日期和版次仅为示意。"}

// samplePage is the sample page (the importer tests' copy of
// ../shared/samples/duowei-page-legacy.txt).
func samplePage(t *testing.T) string {
	t.Helper()
	const p = "../../internal/importer/testdata/duowei-page-legacy.txt"
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func runImportCmd(t *testing.T, terminal bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Terminal: terminal}
	code = run(context.Background(), env, append([]string{"import"}, args...))
	return code, out.String(), errb.String()
}

func filesUnder(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			m[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return m
}

// TestImportSample: importing the sample page gives exactly the files of
// the sample site in content/, and importing it again over content/
// changes nothing.
func TestImportSample(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "content")
	code, stdout, stderr := runImportCmd(t, false, append(append([]string{}, sampleImportArgs...), "-out", out, samplePage(t))...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
	for _, want := range []string{
		"[引题] 普陀区长征镇为“网格”赋能，形成社区治理新格局  [主题] 小区管道“添堵”，“多格合一”舒心",
		"[主题] 佘山镇翠鑫苑三位一体工作机制巧解社区“千千结”",
		"12 paragraphs, 2 subheads, 长征镇 供稿", "9 paragraphs, 3 subheads, 佘山镇 供稿",
		"[小标题] 从“痛点”到“焦点”\u3000推动基层治理“一呼百应”",
		"box       荣誉榜, 8 rows", "masthead  多维世界 · 责任编辑 郭爽 · 微博 http://t.xinmin.cn/guoguo11 · 邮箱 9773859@qq.com · 热线电话 22897276",
		"imported 1 page(s)", "2 story(ies), 1 box(es), 0 warning(s); 5 file(s): 5 created",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	got := filesUnder(t, out)
	repo := filesUnder(t, "../../content")
	var names []string
	for name, data := range got {
		names = append(names, name)
		if repo[name] != data {
			t.Errorf("content/%s is not what the importer writes; regenerate it with: banmian import %s -out content %s",
				name, strings.Join(sampleImportArgs, " "), "../shared/samples/duowei-page-legacy.txt")
		}
	}
	sort.Strings(names)
	if len(names) != 5 {
		t.Errorf("imported files: %q", names)
	}

	// Again, over a copy of content/: nothing changes, nothing is added.
	for name, data := range repo {
		p := filepath.Join(out, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	code, stdout, _ = runImportCmd(t, false, append(append([]string{}, sampleImportArgs...), "-out", out, samplePage(t))...)
	if code != 0 || !strings.Contains(stdout, "0 created, 0 updated, 4 unchanged") {
		t.Errorf("re-import: exit %d\n%s", code, stdout)
	}
	if after := filesUnder(t, out); len(after) != len(repo) {
		t.Errorf("re-import added files: %d → %d", len(repo), len(after))
	}
	if _, err := content.Load(os.DirFS(out), content.LoadOptions{}); err != nil {
		t.Errorf("content.Load after re-import: %v", err)
	}
}

func TestImportDryRun(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "content")
	code, stdout, _ := runImportCmd(t, false, "-date", "2025-05-22", "-dry-run", "-out", out, samplePage(t))
	if code != 0 || !strings.Contains(stdout, "would import (dry run) 1 page(s)") || !strings.Contains(stdout, "created   ") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("dry run wrote %s", out)
	}
}

// TestImportBatch: a folder of dated pages imports as a batch, with a
// progress bar on a terminal only, warnings with file and line, and a
// summary.
func TestImportBatch(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	pages := map[string]string{
		"2024-01-05-p14.txt": "多维世界\n责任编辑:郭爽\n\n长征镇开展迎新活动 社区里的新年\n\n新年将至,长征镇各居民区开展迎新活动。\n\n长征镇 供稿\n",
		"20240112.txt":       "真如镇为老服务 助餐点开到家门口\n\n真如镇新开三家社区助餐点。\n\n真如镇 桃浦镇 供稿\n\n残留一行\n",
		"notes.md":           "not a page",
	}
	for name, text := range pages {
		os.WriteFile(filepath.Join(in, name), []byte(text), 0o644)
	}
	out := filepath.Join(t.TempDir(), "content")
	for _, terminal := range []bool{false, true} {
		code, stdout, stderr := runImportCmd(t, terminal, "-out", out, in)
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "imported 2 page(s)") || !strings.Contains(stdout, "2 story(ies), 0 box(es), 1 warning(s)") {
			t.Errorf("summary:\n%s", stdout)
		}
		if !strings.Contains(stderr, "20240112.txt:7: ") || !strings.Contains(stderr, "残留一行") {
			t.Errorf("warning lacks file:line:\n%s", stderr)
		}
		if got := strings.Contains(stderr, "\r\033[K导入 ["); got != terminal {
			t.Errorf("terminal=%v: progress bar drawn = %v", terminal, got)
		}
	}
	c, err := content.Load(os.DirFS(out), content.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Editions) != 2 || len(c.Stories) != 2 {
		t.Fatalf("%d editions, %d stories", len(c.Editions), len(c.Stories))
	}
	if e := c.Edition("2024-01-05"); e == nil || e.Page != 14 || e.Masthead.Editor != "郭爽" {
		t.Errorf("edition 2024-01-05 = %+v", e)
	}
	if s := c.Story(c.Edition("2024-01-12").Items[0].Story); s == nil || s.Credit != "真如镇 桃浦镇" || !strings.Contains(string(s.Body), "残留一行") {
		t.Errorf("story = %+v", s)
	}
	if c.Site.Masthead.Editor != "郭爽" {
		t.Errorf("site.yaml not bootstrapped from the first page: %+v", c.Site)
	}
}

func TestImportUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	undated := filepath.Join(dir, "page.txt")
	os.WriteFile(undated, []byte("标题\n\n正文。\n\n长征镇 供稿\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no files", nil, 2, "name a page text file"},
		{"bad date", []string{"-date", "2025-13-40", undated}, 2, "not a date"},
		{"no date", []string{undated}, 2, "which day's page"},
		{"two pages one date", []string{"-date", "2025-05-22", undated, undated}, 2, "would both be the edition of 2025-05-22"},
		{"missing file", []string{"-date", "2025-05-22", filepath.Join(dir, "nope.txt")}, 1, "cannot read"},
		{"undecodable page", []string{"-date", "2025-05-22", "-out", filepath.Join(dir, "c"), writeFile(t, dir, "bad.txt", "标题\n\xff\xfe\x80\x80\n")}, 1, "line 2: the file is neither UTF-8 nor GB18030"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runImportCmd(t, false, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
