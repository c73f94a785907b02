package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

// hostileBodies are story bodies whose rendering time grew with the
// square of their size (issue 12), each about n bytes.
var hostileBodies = []struct {
	name string
	gen  func(n int) string
	deep bool // nests too deeply: refused at any size
}{
	{"> repeated", func(n int) string { return strings.Repeat(">", n) }, true},
	{"half-width commas between Chinese (a finding each)", func(n int) string { return strings.Repeat("好,", n/4) }, false},
	{"autolinks", func(n int) string { return strings.Repeat("<http://a.b/>", n/13) }, false},
	{"[a]( repeated", func(n int) string { return strings.Repeat("[a](", n/4) }, false},
	{"link reference definitions", func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "[r%d]: http://a.b/%d, 见说明.\n", i, i)
		}
		return b.String()
	}, false},
}

// hostileSizes are the sizes the server tests send hostile bodies at:
// just under the body cap and 1.9 MB (over two minutes each in the old
// server); under the race detector, which slows the server 5-10 times,
// 64 KB and 300 KB (the markdown package times the full sizes).
func hostileSizes() (under, over int) {
	if raceEnabled {
		return 64 << 10, 300 << 10
	}
	return content.MaxBodyBytes - 1024, 1900 << 10
}

// preview posts a body to the desk's live preview with a Bearer token.
func (e *testEnv) preview(body string) (*http.Response, string) {
	e.t.Helper()
	return e.api("changzheng", "POST", "/desk/preview", "application/json", mustJSON(e.t, map[string]string{"body": body}))
}

// errorMessage is the "error" of a JSON error response.
func errorMessage(t testing.TB, text string) string {
	t.Helper()
	var out struct{ Error string }
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("not a JSON error: %q", text)
	}
	return out.Error
}

// TestHostileBodiesHTTP sends each hostile shape at 1.9 MB (over two
// minutes each in the old server) and just under the body cap to the
// preview and the API (smaller under -race, see hostileSizes). Over the
// cap the answer is a 400 in Chinese before any parsing, or a 413 before
// any reading when the request is too big to hold a story
// (storyRequestMax); under it the preview renders. Each request has a 30 s
// client timeout, a backstop against a hang, not a speed target.
func TestHostileBodiesHTTP(t *testing.T) {
	// JSON escapes "<" and ">" in six bytes: let 1.9 MB bodies through.
	// A minute per rendering: the race detector on a loaded machine can
	// take over the default 3 s (TestRenderDeadlineHTTP covers it).
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes, c.RenderTimeout = 16<<20, time.Minute })
	underSize, overSize := hostileSizes()
	for _, hb := range hostileBodies {
		t.Run(hb.name, func(t *testing.T) {
			big := hb.gen(overSize)
			start := time.Now()
			// A request too big for any story is refused unread (413);
			// a smaller one once its body is measured (400).
			refused := func(what string, n int, resp *http.Response, text string) {
				t.Helper()
				want := http.StatusBadRequest
				if n > storyRequestMax {
					want = http.StatusRequestEntityTooLarge
				}
				if resp.StatusCode != want || !strings.Contains(errorMessage(t, text), "上限为 200 KB") {
					t.Errorf("%s of %d bytes (%d of JSON): %d %s, want %d", what, len(big), n, resp.StatusCode, text, want)
				}
			}
			req := mustJSON(t, map[string]string{"body": big})
			resp, text := e.preview(big)
			refused("preview", len(req), resp, text)
			req = mustJSON(t, map[string]string{"title": "超长稿件", "body": big})
			resp, text = e.api("changzheng", "POST", "/api/submissions", "application/json", req)
			refused("creating", len(req), resp, text)
			t.Logf("%d bytes refused in %v", len(big), time.Since(start))

			under := hb.gen(underSize)
			start = time.Now()
			resp, text = e.preview(under)
			if hb.deep {
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errorMessage(t, text), "嵌套超过 16 层") {
					t.Errorf("preview of %d bytes: %d %.300s", len(under), resp.StatusCode, text)
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("preview of %d bytes: %d %.300s", len(under), resp.StatusCode, text)
			}
			var res previewResult
			if err := json.Unmarshal([]byte(text), &res); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d bytes previewed in %v with %d findings", len(under), time.Since(start), len(res.Findings))
		})
	}
}

// TestPreviewFindingOffsets: the UTF-16 offsets of findings, counted on
// from one finding to the next, are those of a count from the start.
func TestPreviewFindingOffsets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := "长征镇,虹桥镇.\n\n😀 “多格合一”,舒心!\n\n[链接](http://a.b/c,d) 好,好"
	resp, text := e.preview(body)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, text)
	}
	var res previewResult
	if err := json.Unmarshal([]byte(text), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) < 4 {
		t.Fatalf("findings: %+v", res.Findings)
	}
	for _, f := range res.Findings {
		if want := utf16Len(body[:f.Offset]); f.Start != want || f.End != want+utf16Len(f.Original) {
			t.Errorf("finding %+v: start %d end %d, want %d", f.Finding, f.Start, f.End, want)
		}
	}
}

