package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// searchSite is a small content folder for index and search tests.
var searchSite = map[string]string{
	"site.yaml": "title: 多维世界\nbaseURL: https://example.org/duowei/\n",
	"stories/changzheng.md": "---\ntitle: 小区管道“添堵”，“多格合一”舒心\nkicker: 普陀区长征镇为“网格”赋能\ncredit: 长征镇\ndate: 2025-06-12\nslug: changzheng\ntags: [基层治理]\n---\n" +
		"自党建引领“多格合一”试点工作启动以来，**长征镇**持续推动基层治理工作。\n\n居民拨打`12345`热线反映问题。\n",
	"stories/sheshan.md": "---\ntitle: 佘山镇翠鑫苑三位一体工作机制巧解社区“千千结”\ncredit: 佘山镇\ndate: 2025-06-12\nslug: sheshan\n---\n" +
		"稳步推进矛盾、纠纷化解与“１２３４５热线”工单处置工作。\n",
	"stories/decoy.md": "---\ntitle: 重温红军长征精神\ncredit: 真如镇\ndate: 2024-01-05\nslug: decoy\n---\n讲述长征故事，回忆征镇一带的往事。\n",
}

func TestIndexCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, idx := filepath.Join(dir, "content"), filepath.Join(dir, "data", "index")
	writeFiles(t, src, searchSite)

	code, stdout, stderr := runCmd(t, "index", "-source", src, "-index", idx)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "3 added, 0 updated, 0 removed, 0 unchanged") {
		t.Errorf("first run: %q", stdout)
	}

	// Only the changed and removed stories are touched.
	writeFiles(t, src, map[string]string{"stories/sheshan.md": strings.Replace(searchSite["stories/sheshan.md"], "工单", "工单及时", 1)})
	if err := os.Remove(filepath.Join(src, "stories/decoy.md")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCmd(t, "index", "-source", src, "-index", idx)
	if code != 0 || !strings.Contains(stdout, "0 added, 1 updated, 1 removed, 1 unchanged") {
		t.Errorf("second run: exit %d %q %s", code, stdout, stderr)
	}

	// Broken content: file and line, exit 1.
	writeFiles(t, src, map[string]string{"stories/bad.md": "---\ntitle: 坏\ndate: 2025-13-01\n---\n"})
	code, _, stderr = runCmd(t, "index", "-source", src, "-index", idx)
	if code != 1 || !strings.Contains(stderr, "stories/bad.md:3") {
		t.Errorf("bad content: exit %d %q", code, stderr)
	}

	// Usage errors.
	if code, _, _ := runCmd(t, "index", "extra"); code != 2 {
		t.Errorf("extra argument: exit %d", code)
	}
	if code, _, stderr := runCmd(t, "index", "-source", filepath.Join(dir, "missing"), "-index", idx); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("missing source: exit %d %q", code, stderr)
	}
}

// TestIndexProgress: on a terminal index draws a progress line and clears
// it before its summary; in a pipe it prints the summary only.
func TestIndexProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "content")
	writeFiles(t, src, map[string]string{
		"stories/a.md": "---\ntitle: 社区里的新年\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n正文。\n",
	})
	for i, terminal := range []bool{true, false} {
		var stdout, stderr bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Terminal: terminal}
		idx := filepath.Join(dir, "index", string(rune('a'+i)))
		if code := run(context.Background(), env, []string{"index", "-source", src, "-index", idx}); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if got := strings.Contains(stderr.String(), "索引 ["); got != terminal {
			t.Errorf("terminal=%v: bar drawn %v: %q", terminal, got, stderr.String())
		}
		if !strings.Contains(stdout.String(), "1 added") {
			t.Errorf("summary: %q", stdout.String())
		}
	}
}
