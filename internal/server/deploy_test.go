package server

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/deploy"
	"github.com/banmian/banmian/internal/store"
)

// TestDeployAfterPublish: with a Deployer, a publish deploys the site in
// the background and the edition page shows the state; a failed deploy
// leaves the publish done, shows 失败 with the reason and a 重试 button,
// and 重试 deploys again.
func TestDeployAfterPublish(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	var mu sync.Mutex
	www := filepath.Join(root, "missing", "www") // its parent does not exist yet: the first deploy fails
	var out string
	auto := deploy.NewAuto("nginx", func(ctx context.Context) (deploy.Stats, error) {
		mu.Lock()
		dir := www
		mu.Unlock()
		tg, err := deploy.ParseTarget(content.DeployTarget{Name: "nginx", URL: dir})
		if err != nil {
			return deploy.Stats{}, err
		}
		return deploy.Run(ctx, deploy.Options{Dir: out, Target: tg})
	}, nil)
	t.Cleanup(auto.Close)
	e := newEnv(t, func(c *Config) { c.Deployer = auto })
	out = e.out

	id := e.mustSubmission("changzheng", "长征镇", "垃圾分类新风尚", "长征镇居民积极参与垃圾分类。", store.StatusAccepted)
	resp, body := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json", `{"page":12,"items":[{"submission":"`+id+`","lead":true}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("put edition: %d %s", resp.StatusCode, body)
	}
	resp, body = e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	auto.Wait()
	c, csrf := e.login("editor")
	_, page := e.do(c, "GET", "/desk/editions/2025-06-24", "", nil)
	if !strings.Contains(page, `data-state="failed"`) || !strings.Contains(page, "失败：部署文件夹的上级") || !strings.Contains(page, `id="deploy-retry"`) {
		t.Fatalf("edition page after a failed deploy:\n%s", section(page))
	}
	if !strings.Contains(page, "已于") {
		t.Fatal("the failed deploy undid the publish")
	}

	// Fix the target and retry from the page.
	mu.Lock()
	if err := os.MkdirAll(filepath.Dir(www), 0o755); err != nil {
		t.Fatal(err)
	}
	mu.Unlock()
	resp, _ = e.form(c, "/desk/deploy", url.Values{"csrf": {csrf}, "date": {"2025-06-24"}})
	if resp.StatusCode != 303 || !strings.HasSuffix(resp.Header.Get("Location"), "/desk/editions/2025-06-24?msg=deploying") {
		t.Fatalf("retry: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	auto.Wait()
	_, page = e.do(c, "GET", "/desk/editions/2025-06-24", "", nil)
	if !strings.Contains(page, `data-state="done"`) || !strings.Contains(page, "已部署（") || strings.Contains(page, `id="deploy-retry"`) {
		t.Fatalf("edition page after a deploy:\n%s", section(page))
	}
	home, err := os.ReadFile(filepath.Join(www, "index.html"))
	if err != nil || !strings.Contains(string(home), "垃圾分类新风尚") {
		t.Fatalf("the deployed home page lacks the published story: %v", err)
	}
	// Submitters cannot start deploys.
	sc, scsrf := e.login("changzheng")
	if resp, _ := e.form(sc, "/desk/deploy", url.Values{"csrf": {scsrf}, "date": {"2025-06-24"}}); resp.StatusCode != 403 {
		t.Fatalf("a submitter's retry: %d", resp.StatusCode)
	}
}

// section is the deploy part of an edition page, for failure messages.
func section(page string) string {
	if i := strings.Index(page, "deploy-status"); i >= 0 {
		return page[max(0, i-200):min(len(page), i+600)]
	}
	return page
}

// fakeDeployer counts triggers.
type fakeDeployer struct{ triggers atomic.Int64 }

var _ Deployer = (*fakeDeployer)(nil)

func (f *fakeDeployer) Trigger()              { f.triggers.Add(1) }
func (f *fakeDeployer) Status() deploy.Status { return deploy.Status{Target: "oss"} }
