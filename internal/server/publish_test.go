package server

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/publish"
	"github.com/banmian/banmian/internal/store"
)

// storeState is what publishing changes in the store.
func storeState(t testing.TB, e *testEnv, date string, ids ...string) string {
	ed, err := e.st.Edition(date)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("edition %s %s;", ed.Status, ed.Published)
	for _, id := range ids {
		sub, _ := e.st.Submission(id)
		h, _ := e.st.History(id)
		out += fmt.Sprintf(" %s %s %s %d;", id, sub.Status, sub.Slug, len(h))
	}
	return out
}

func TestPublishIsAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"files", "build", "index", "store"} {
		t.Run(step, func(t *testing.T) {
			e := newEnv(t)
			id := e.mustSubmission("changzheng", "长征镇", "垃圾分类新风尚", "长征镇居民积极参与垃圾分类。", store.StatusAccepted)
			resp, body := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
				`{"page":12,"items":[{"submission":"`+id+`","lead":true},{"box":{"id":"honour-roll","title":"荣誉榜","rows":[{"company":"甲公司","product":"水壶","award":"优秀"}]}}]}`)
			if resp.StatusCode != 200 {
				t.Fatalf("put edition: %d %s", resp.StatusCode, body)
			}
			beforeContent, beforeSite := tree(t, e.source), tree(t, e.out)
			beforeStore := storeState(t, e, "2025-06-24", id)
			injected := errors.New("injected failure at " + step)
			e.srv.pub.SetHook(func(s string) error {
				if s == step {
					return injected
				}
				return nil
			})
			resp, body = e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", "")
			if resp.StatusCode != 500 {
				t.Fatalf("publish with a failure: %d %s", resp.StatusCode, body)
			}
			if strings.Contains(body, "injected") {
				t.Errorf("internal cause shown to the user: %s", body)
			}
			if got := tree(t, e.source); !maps.Equal(got, beforeContent) {
				t.Errorf("content/ changed: %v", diffKeys(beforeContent, got))
			}
			if got := tree(t, e.out); !maps.Equal(got, beforeSite) {
				t.Errorf("site changed: %v", diffKeys(beforeSite, got))
			}
			if got := storeState(t, e, "2025-06-24", id); got != beforeStore {
				t.Errorf("store changed:\n%s\n%s", beforeStore, got)
			}
			res, _ := e.idx.Search(t.Context(), searchQuery("垃圾分类"))
			if res != nil && res.Total != 0 {
				t.Errorf("index has the story after a failed publish: %+v", res.Hits)
			}
			// Without the failure it goes through.
			e.srv.pub.SetHook(nil)
			if resp, body := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", ""); resp.StatusCode != 200 {
				t.Fatalf("publish: %d %s", resp.StatusCode, body)
			}
			if _, err := os.Stat(filepath.Join(e.source, "editions", "2025-06-24.yaml")); err != nil {
				t.Error(err)
			}
			if _, err := os.Stat(filepath.Join(e.source, ".banmian-publish")); err == nil {
				t.Error("publish left its staging folder")
			}
		})
	}
}

func diffKeys(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "+"+k)
		}
	}
	return out
}

func TestScheduledPublishingCatchesUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "定时发布的稿件", "正文。", store.StatusAccepted)
	if resp, body := e.api("editor", "PUT", "/api/editions/2025-06-11", "application/json",
		`{"page":3,"items":[{"submission":"`+id+`"}],"publishAt":"2025-06-10T08:00:00+08:00"}`); resp.StatusCode != 200 {
		t.Fatalf("put: %d %s", resp.StatusCode, body)
	}
	// A server started later (as after a restart) publishes it at once:
	// at its first look, not at a tick an hour away.
	e.srv.Close()
	committed := make(chan struct{})
	e2 := newEnvOn(t, e, func(c *Config) {
		c.SchedulerInterval = time.Hour
		c.PublishHook = func(step string) error {
			if step == publish.StepCommitted {
				close(committed) // once: the only due edition
			}
			return nil
		}
	})
	select {
	case <-committed:
	case <-time.After(time.Minute): // a guard against a hang, not a wait
		t.Fatal("the due edition was not published")
	}
	if ed, err := e2.st.Edition("2025-06-11"); err != nil || ed.Status != store.EditionPublished {
		t.Fatalf("after the catch-up publish: %+v, %v", ed, err)
	}
}

// newEnvOn starts a second server over e's store and folders.
func newEnvOn(t *testing.T, e *testEnv, mod func(*Config)) *testEnv {
	cfg := e.srv.cfg
	mod(&cfg)
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e2 := *e
	e2.srv = srv
	return &e2
}

func TestWatchRebuildsAndReloads(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.Watch = true })
	_, page := e.do(e.client(), "GET", "/stories/changzheng-guandao/", "", nil)
	if !strings.Contains(page, "reload.js") {
		t.Fatal("no reload script on reader pages with -watch")
	}
	if resp := openStream(e, "", "/desk/events"); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("/desk/events with -watch: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ch := e.srv.reload.subscribe()
	defer e.srv.reload.unsubscribe(ch)
	writeFile(t, filepath.Join(e.source, "stories", "changzheng-guandao.md"), strings.Replace(testStory, "持续推动", "大力推动", 1))
	// The watcher polls once a second and then rebuilds the site; under
	// -race on a loaded machine that took more than 10 s. The limit is a
	// guard against a hang, not a wait.
	select {
	case <-ch:
	case <-time.After(time.Minute):
		t.Fatal("no reload after a content change")
	}
	_, page = e.do(e.client(), "GET", "/stories/changzheng-guandao/", "", nil)
	if !strings.Contains(page, "大力推动") {
		t.Error("site not rebuilt")
	}
	_ = url.Values{}
}
