package server

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// createViaAPI creates a submission through the API as user and returns
// its ID.
func (e *testEnv) createViaAPI(user, title, body string) string {
	e.t.Helper()
	resp, text := e.api(user, "POST", "/api/submissions", "application/json", mustJSON(e.t, map[string]string{"title": title, "body": body}))
	if resp.StatusCode != 201 {
		e.t.Fatalf("creating %q: %d %s", title, resp.StatusCode, text)
	}
	var out struct{ ID string }
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		e.t.Fatal(err)
	}
	return out.ID
}

// listIDs lists submissions through the API as user with query parameters.
func (e *testEnv) listIDs(user string, params url.Values) []string {
	e.t.Helper()
	resp, text := e.api(user, "GET", "/api/submissions?"+params.Encode(), "", "")
	if resp.StatusCode != 200 {
		e.t.Fatalf("listing %v as %s: %d %s", params, user, resp.StatusCode, text)
	}
	var out struct{ Submissions []store.Submission }
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		e.t.Fatal(err)
	}
	ids := []string{}
	for _, s := range out.Submissions {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestDashboardSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := map[string]string{
		"垃圾分类": e.createViaAPI("changzheng", "长征镇垃圾分类新风尚", "居民积极参与，垃圾分类成了新习惯。"),
		"热线":   e.createViaAPI("changzheng", "便民热线开通", "居民拨打１２３４５热线反映问题，当天就有回音。"),
		"食堂":   e.createViaAPI("hongqiao", "虹桥镇社区食堂开张", "虹桥镇与长征镇的居民都来尝鲜。"),
		"河道":   e.createViaAPI("hongqiao", "河道整治见成效", "今年整治了三条河道，12345热线的投诉少了一半。"),
		"花园":   e.createViaAPI("changzheng", "桥下的新花园", "老人们在花园里下棋。"),
	}
	want := func(keys ...string) []string {
		out := []string{}
		for _, k := range keys {
			out = append(out, ids[k])
		}
		return out
	}
	for _, tc := range []struct {
		name, user, q string
		extra         url.Values
		want          []string
		ordered       bool // the order is the relevance order
	}{
		{"镇名，标题先于正文，再是本镇供稿", "editor", "长征镇", nil, want("垃圾分类", "食堂", "热线", "花园"), true},
		{"镇名，本单位", "changzheng", "长征镇", nil, want("垃圾分类", "热线", "花园"), false},
		{"镇名，他单位只见本单位", "hongqiao", "长征镇", nil, want("食堂"), false},
		{"号码，全角也算", "editor", "12345", nil, want("热线", "河道"), false},
		{"全角号码", "editor", "１２３４５", nil, want("热线", "河道"), false},
		{"一个字（也查供稿单位）", "editor", "桥", nil, want("食堂", "河道", "花园"), false},
		{"一个字，本单位", "changzheng", "桥", nil, want("花园"), false},
		{"两个不相邻的词", "editor", "垃圾分类 习惯", nil, want("垃圾分类"), false},
		{"按状态过滤", "editor", "12345", url.Values{"status": {"submitted"}}, want(), false},
		{"按单位过滤", "editor", "12345", url.Values{"office": {"虹桥镇"}}, want("河道"), false},
		{"没有结果", "editor", "航天", nil, want(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := url.Values{"q": {tc.q}}
			for k, v := range tc.extra {
				p[k] = v
			}
			got := e.listIDs(tc.user, p)
			if !tc.ordered {
				slices.Sort(got)
				slices.Sort(tc.want)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("q=%q as %s: got %v, want %v", tc.q, tc.user, got, tc.want)
			}
		})
	}

	// The desk page shows the match in context.
	c, _ := e.login("editor")
	_, page := e.do(c, "GET", "/desk/submissions?q="+url.QueryEscape("12345"), "", nil)
	if !strings.Contains(page, `class="snippet"`) || !strings.Contains(page, "<mark>") {
		t.Errorf("search results have no highlighted snippet: %s", page)
	}

	// Edits, transitions and new submissions reach the index at once.
	if resp, body := e.api("changzheng", "PUT", "/api/submissions/"+ids["花园"], "application/json", `{"title":"桥下的新花园","body":"老人们在花园里打太极拳。"}`); resp.StatusCode != 200 {
		t.Fatalf("edit: %d %s", resp.StatusCode, body)
	}
	if got := e.listIDs("editor", url.Values{"q": {"太极拳"}}); !slices.Equal(got, want("花园")) {
		t.Errorf("after an edit, 太极拳: %v", got)
	}
	if got := e.listIDs("editor", url.Values{"q": {"下棋"}}); len(got) != 0 {
		t.Errorf("after an edit, the old text is still found: %v", got)
	}
	if resp, body := e.api("hongqiao", "POST", "/api/submissions/"+ids["河道"]+"/submit", "", ""); resp.StatusCode != 200 {
		t.Fatalf("submit: %d %s", resp.StatusCode, body)
	}
	if got := e.listIDs("editor", url.Values{"q": {"12345"}, "status": {"submitted"}}); !slices.Equal(got, want("河道")) {
		t.Errorf("after submitting, submitted 12345: %v", got)
	}
}

