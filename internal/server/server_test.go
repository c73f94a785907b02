package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

func TestSecurityHeadersAndErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		path, accept string
		status       int
		json         bool
	}{
		{"/desk/login", "text/html", 200, false},
		{"/desk/nothing-here", "text/html", 404, false},
		{"/desk/nothing-here", "application/json", 404, true},
		{"/api/nothing", "", 404, true},
		{"/", "text/html", 200, false},
		{"/stories/changzheng-guandao/", "text/html", 200, false},
		{"/no-such-page/", "text/html", 404, false},
	} {
		resp, body := e.do(e.client(), "GET", tc.path, "", nil, "Accept", tc.accept)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("%s: CSP %q", tc.path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing security headers: %v", tc.path, h)
		}
		if got := strings.HasPrefix(h.Get("Content-Type"), "application/json"); got != tc.json {
			t.Errorf("%s: content type %q", tc.path, h.Get("Content-Type"))
		}
		if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
			t.Errorf("%s: body leaks internals: %s", tc.path, body)
		}
	}
}

func TestSubmitterSeesOnlyOwnOffice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustSubmission("changzheng", "长征镇", "长征镇稿件", "正文。", store.StatusSubmitted)
	b := e.mustSubmission("hongqiao", "虹桥镇", "虹桥镇稿件", "正文。", store.StatusSubmitted)
	_, body := e.api("hongqiao", "GET", "/api/submissions?office=长征镇", "", "")
	if strings.Contains(body, a) || !strings.Contains(body, b) {
		t.Errorf("hongqiao's list: %s", body)
	}
	if resp, _ := e.api("hongqiao", "PUT", "/api/submissions/"+a, "application/json", `{"title":"改了","body":"x"}`); resp.StatusCode != 404 {
		t.Errorf("PUT on another office's submission: %d", resp.StatusCode)
	}
	if resp, _ := e.api("changzheng", "POST", "/api/submissions/"+a+"/accept", "", ""); resp.StatusCode != 403 {
		t.Errorf("submitter accepting: %d", resp.StatusCode)
	}
	_, body = e.api("editor", "GET", "/api/submissions", "", "")
	if !strings.Contains(body, a) || !strings.Contains(body, b) {
		t.Errorf("editor's list: %s", body)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, token := e.login("changzheng")
	v := url.Values{"title": {"没有令牌"}, "body": {"正文。"}}
	if resp, _ := e.form(c, "/desk/submissions", v); resp.StatusCode != 403 {
		t.Errorf("form without CSRF token: %d", resp.StatusCode)
	}
	v.Set("csrf", token+"x")
	if resp, _ := e.form(c, "/desk/submissions", v); resp.StatusCode != 403 {
		t.Errorf("form with a wrong CSRF token: %d", resp.StatusCode)
	}
	v.Set("csrf", token)
	if resp, body := e.form(c, "/desk/submissions", v); resp.StatusCode != 303 {
		t.Errorf("form with the CSRF token: %d %s", resp.StatusCode, body)
	}
	// The API with the session cookie needs the header.
	if resp, _ := e.do(c, "POST", "/api/submissions", "application/json", strings.NewReader(`{"title":"x","body":"y"}`)); resp.StatusCode != 403 {
		t.Errorf("API with cookie, no header: %d", resp.StatusCode)
	}
	if resp, _ := e.do(c, "POST", "/api/submissions", "application/json", strings.NewReader(`{"title":"x","body":"y"}`), "X-CSRF-Token", token); resp.StatusCode != 201 {
		t.Errorf("API with cookie and header: %d", resp.StatusCode)
	}
	// Login form without its token.
	if resp, _ := e.form(e.client(), "/desk/login", url.Values{"name": {"editor"}, "password": {storetest.Password}}); resp.StatusCode != 403 {
		t.Errorf("login without CSRF: %d", resp.StatusCode)
	}
}

func TestSessionExpiryAndLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.SessionTTL = time.Hour })
	c, _ := e.login("editor")
	if resp, _ := e.do(c, "GET", "/desk/dashboard", "", nil); resp.StatusCode != 200 {
		t.Fatalf("dashboard: %d", resp.StatusCode)
	}
	e.clock.Advance(61 * time.Minute)
	resp, _ := e.do(c, "GET", "/desk/dashboard", "", nil)
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/desk/login") {
		t.Errorf("expired session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := e.do(c, "GET", "/api/submissions", "", nil); resp.StatusCode != 401 {
		t.Errorf("expired session on the API: %d", resp.StatusCode)
	}
	c, token := e.login("editor")
	if resp, _ := e.form(c, "/desk/logout", url.Values{"csrf": {token}}); resp.StatusCode != 303 {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := e.do(c, "GET", "/desk/dashboard", "", nil); resp.StatusCode != 303 {
		t.Errorf("after logout: %d", resp.StatusCode)
	}
	setCookie := resp.Header.Values("Set-Cookie")
	_ = setCookie
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.SecureCookies = true })
	c := e.client()
	_, body := e.do(c, "GET", "/desk/login", "", nil)
	m := loginCSRF.FindStringSubmatch(body)
	req, _ := http.NewRequest("POST", e.base+"/desk/login", strings.NewReader(url.Values{"csrf": {m[1]}, "name": {"editor"}, "password": {storetest.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(e.base + "/desk/login")
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	found := false
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName {
			found = true
			if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie flags: %+v", ck)
			}
		}
	}
	if !found {
		t.Errorf("no session cookie: %v", resp.Header)
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.LoginAttempts = 3; c.LoginWindow = time.Minute })
	c := e.client()
	try := func(pw string) int {
		_, body := e.do(c, "GET", "/desk/login", "", nil)
		m := loginCSRF.FindStringSubmatch(body)
		resp, _ := e.form(c, "/desk/login", url.Values{"csrf": {m[1]}, "name": {"editor"}, "password": {pw}})
		return resp.StatusCode
	}
	for i := range 3 {
		if got := try("wrong-password"); got != 401 {
			t.Fatalf("attempt %d: %d", i+1, got)
		}
	}
	if got := try(storetest.Password); got != 429 {
		t.Errorf("after 3 failures, right password: %d, want 429", got)
	}
	e.clock.Advance(2 * time.Minute)
	if got := try(storetest.Password); got != 303 {
		t.Errorf("after the window: %d, want 303", got)
	}
}

func TestOversizedBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := strings.Repeat("字", 200<<10) // 600 KB > 256 KB limit
	resp, body := e.api("changzheng", "POST", "/api/submissions", "application/json", `{"title":"大","body":"`+big+`"}`)
	if resp.StatusCode != 413 || !strings.Contains(body, "error") {
		t.Errorf("oversized JSON: %d %s", resp.StatusCode, body)
	}
	resp, _ = e.api("changzheng", "POST", "/api/submissions", "text/markdown", "---\ntitle: 大\n---\n"+big)
	if resp.StatusCode != 413 {
		t.Errorf("oversized markdown: %d", resp.StatusCode)
	}
	// An oversized photo.
	c, token := e.login("changzheng")
	id := e.mustSubmission("changzheng", "长征镇", "有照片", "正文。", store.StatusDraft)
	resp, body = postMultipart(t, e, c, "/desk/submissions/"+id+"/photos", map[string]string{"csrf": token},
		"photo", "big.jpg", append(jpegBytes(t, 100, 100), make([]byte, 2<<20)...))
	if resp.StatusCode != 413 {
		t.Errorf("oversized photo: %d %s", resp.StatusCode, body)
	}
}