// TestStoryLimitsHTTP: every way a story reaches the server answers 400
// with the reason in Chinese when the body is over 200 KB, the front
// matter over 64 KB or the nesting over 16 levels, and stores nothing.
func TestStoryLimitsHTTP(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes = 4 << 20 })
	id := e.createViaAPI("changzheng", "原稿", "原来的正文。")
	long := strings.Repeat("长征镇持续推动基层治理。", content.MaxBodyBytes/36+1)
	deep := "正文。\n\n" + strings.Repeat("> ", 17) + "引文"
	var keys strings.Builder
	keys.WriteString("---\ntitle: 多键稿件\n")
	// 20,000 keys: 300 KB, over the front matter cap and under the
	// request cap (storyRequestMax; 100,000 keys are refused unread).
	for i := range 20_000 {
		fmt.Fprintf(&keys, "k%d: 值%d\n", i, i)
	}
	keys.WriteString("---\n正文。\n")
	tests := []struct {
		name, method, path, ctype, body, want string
	}{
		{"preview, long body", "POST", "/desk/preview", "application/json", mustJSON(t, map[string]string{"body": long}), "正文过长"},
		{"preview, deep nesting", "POST", "/desk/preview", "application/json", mustJSON(t, map[string]string{"body": deep}), "第 3 行的引用和列表嵌套超过 16 层"},
		{"create, long body", "POST", "/api/submissions", "application/json", mustJSON(t, map[string]string{"title": "长稿", "body": long}), "正文过长"},
		{"create, deep nesting", "POST", "/api/submissions", "application/json", mustJSON(t, map[string]string{"title": "深稿", "body": deep}), "嵌套超过 16 层"},
		{"create, 20,000 front matter keys", "POST", "/api/submissions", "text/markdown", keys.String(), "元数据（front matter）过大"},
		{"create, Markdown file with a long body", "POST", "/api/submissions", "text/markdown", "---\ntitle: 长稿\n---\n" + long, "正文过长"},
		{"update, long body", "PUT", "/api/submissions/" + id, "application/json", mustJSON(t, map[string]string{"title": "原稿", "body": long}), "正文过长"},
		{"update, deep nesting", "PUT", "/api/submissions/" + id, "application/json", mustJSON(t, map[string]string{"title": "原稿", "body": deep}), "嵌套"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			resp, text := e.api("changzheng", tt.method, tt.path, tt.ctype, tt.body)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%d %.300s", resp.StatusCode, text)
			}
			if msg := errorMessage(t, text); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q lacks %q", msg, tt.want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusing took %v", d) // a backstop: it takes milliseconds
			}
		})
	}
	subs, err := e.st.Submissions(store.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Body != "原来的正文。" {
		t.Errorf("the store changed: %+v", subs)
	}
	// Under the caps all is well.
	if resp, text := e.preview(strings.Repeat("> ", 16) + "引文"); resp.StatusCode != 200 {
		t.Errorf("16 levels: %d %s", resp.StatusCode, text)
	}
}

// TestSubmissionIndexSkipsUnchanged: a restart renders only the
// submissions whose text changed since they were indexed.
func TestSubmissionIndexSkipsUnchanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var ids []string
	for i := range 5 {
		ids = append(ids, e.createViaAPI("changzheng", fmt.Sprintf("稿件%d", i), "长征镇老年助餐点开张。"))
	}
	if got := e.listIDs("editor", url.Values{"q": {"助餐点"}}); len(got) != 5 {
		t.Fatalf("indexed: %v", got)
	}
	restart := func() *Server {
		t.Helper()
		if err := e.srv.Close(); err != nil {
			t.Fatal(err)
		}
		srv, err := New(e.srv.cfg)
		if err != nil {
			t.Fatal(err)
		}
		addr, err := srv.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		e.srv, e.base = srv, "http://"+addr
		return srv
	}
	if n := restart().subRenders.Load(); n != 0 {
		t.Errorf("a restart with nothing changed rendered %d submissions", n)
	}
	// A change the index missed (as after a crash) is rendered at the
	// next start, and only it.
	if _, err := e.st.UpdateSubmission(ids[2], "changzheng", func(s *store.Submission) error {
		s.Body = "虹桥镇河道整治完工。"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := restart().subRenders.Load(); n != 1 {
		t.Errorf("a restart after one change rendered %d submissions, want 1", n)
	}
	if got := e.listIDs("editor", url.Values{"q": {"河道"}}); !slices.Equal(got, []string{ids[2]}) {
		t.Errorf("the changed submission: %v", got)
	}
	if got := e.listIDs("editor", url.Values{"q": {"助餐点"}}); len(got) != 4 {
		t.Errorf("the unchanged ones: %v", got)
	}
}

// TestRenderDeadlineHTTP: a preview that runs out of time answers 503
// with a Chinese message.
func TestRenderDeadlineHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.RenderTimeout = time.Nanosecond })
	resp, text := e.preview("长征镇持续推动基层治理。")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(errorMessage(t, text), "排版预览超时") {
		t.Errorf("%d %s", resp.StatusCode, text)
	}
}

