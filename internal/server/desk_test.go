package server

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// TestCaptionEdit: a caption can be changed after upload, from the form.
func TestCaptionEdit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "社区食堂开张", "居民排起长队。", store.StatusDraft)
	p, err := processPhoto(jpegBytes(t, 40, 30))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.PutPhoto(id, "changzheng", store.Photo{Name: "1" + p.Ext, Caption: "旧说明", Width: p.Width, Height: p.Height, Type: p.Type, Size: int64(len(p.Data))}, p.Data); err != nil {
		t.Fatal(err)
	}
	c, csrf := e.login("changzheng")
	_, page := e.do(c, "GET", "/desk/submissions/"+id, "", nil)
	if !strings.Contains(page, `name="caption:1`+p.Ext+`" value="旧说明"`) {
		t.Fatalf("no caption field on the form")
	}
	sub, _ := e.st.Submission(id)
	resp, body := e.form(c, "/desk/submissions/"+id, url.Values{"csrf": {csrf}, "rev": {strconv.Itoa(sub.Rev)}, "title": {sub.Title}, "body": {sub.Body},
		"caption:1" + p.Ext: {"居民排队就餐"}, "do": {"save"}})
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	if sub, _ = e.st.Submission(id); sub.Photos[0].Caption != "居民排队就餐" {
		t.Errorf("caption: %q", sub.Photos[0].Caption)
	}
}

// TestEditConflictShowsBoth: saving over a newer revision keeps the
// user's text in the form, shows the other version, and saving again
// keeps the user's.
func TestEditConflictShowsBoth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "社区食堂开张", "居民排起长队。", store.StatusDraft)
	c, csrf := e.login("changzheng")
	if _, err := e.st.UpdateSubmission(id, "changzheng", func(s *store.Submission) error { s.Body = "对方改过的正文。"; return nil }); err != nil {
		t.Fatal(err)
	}
	resp, body := e.form(c, "/desk/submissions/"+id, url.Values{"csrf": {csrf}, "rev": {"1"}, "title": {"社区食堂开张"}, "body": {"我的正文。"}, "do": {"save"}})
	if resp.StatusCode != 409 {
		t.Fatalf("conflict: %d", resp.StatusCode)
	}
	for _, want := range []string{`id="conflict"`, "对方改过的正文。", ">我的正文。</textarea>", `name="rev" value="2"`, "保留我的版本", "采用对方的版本"} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	resp, _ = e.form(c, "/desk/submissions/"+id, url.Values{"csrf": {csrf}, "rev": {"2"}, "title": {"社区食堂开张"}, "body": {"我的正文。"}, "do": {"save"}})
	if sub, _ := e.st.Submission(id); resp.StatusCode != 303 || sub.Body != "我的正文。" {
		t.Errorf("keeping mine: %d, %q", resp.StatusCode, sub.Body)
	}
}

// TestNotificationsAPI: the inbox as JSON, marking one read, and reopen.
func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "社区食堂开张", "居民排起长队。", store.StatusReturned)
	resp, body := e.api("changzheng", "GET", "/api/notifications", "", "")
	var got struct {
		Notifications []struct {
			ID, Submission, Kind, Note, At string
			Read                           bool
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 || len(got.Notifications) != 1 {
		t.Fatalf("%d %s %v", resp.StatusCode, body, err)
	}
	n := got.Notifications[0]
	if n.Submission != id || n.Kind != "returned" || n.Note == "" || n.At == "" || n.Read {
		t.Errorf("notification %+v", n)
	}
	if resp, body := e.api("hongqiao", "POST", "/api/notifications/"+n.ID+"/read", "", ""); resp.StatusCode != 404 {
		t.Errorf("another office marking it: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.api("changzheng", "POST", "/api/notifications/"+n.ID+"/read", "", ""); resp.StatusCode != 200 {
		t.Errorf("marking read: %d %s", resp.StatusCode, body)
	}
	_, body = e.api("changzheng", "GET", "/api/notifications", "", "")
	if !strings.Contains(body, `"read":true`) {
		t.Errorf("after marking: %s", body)
	}
	if resp, body := e.api("changzheng", "POST", "/api/submissions/"+id+"/withdraw", "", ""); resp.StatusCode != 200 {
		t.Fatalf("withdraw: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.api("hongqiao", "POST", "/api/submissions/"+id+"/reopen", "", ""); resp.StatusCode != 404 {
		t.Errorf("another office reopening: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.api("changzheng", "POST", "/api/submissions/"+id+"/reopen", "", ""); resp.StatusCode != 200 || !strings.Contains(body, `"draft"`) {
		t.Errorf("reopen: %d %s", resp.StatusCode, body)
	}
}