// TestSubmissionIndexCatchesUp checks that a submission the index missed
// (a crash between the store and the index) is found after a restart.
func TestSubmissionIndexCatchesUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "错过索引的稿件", "这篇稿件写进了数据库，却没来得及进索引。", store.StatusSubmitted)
	if got := e.listIDs("editor", url.Values{"q": {"错过索引"}}); len(got) != 0 {
		t.Fatalf("found before the restart: %v", got)
	}
	cfg := e.srv.cfg
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.srv, e.base = srv, "http://"+addr
	if got := e.listIDs("editor", url.Values{"q": {"错过索引"}}); !slices.Equal(got, []string{id}) {
		t.Errorf("after the restart: %v, want [%s]", got, id)
	}
	st, err := srv.SyncSubmissionIndex(t.Context())
	if err != nil || st.Added+st.Updated+st.Removed != 0 {
		t.Errorf("a second sync changed something: %+v %v", st, err)
	}
}

// TestSubmissionSearchSeesEverySave: submissions are indexed in the
// background, in batches, but a search right after saves finds them all.
func TestSubmissionSearchSeesEverySave(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 30
	ids := make([]string, n)
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			resp, text := e.api("changzheng", "POST", "/api/submissions", "application/json",
				mustJSON(e.t, map[string]string{"title": "助餐点第" + strings.Repeat("一", i+1) + "篇", "body": "长征镇老年助餐点开张。"}))
			if resp.StatusCode != 201 {
				t.Errorf("%d %s", resp.StatusCode, text)
				return
			}
			var out struct{ ID string }
			json.Unmarshal([]byte(text), &out)
			ids[i] = out.ID
		}()
	}
	for range n {
		<-done
	}
	got := e.listIDs("editor", url.Values{"q": {"助餐点"}})
	for _, id := range ids {
		if !slices.Contains(got, id) {
			t.Errorf("submission %s not found right after it was saved (%d of %d found)", id, len(got), n)
		}
	}
}