// TestLongPreviewWaitsForItsSlot: a preview of a long body waits for the
// one slot for long bodies, within the render deadline (then 503 in
// Chinese), and for the slot's cooldown after another long body (the gate
// keeps long bodies to heavyShare of a CPU); a preview of a short body
// never does.
func TestLongPreviewWaitsForItsSlot(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RenderTimeout = 2 * time.Second })
	cooldowns := make(chan func(), 1)
	e.srv.heavy.after = func(_ time.Duration, open func()) { cooldowns <- open }
	e.srv.heavy.slot <- struct{}{} // another long body is rendering
	if resp, text := e.preview("长征镇持续推动基层治理。"); resp.StatusCode != http.StatusOK {
		t.Errorf("short preview: %d %s", resp.StatusCode, text)
	}
	long := longBody("长征镇持续推动基层治理")
	if resp, text := e.preview(long); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(errorMessage(t, text), "排版预览超时") {
		t.Errorf("long preview while the slot is taken: %d %.200s", resp.StatusCode, text)
	}
	<-e.srv.heavy.slot
	if resp, text := e.preview(long); resp.StatusCode != http.StatusOK {
		t.Errorf("long preview: %d %.200s", resp.StatusCode, text)
	}
	open := <-cooldowns
	if resp, text := e.preview(long); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("long preview during the cooldown: %d %.200s", resp.StatusCode, text)
	}
	if resp, text := e.preview("长征镇持续推动基层治理。"); resp.StatusCode != http.StatusOK {
		t.Errorf("short preview during the cooldown: %d %s", resp.StatusCode, text)
	}
	open()
	if resp, text := e.preview(long); resp.StatusCode != http.StatusOK {
		t.Errorf("long preview after the cooldown: %d %.200s", resp.StatusCode, text)
	}
}

// unreadBody fails its test when read: a request that must be refused
// before its body is read.
type unreadBody struct{ t *testing.T }

func (b unreadBody) Read([]byte) (int, error) {
	b.t.Error("the body of a request over the story cap was read")
	return 0, io.EOF
}

func (unreadBody) Close() error { return nil }

// TestStoryRequestRefusedUnread: a request to a route that takes one
// story (the preview, the API's create and update), bigger than any story
// can be (storyRequestMax), is answered 413 in Chinese without its body
// being read, even when Config.MaxBodyBytes would let it through.
func TestStoryRequestRefusedUnread(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes = 16 << 20 })
	id := e.mustSubmission("changzheng", "长征镇", "草稿", "正文", store.StatusDraft)
	for _, tc := range []struct{ method, path string }{
		{"POST", "/desk/preview"},
		{"POST", "/api/submissions"},
		{"PUT", "/api/submissions/" + id},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		req.Body, req.ContentLength = unreadBody{t}, 1900<<10
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens["changzheng"])
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, req)
		msg := errorMessage(t, rec.Body.String())
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "1900 KB") || !strings.Contains(msg, "正文上限为 200 KB") {
			t.Errorf("%s %s of 1.9 MB: %d %s", tc.method, tc.path, rec.Code, msg)
		}
	}
	// Under the request cap the body is read, and measured: over the body
	// cap it is refused with the body cap.
	body := strings.Repeat("好", content.MaxBodyBytes/3+10)
	resp, text := e.preview(body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errorMessage(t, text), "正文过长") {
		t.Errorf("preview of %d bytes: %d %.200s", len(body), resp.StatusCode, text)
	}
}

// TestPreviewListsFirstFindings: a preview lists the first
// maxPreviewFindings findings in source order, counts them all, and its
// fixed text has every fix.
func TestPreviewListsFirstFindings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	n := maxPreviewFindings + 50
	body := strings.Repeat("好,", n) + "好"
	resp, text := e.preview(body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %.300s", resp.StatusCode, text)
	}
	var res previewResult
	if err := json.Unmarshal([]byte(text), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != maxPreviewFindings || res.FindingsTotal != n || res.FixableTotal != n {
		t.Fatalf("%d findings listed, %d in all, %d fixable; want %d, %d, %d", len(res.Findings), res.FindingsTotal, res.FixableTotal, maxPreviewFindings, n, n)
	}
	for i, f := range res.Findings {
		if want := 2*i + 1; f.Start != want || f.Original != "," || f.Suggestion != "，" {
			t.Fatalf("finding %d: %+v at %d, want \",\" → \"，\" at %d", i, f.Finding, f.Start, want)
		}
	}
	if want := strings.Repeat("好，", n) + "好"; res.Fixed != want {
		t.Errorf("fixed text has %d full-width commas, want %d", strings.Count(res.Fixed, "，"), n)
	}
}
