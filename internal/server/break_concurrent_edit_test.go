package server

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// Break 4: an edition saved while its publish was running got a story
// marked published that never went out. The publish must work on one
// version: a change made during it fails the publish with a conflict (and
// the site, content/ and store stay as they were).
func TestEditionChangedDuringPublish(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"files", "build", "index", "store"} {
		t.Run(step, func(t *testing.T) {
			e := newEnv(t)
			a := e.mustSubmission("changzheng", "长征镇", "先放上版面的稿件", "正文一。", store.StatusAccepted)
			b := e.mustSubmission("hongqiao", "虹桥镇", "发布途中加上的稿件", "正文二。", store.StatusAccepted)
			if resp, body := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
				`{"page":12,"items":[{"submission":"`+a+`","lead":true}]}`); resp.StatusCode != 200 {
				t.Fatalf("put edition: %d %s", resp.StatusCode, body)
			}
			before := treeHash(t, e.out)
			e.srv.pub.SetHook(func(s string) error {
				if s != step {
					return nil
				}
				// Another writer of the store (as a second process or a
				// code path that does not wait) changes the edition.
				_, err := e.st.PutEdition(store.Edition{Date: "2025-06-24", Page: 12,
					Items: []store.EditionItem{{Submission: a, Lead: true}, {Submission: b}}}, "editor")
				return err
			})
			resp, body := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", "")
			if resp.StatusCode != 409 {
				t.Errorf("publish of an edition changed on the way: %d %s", resp.StatusCode, body)
			}
			e.srv.pub.SetHook(nil)
			for _, id := range []string{a, b} {
				if sub, _ := e.st.Submission(id); sub.Status == store.StatusPublished {
					t.Errorf("%s (%s) is published in the store", id, sub.Title)
				}
			}
			if got := treeHash(t, e.out); got != before {
				t.Error("public/ changed by the refused publish")
			}
			// Publishing again publishes the new version, both stories.
			if resp, body := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", ""); resp.StatusCode != 200 {
				t.Fatalf("publish: %d %s", resp.StatusCode, body)
			}
			assertPublishedAreLive(t, e)
		})
	}
}

// assertPublishedAreLive checks the store claims nothing the site does not
// show: every published submission has its story page.
func assertPublishedAreLive(t *testing.T, e *testEnv) {
	t.Helper()
	subs, err := e.st.Submissions(store.SubmissionFilter{Statuses: []store.Status{store.StatusPublished}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		if _, err := os.Stat(filepath.Join(e.out, "stories", sub.Slug, "index.html")); errors.Is(err, os.ErrNotExist) || sub.Slug == "" {
			t.Errorf("%s (%s) is published in the store but not on the site", sub.ID, sub.Title)
		}
	}
}

// A desk save sent while a publish runs waits for it, then is refused
// (the edition is published); the store and the site agree.
func TestEditionSaveWaitsForPublish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustSubmission("changzheng", "长征镇", "先放上版面的稿件", "正文一。", store.StatusAccepted)
	b := e.mustSubmission("hongqiao", "虹桥镇", "发布途中加上的稿件", "正文二。", store.StatusAccepted)
	if resp, body := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
		`{"page":12,"items":[{"submission":"`+a+`","lead":true}]}`); resp.StatusCode != 200 {
		t.Fatalf("put edition: %d %s", resp.StatusCode, body)
	}
	put := make(chan int, 1)
	e.srv.pub.SetHook(func(s string) error {
		if s == "build" {
			go func() {
				resp, _ := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
					`{"page":12,"items":[{"submission":"`+a+`","lead":true},{"submission":"`+b+`"}]}`)
				put <- resp.StatusCode
			}()
		}
		return nil
	})
	if resp, body := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", ""); resp.StatusCode != 200 {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	if code := <-put; code != 409 {
		t.Errorf("save during publish: %d, want 409 after waiting", code)
	}
	if sub, _ := e.st.Submission(b); sub.Status == store.StatusPublished {
		t.Error("the story added during the publish is marked published")
	}
	assertPublishedAreLive(t, e)
}
