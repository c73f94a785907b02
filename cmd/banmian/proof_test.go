package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/browsertest"
)

const proofSample = "../../internal/layout/testdata/sample"

func runProofCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	code = run(context.Background(), env, append([]string{"proof"}, args...))
	return code, out.String(), errb.String()
}

func TestProofHTML(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "page.html")
	code, stdout, stderr := runProofCmd(t, "-source", proofSample, "-edition", "2025-06-17", "-html", "-o", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"多维世界", "责任编辑：郭爽", `class="summary"`, "<script>"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("preview lacks %q", want)
		}
	}
	for _, want := range []string{"wrote " + file, "HTML, 390×545 mm, 3 modules, automatic layout", "2025-06-17 第14版"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestProofErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"日期格式错", []string{"-source", proofSample, "-edition", "6月17日"}, 2, "want a date like"},
		{"没有这一期", []string{"-source", proofSample, "-edition", "2024-01-01", "-html"}, 1, "no edition for 2024-01-01 (editions: 2025-06-17)"},
		{"没有内容目录", []string{"-source", "no-such-folder"}, 1, "content folder no-such-folder not found"},
		{"多余参数", []string{"-source", proofSample, "extra"}, 2, "unexpected arguments: extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runProofCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestProofOversetSummary(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "overset.html")
	code, stdout, stderr := runProofCmd(t, "-source", "../../internal/layout/testdata/overset", "-html", "-o", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "(overset，4栏×40行) 超 ") || !strings.Contains(stdout, "需删约") {
		t.Errorf("summary does not report the overset module:\n%s", stdout)
	}
}

func TestProofNoBrowser(t *testing.T) {
	t.Setenv("BANMIAN_CHROMIUM", filepath.Join(t.TempDir(), "no-chromium"))
	dir := t.TempDir()
	code, _, stderr := runProofCmd(t, "-source", proofSample, "-edition", "2025-06-17", "-o", filepath.Join(dir, "page.pdf"))
	if code != 1 || !strings.Contains(stderr, "install the Debian package chromium") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming the Debian package chromium", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "page.pdf")); !os.IsNotExist(err) {
		t.Error("a failed proof left a file behind")
	}
}

func TestProofPDF(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	file := filepath.Join(t.TempDir(), "page.pdf")
	code, stdout, stderr := runProofCmd(t, "-source", proofSample, "-edition", "2025-06-17", "-o", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pdf, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10000 {
		t.Errorf("%s is not a PDF proof (%d bytes)", file, len(pdf))
	}
	if !strings.Contains(stdout, "PDF, 390×545 mm") {
		t.Errorf("stdout: %s", stdout)
	}
}

func TestProofJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runProofCmd(t, "-source", "../../internal/layout/testdata/overset", "-edition", "2025-07-02", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Page struct {
			Fit   string
			Chars int
			Cuts  []struct {
				Item  string
				Chars int
			}
		}
		Modules []map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(rep.Modules) != 3 {
		t.Fatalf("%d modules:\n%s", len(rep.Modules), stdout)
	}
	for _, m := range rep.Modules {
		for _, k := range []string{"item", "kind", "columns", "lines", "needLines", "fit", "chars"} {
			if _, ok := m[k]; !ok {
				t.Errorf("module %v lacks %q", m["item"], k)
			}
		}
	}
	m := rep.Modules[0]
	if m["item"] != "overset" || m["fit"] != "overset" || m["chars"].(float64) < 200 || m["columns"].(float64) != 4 || m["lines"].(float64) != 40 {
		t.Errorf("overset module: %v", m)
	}
	if rep.Page.Fit != "overset" || len(rep.Page.Cuts) == 0 || rep.Page.Cuts[0].Item != "overset" {
		t.Errorf("page: %+v", rep.Page)
	}
}