// TestSubQueueWaitsOnlyForEarlierChanges: a search waits for the changes
// queued before it, not for changes that keep arriving after it.
func TestSubQueueWaitsOnlyForEarlierChanges(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	taken := make(chan []string, 4)
	q := &subQueue{index: func(ids []string, _ []preparedSub) {
		taken <- ids
		<-release
	}}
	q.add([]string{"a"}, nil) // the worker takes {a} and blocks
	if got := <-taken; got[0] != "a" {
		t.Fatalf("first batch %v", got)
	}
	mark := q.mark() // a search begins
	waited := make(chan struct{})
	go func() { q.waitFor(mark); close(waited) }()
	q.add([]string{"b"}, nil) // queued after the search began
	select {
	case <-waited:
		t.Fatal("wait returned before the earlier change was indexed")
	default:
	}
	release <- struct{}{} // {a} done; the worker takes {b} and blocks
	if got := <-taken; got[0] != "b" {
		t.Fatalf("second batch %v", got)
	}
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("wait also waited for a change queued after it")
	}
	release <- struct{}{}
	q.close()
	q.add([]string{"c"}, nil) // after close: dropped, the next start re-syncs
	q.wait()
	select {
	case got := <-taken:
		t.Errorf("a batch %v was indexed after close", got)
	default:
	}
}

// longBody is a story body over heavyBody whose only word is word.
func longBody(word string) string {
	return strings.Repeat(word+"。", heavyBody/len(word)+1)
}

// TestSearchDoesNotWaitForLongBodies: a long body is rendered for the
// index by the request that saved it, not by the index worker, so a search
// answers while that rendering waits; once the save has answered, a
// search finds the long body.
func TestSearchDoesNotWaitForLongBodies(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RenderTimeout = time.Minute })
	short := e.createViaAPI("changzheng", "长征镇助餐点开张", "长征镇老年助餐点开张。")
	sub, err := e.st.CreateSubmission(store.Submission{Office: "虹桥镇", Title: "长稿", Body: longBody("虹桥镇河道整治完工")}, "hongqiao")
	if err != nil {
		t.Fatal(err)
	}
	e.srv.heavy.slot <- struct{}{} // long bodies wait for this slot
	saved := make(chan struct{})
	go func() {
		defer close(saved)
		e.srv.indexSubmissions(sub.ID) // as the saving request does
	}()
	if got := e.listIDs("editor", url.Values{"q": {"助餐点"}}); !slices.Equal(got, []string{short}) {
		t.Errorf("search while a long body waits: %v", got)
	}
	select {
	case <-saved:
		t.Fatal("the long body was indexed without its slot")
	default:
	}
	<-e.srv.heavy.slot
	select {
	case <-saved:
	case <-time.After(30 * time.Second):
		t.Fatal("the long body's save never finished")
	}
	if got := e.listIDs("editor", url.Values{"q": {"河道整治"}}); !slices.Equal(got, []string{sub.ID}) {
		t.Errorf("search after the long body's save answered: %v", got)
	}
}

// TestLongBodyReplacedWhileRendering: a long body prepared for the index
// is not written over a later save of the same submission, whichever of
// the two reaches the index worker first.
func TestLongBodyReplacedWhileRendering(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RenderTimeout = time.Minute })
	sub, err := e.st.CreateSubmission(store.Submission{Office: "虹桥镇", Title: "长稿", Body: longBody("虹桥镇河道整治完工")}, "hongqiao")
	if err != nil {
		t.Fatal(err)
	}
	e.srv.heavy.slot <- struct{}{}
	saved := make(chan struct{})
	go func() {
		defer close(saved)
		e.srv.indexSubmissions(sub.ID)
	}()
	if _, err := e.st.UpdateSubmission(sub.ID, "hongqiao", func(s *store.Submission) error {
		s.Body = "长征镇老年助餐点开张。"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.srv.indexSubmissions(sub.ID) // a short body: queued
	<-e.srv.heavy.slot
	select {
	case <-saved:
	case <-time.After(30 * time.Second):
		t.Fatal("the long body's save never finished")
	}
	if got := e.listIDs("editor", url.Values{"q": {"助餐点"}}); !slices.Equal(got, []string{sub.ID}) {
		t.Errorf("the later body: %v", got)
	}
	if got := e.listIDs("editor", url.Values{"q": {"河道整治"}}); len(got) != 0 {
		t.Errorf("the earlier long body is in the index: %v", got)
	}
}
