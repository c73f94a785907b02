package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/deploy"
)

// TestDeployCommand builds a site and deploys it to a folder target of
// site.yaml: whole, then nothing; flags and target errors are usage errors.
func TestDeployCommand(t *testing.T) {
	dir := t.TempDir()
	src, out, www := filepath.Join(dir, "content"), filepath.Join(dir, "public"), filepath.Join(dir, "www")
	writeFiles(t, src, map[string]string{
		"site.yaml":                "title: 多维世界\ndeploy:\n  targets:\n    - name: nginx\n      url: \"file://" + filepath.ToSlash(www) + "\"\n    - name: oss\n      url: \"s3://banmian/site?endpoint=http://127.0.0.1:1&region=us-east-1\"\n      pathStyle: true\n",
		"stories/a.md":             "---\ntitle: 小区管道“添堵”\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n正文。\n",
		"editions/2025-05-22.yaml": "date: 2025-05-22\npage: 14\nitems:\n  - story: a\n",
	})
	if code, _, stderr := runCmd(t, "build", "-source", src, "-out", out, "-index", ""); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	code, _, stderr := runCmd(t, "deploy", "-source", src, "-out", out)
	if code != 2 || !strings.Contains(stderr, "choose one with -target") {
		t.Fatalf("two targets, none chosen: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCmd(t, "deploy", "-source", src, "-out", out, "-target", "nginx", "-dry-run")
	if code != 0 || !strings.Contains(stdout, "upload stories/a/index.html") || !strings.Contains(stdout, "would upload") {
		t.Fatalf("dry run: exit %d: %s %s", code, stdout, stderr)
	}
	if _, err := os.Stat(www); !os.IsNotExist(err) {
		t.Fatal("a dry run made the folder")
	}
	code, stdout, stderr = runCmd(t, "deploy", "-source", src, "-out", out, "-target", "nginx")
	if code != 0 || !strings.Contains(stdout, "deployed "+out+" to nginx") || !strings.Contains(stdout, "0 unchanged") {
		t.Fatalf("deploy: exit %d: %s %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(www, "stories", "a", "index.html")); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCmd(t, "deploy", "-source", src, "-out", out, "-target", "nginx")
	if code != 0 || !strings.Contains(stdout, "uploaded 0 files") {
		t.Fatalf("second deploy: exit %d: %s", code, stdout)
	}

	// No credentials in the environment: a clear message in both languages.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	code, _, stderr = runCmd(t, "deploy", "-source", src, "-out", out, "-target", "oss")
	if code != 1 || !strings.Contains(stderr, "没有找到访问密钥") || !strings.Contains(stderr, "no credentials") {
		t.Fatalf("no credentials: exit %d: %s", code, stderr)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-target", "cos"}, `no deploy target "cos"`},
		{[]string{"-max-deletes", "-1"}, "-max-deletes must be 0 or more"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		code, _, stderr := runCmd(t, append([]string{"deploy", "-source", src, "-out", out}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
	}
}

// TestAutoDeployer: serve's deployer reads deploy.auto, waits for the
// static search index, deploys, and reads site.yaml again each time.
func TestAutoDeployer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, out, www := filepath.Join(dir, "content"), filepath.Join(dir, "public"), filepath.Join(dir, "www")
	siteYAML := "title: 多维世界\ndeploy:\n  auto: nginx\n  targets:\n    - name: nginx\n      url: \"" + filepath.ToSlash(www) + "\"\n"
	writeFiles(t, src, map[string]string{
		"site.yaml":    siteYAML,
		"stories/a.md": "---\ntitle: 小区管道“添堵”\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n正文。\n",
	})
	if code, _, stderr := runCmd(t, "build", "-source", src, "-out", out, "-index", ""); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	logger := slog.New(slog.DiscardHandler)
	settled := 0
	o := siteOptions{source: src, out: out}
	auto, err := autoDeployer(o, func(context.Context) error { settled++; return nil }, logger)
	if err != nil || auto == nil {
		t.Fatalf("autoDeployer: %v, %v", auto, err)
	}
	defer auto.Close()
	auto.Trigger()
	auto.Wait()
	if st := auto.Status(); st.State != deploy.StateDone || st.Target != "nginx" || settled != 1 {
		t.Fatalf("status %+v after %d waits for the search index", st, settled)
	}
	if _, err := os.Stat(filepath.Join(www, "stories", "a", "index.html")); err != nil {
		t.Fatal(err)
	}
	// Auto deploy turned off while serve runs: the next deploy says so.
	writeFiles(t, src, map[string]string{"site.yaml": "title: 多维世界\n"})
	auto.Trigger()
	auto.Wait()
	if st := auto.Status(); st.State != deploy.StateFailed || !strings.Contains(st.Reason, "不再设置自动部署") {
		t.Fatalf("status %+v", st)
	}
	// No deploy.auto: no deployer; a bad auto target stops serve at start.
	if a, err := autoDeployer(o, nil, logger); a != nil || err != nil {
		t.Fatalf("without deploy.auto: %v, %v", a, err)
	}
	writeFiles(t, src, map[string]string{"site.yaml": "deploy:\n  auto: oss\n  targets:\n    - name: oss\n      url: \"ftp://x\"\n"})
	if _, err := autoDeployer(o, nil, logger); err == nil || !strings.Contains(err.Error(), "不认识的地址类型") {
		t.Fatalf("bad target: %v", err)
	}
}