func TestMaliciousMarkdownIsHarmless(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	evil := "正文<script>alert(1)</script>\n\n[点我](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n<iframe src=\"https://evil.example\"></iframe>"
	resp, body := e.api("changzheng", "POST", "/api/submissions", "application/json", mustJSON(t, map[string]any{"title": "<b>标题</b>", "body": evil}))
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(body), &created)
	c, token := e.login("editor")
	_, page := e.do(c, "GET", "/desk/submissions/"+created.ID, "", nil)
	_, prevJSON := e.do(c, "POST", "/desk/preview", "application/json", strings.NewReader(mustJSON(t, map[string]string{"body": evil})), "X-CSRF-Token", token)
	var pr struct{ HTML string }
	if err := json.Unmarshal([]byte(prevJSON), &pr); err != nil || pr.HTML == "" {
		t.Fatalf("preview: %v %s", err, prevJSON)
	}
	prev := pr.HTML
	for name, html := range map[string]string{"page": page, "preview": prev} {
		for _, bad := range []string{"<script>alert", `href="javascript:`, "<img src=x onerror", "<iframe", "<b>标题</b>"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestWorkflowThroughTheDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sc, stoken := e.login("changzheng")
	resp, body := e.form(sc, "/desk/submissions", url.Values{"csrf": {stoken}, "kicker": {"长征镇"}, "title": {"社区食堂开张"}, "body": {"居民们说,饭菜很好吃."}, "tags": {"民生、食堂"}, "do": {"submit"}})
	if resp.StatusCode != 303 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/desk/submissions/")
	ec, etoken := e.login("editor")
	if resp, body := e.form(ec, "/desk/submissions/"+id+"/return", url.Values{"csrf": {etoken}, "note": {"请补充开张日期"}}); resp.StatusCode != 303 {
		t.Fatalf("return: %d %s", resp.StatusCode, body)
	}
	_, page := e.do(sc, "GET", "/desk/submissions/"+id, "", nil)
	if !strings.Contains(page, "请补充开张日期") || !strings.Contains(page, "已退回") {
		t.Errorf("submitter does not see the return note")
	}
	sub, _ := e.st.Submission(id)
	resp, body = e.form(sc, "/desk/submissions/"+id, url.Values{"csrf": {stoken}, "rev": {"1"}, "title": {sub.Title}, "body": {"6月1日，居民们说，饭菜很好吃。"}, "do": {"submit"}})
	if resp.StatusCode != 303 {
		t.Fatalf("resubmit: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.form(sc, "/desk/submissions/"+id+"/notes", url.Values{"csrf": {stoken}, "text": {"已补充"}}); resp.StatusCode != 303 {
		t.Fatalf("note: %d %s", resp.StatusCode, body)
	}
	_, page = e.do(ec, "GET", "/desk/submissions/"+id+"/diff", "", nil)
	if !strings.Contains(page, "<ins>6月1日，</ins>") {
		t.Errorf("diff page: %s", page)
	}
	if resp, body := e.form(ec, "/desk/submissions/"+id+"/accept", url.Values{"csrf": {etoken}}); resp.StatusCode != 303 {
		t.Fatalf("accept: %d %s", resp.StatusCode, body)
	}
	_, page = e.do(ec, "GET", "/desk/dashboard", "", nil)
	if !strings.Contains(page, "<svg") || !strings.Contains(page, "长征镇") {
		t.Errorf("dashboard has no chart")
	}
	_, page = e.do(ec, "GET", "/desk/editions/2025-06-24", "", nil)
	if !strings.Contains(page, "社区食堂开张") || !strings.Contains(page, `value="郭爽"`) {
		t.Errorf("edition builder lacks the accepted story or the default masthead")
	}
	v := url.Values{"csrf": {etoken}, "page": {"12"}, "section": {"多维世界"}, "editor": {"郭爽"}, "place": {id}, "order:" + id: {"1"}, "lead": {id},
		"box_id": {"honour-roll"}, "box_title": {"荣誉榜"}, "box_rows": {"上海某某公司\t电热水壶\t质量信得过产品\n上海某某厂\t电饭煲\t优秀"}, "box_order": {"2"}}
	if resp, body := e.form(ec, "/desk/editions/2025-06-24", v); resp.StatusCode != 303 {
		t.Fatalf("save edition: %d %s", resp.StatusCode, body)
	}
	resp, proof := e.do(ec, "GET", "/desk/editions/2025-06-24/proof", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(proof, "社区食堂开张") {
		t.Errorf("proof: %d", resp.StatusCode)
	}
	if resp, body := e.form(ec, "/desk/editions/2025-06-24/publish", url.Values{"csrf": {etoken}}); resp.StatusCode != 303 {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	sub, _ = e.st.Submission(id)
	if sub.Status != store.StatusPublished || sub.Slug == "" {
		t.Fatalf("after publish: %+v", sub)
	}
	resp, page = e.do(e.client(), "GET", "/stories/"+sub.Slug+"/", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "社区食堂开张") || !strings.Contains(page, "长征镇") {
		t.Errorf("story page: %d", resp.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(e.source, "boxes", "honour-roll.yaml")); err != nil {
		t.Errorf("box file: %v", err)
	}
	_, res := e.do(e.client(), "GET", "/api/search?q="+url.QueryEscape("社区食堂"), "", nil)
	if !strings.Contains(res, sub.Slug) {
		t.Errorf("search does not find the story: %s", res)
	}
	// A correction.
	resp, body = e.form(ec, "/desk/submissions/"+id, url.Values{"csrf": {etoken}, "rev": {"2"}, "title": {sub.Title}, "body": {"6月2日，居民们说，饭菜很好吃。"}, "correction": {"开张日期应为6月2日"}})
	if resp.StatusCode != 303 {
		t.Fatalf("correction: %d %s", resp.StatusCode, body)
	}
	_, page = e.do(e.client(), "GET", "/stories/"+sub.Slug+"/", "", nil)
	if !strings.Contains(page, "开张日期应为6月2日") || !strings.Contains(page, "6月2日，居民们说") {
		t.Errorf("story page lacks the correction")
	}
}
