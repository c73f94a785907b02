package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/site"
	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

func mustProxies(t *testing.T, list string) []netip.Prefix {
	t.Helper()
	p, err := ParseProxies(list)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestClientAddressAndHTTPS: X-Forwarded-For and X-Forwarded-Proto count
// only from a trusted proxy, and X-Forwarded-For is read from the right.
func TestClientAddressAndHTTPS(t *testing.T) {
	t.Parallel()
	srv := &Server{cfg: Config{TrustedProxies: mustProxies(t, "10.0.0.0/8, 127.0.0.1,::1")}}
	tests := []struct {
		name, peer, xff, proto string
		tls                    bool
		wantIP                 string
		wantSecure             bool
	}{
		{"direct client", "203.0.113.7:5000", "", "", false, "203.0.113.7", false},
		{"direct client forging headers", "203.0.113.7:5000", "1.2.3.4", "https", false, "203.0.113.7", false},
		{"TLS to us", "203.0.113.7:5000", "", "", true, "203.0.113.7", true},
		{"trusted proxy, https", "127.0.0.1:4000", "198.51.100.9", "https", false, "198.51.100.9", true},
		{"trusted proxy, plain http", "127.0.0.1:4000", "198.51.100.9", "http", false, "198.51.100.9", false},
		{"trusted IPv6 proxy", "[::1]:4000", "198.51.100.9", "https", false, "198.51.100.9", true},
		{"client prepends a fake hop", "10.1.2.3:4000", "6.6.6.6, 198.51.100.9", "https", false, "198.51.100.9", true},
		{"two trusted proxies", "127.0.0.1:4000", "198.51.100.9, 10.0.0.5", "https", false, "198.51.100.9", true},
		{"only trusted hops", "127.0.0.1:4000", "10.0.0.5", "", false, "10.0.0.5", false},
		{"malformed hop", "127.0.0.1:4000", "198.51.100.9, 不是地址", "", false, "127.0.0.1", false},
		{"proxy without header", "127.0.0.1:4000", "", "", false, "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/desk/login", nil)
			r.RemoteAddr = tt.peer
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			r.TLS = nil
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := srv.clientIP(r); got != tt.wantIP {
				t.Errorf("clientIP = %s, want %s", got, tt.wantIP)
			}
			if got := srv.secureRequest(r); got != tt.wantSecure {
				t.Errorf("secureRequest = %v, want %v", got, tt.wantSecure)
			}
		})
	}
	if _, err := ParseProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad prefix was accepted")
	}
}

// loginVia signs in name with password, the request appearing to come
// through a proxy for client address addr (X-Forwarded-For) over https.
func (e *testEnv) loginVia(addr, name, password string) *http.Response {
	e.t.Helper()
	c := e.client()
	hdr := []string{"X-Forwarded-For", addr, "X-Forwarded-Proto", "https"}
	_, body := e.do(c, "GET", "/desk/login", "", nil, hdr...)
	m := loginCSRF.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no login form: %s", body)
	}
	resp, _ := e.do(c, "POST", "/desk/login", formType,
		strings.NewReader(url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}}.Encode()), hdr...)
	return resp
}

// TestSecureCookiesBehindProxy: a login through a trusted proxy with
// X-Forwarded-Proto: https gets Secure, HttpOnly, SameSite cookies; the
// same headers from anyone else do not make them Secure.
func TestSecureCookiesBehindProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies string
		secure  bool
	}{{"trusted proxy", "127.0.0.1", true}, {"no trusted proxy", "", false}, {"another proxy", "10.0.0.1", false}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.TrustedProxies = mustProxies(t, tc.proxies) })
			resp := e.loginVia("198.51.100.9", "editor", storetest.Password)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			found := false
			for _, ck := range resp.Cookies() {
				if ck.Name == cookieName {
					found = true
					if ck.Secure != tc.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
						t.Errorf("session cookie %+v, want Secure=%v, HttpOnly, SameSite=Lax", ck, tc.secure)
					}
				}
			}
			if !found {
				t.Error("no session cookie")
			}
		})
	}
}

// TestLoginLimitByNameAndAddress: five wrong passwords from one address
// lock that address out for that name only; the real user logs in from
// another address at once; more guesses on the name back off
// exponentially instead of locking it.
func TestLoginLimitByNameAndAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.TrustedProxies = mustProxies(t, "127.0.0.1") })
	const attacker, office, cafe = "198.51.100.66", "203.0.113.10", "203.0.113.99"
	// Two guesses at once, then each waits twice as long as the last.
	var waits []string
	for i := 0; i < 5; {
		resp := e.loginVia(attacker, "editor", "wrong-password!")
		switch resp.StatusCode {
		case 401:
			i++
		case 429:
			after := resp.Header.Get("Retry-After")
			waits = append(waits, after)
			secs, _ := strconv.Atoi(after)
			e.clock.Advance(time.Duration(secs) * time.Second)
		default:
			t.Fatalf("guess %d: %d", i+1, resp.StatusCode)
		}
	}
	if got := strings.Join(waits, " "); got != "1 2" {
		t.Errorf("waits between guesses: %s, want 1 2", got)
	}
	resp := e.loginVia(attacker, "editor", storetest.Password)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("the guesser's sixth try: %d (Retry-After %q), want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// The real user, from the office, is not held back.
	if got := e.loginVia(office, "editor", storetest.Password).StatusCode; got != 303 {
		t.Fatalf("the real user from another address: %d, want 303", got)
	}
	// Other names from the guesser's address are not locked either.
	if got := e.loginVia(attacker, "admin", storetest.Password).StatusCode; got != 303 {
		t.Errorf("another name from the guesser's address: %d, want 303", got)
	}
	// A new address gets one try, then waits out the name's backoff:
	// 2^(n-3) seconds after the name's n-th failure.
	if got := e.loginVia(cafe, "editor", "wrong-password!").StatusCode; got != 401 {
		t.Fatalf("first try from a new address: %d", got)
	}
	resp = e.loginVia(cafe, "editor", storetest.Password)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "8" {
		t.Fatalf("second try at once: %d, Retry-After %q; want 429 for 8 s (6 failures)", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.clock.Advance(8 * time.Second)
	if got := e.loginVia(cafe, "editor", storetest.Password).StatusCode; got != 303 {
		t.Errorf("after the backoff: %d, want 303", got)
	}
	// The guesser's pair stays locked for the window, then frees.
	if got := e.loginVia(attacker, "editor", storetest.Password).StatusCode; got != 429 {
		t.Errorf("the guesser within the window: %d, want 429", got)
	}
	e.clock.Advance(15 * time.Minute)
	if got := e.loginVia(attacker, "editor", storetest.Password).StatusCode; got != 303 {
		t.Errorf("after the window: %d, want 303", got)
	}
}

// TestWeakPasswordsRefused: the policy holds in the desk's forms and the
// API, with the reason in Chinese and the form kept.
func TestWeakPasswordsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.login("admin")
	for _, tc := range []struct{ pw, name, want string }{
		{"12345678", "新用户", "密码太短"},
		{"1234567890", "新用户", "只有数字"},
		{"qwertyuiop", "新用户", "常见密码"},
		{"iloveyou2025", "新用户", "常见密码"},
		{"xinyonghu-2025", "xinyonghu", "用户名"},
	} {
		resp, body := e.form(c, "/desk/users", url.Values{"csrf": {csrf}, "name": {tc.name}, "role": {"editor"}, "password": {tc.pw}})
		if resp.StatusCode != 400 || !strings.Contains(body, tc.want) || !strings.Contains(body, `value="`+tc.name+`"`) {
			t.Errorf("desk form with %q: %d, want 400 saying %q with the name kept:\n%s", tc.pw, resp.StatusCode, tc.want, body)
		}
	}
	if _, err := e.st.User("新用户"); err == nil {
		t.Error("a refused user was created")
	}
	resp, body := e.api("admin", "PATCH", "/api/users/changzheng", jsonType, `{"password":"12345678"}`)
	if resp.StatusCode != 400 || !strings.Contains(body, "密码太短") {
		t.Errorf("API reset to 12345678: %d %s", resp.StatusCode, body)
	}
	resp, body = e.api("admin", "POST", "/api/users", jsonType, `{"name":"wang","role":"editor","password":"password123"}`)
	if resp.StatusCode != 400 || !strings.Contains(body, "常见密码") {
		t.Errorf("API create with password123: %d %s", resp.StatusCode, body)
	}
}

// TestStaticFilesOnly: /desk/static/ serves files, never a listing.
func TestStaticFilesOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for path, want := range map[string]int{
		"/desk/static/":           404,
		"/desk/static/desk.css":   200,
		"/desk/static/admin.css":  200,
		"/desk/static/nothing.js": 404,
		// The mux cleans these to /desk/static/ (a redirect there).
		"/desk/static/../static/": 307,
		"/desk/static//":          307,
	} {
		resp, body := e.do(e.client(), "GET", path, "", nil)
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if strings.Contains(body, `<a href="desk.js">`) {
			t.Errorf("GET %s lists the folder: %s", path, body)
		}
	}
}

// TestAccountsAPI: GET /api/users and PATCH /api/users/{name}; disabling
// stops the user's session and token at once.
func TestAccountsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := e.api("admin", "GET", "/api/users", "", "")
	var list struct{ Users []store.User }
	if err := json.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != 200 || len(list.Users) != 4 {
		t.Fatalf("GET /api/users: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "hash") {
		t.Errorf("the list shows password hashes: %s", body)
	}

	office, _ := e.login("changzheng")
	if resp, _ := e.do(office, "GET", "/desk/submissions", "", nil); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	resp, body = e.api("admin", "PATCH", "/api/users/changzheng", jsonType, `{"disabled":true}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"disabled":true`) {
		t.Fatalf("disable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.do(office, "GET", "/desk/submissions", "", nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/desk/login") {
		t.Errorf("the disabled user's session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := e.api("changzheng", "GET", "/api/submissions", "", ""); resp.StatusCode != 401 || !strings.Contains(body, "停用") {
		t.Errorf("the disabled user's token: %d %s", resp.StatusCode, body)
	}
	if resp := e.loginVia("127.0.0.1", "changzheng", storetest.Password); resp.StatusCode != 403 {
		t.Errorf("the disabled user logs in: %d", resp.StatusCode)
	}
	resp, body = e.api("admin", "PATCH", "/api/users/changzheng", jsonType, `{"disabled":false,"password":"长征镇新的投稿密码啊"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("enable and reset: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.api("changzheng", "GET", "/api/submissions", "", ""); resp.StatusCode != 200 {
		t.Errorf("the token after enabling: %d", resp.StatusCode)
	}
	if resp := e.loginVia("127.0.0.1", "changzheng", "长征镇新的投稿密码啊"); resp.StatusCode != 303 {
		t.Errorf("login with the reset password: %d", resp.StatusCode)
	}

	for _, tc := range []struct {
		user, name, body string
		status           int
		want             string
	}{
		{"admin", "hongqiao", `{"role":"editor","office":""}`, 200, `"role":"editor"`},
		{"admin", "editor", `{"role":"submitter","office":"长征镇"}`, 200, `"office":"长征镇"`},
		{"admin", "editor", `{"office":"长征真"}`, 400, "单位列表"},
		{"admin", "admin", `{"disabled":true}`, 409, "管理员"},
		{"admin", "admin", `{"role":"editor"}`, 409, "管理员"},
		{"admin", "无此人", `{"disabled":true}`, 404, "error"},
		{"admin", "hongqiao", `{}`, 400, "没有要修改"},
		{"admin", "hongqiao", `{"deleted":true}`, 400, "JSON"},
		{"admin", "hongqiao", `{"role":"boss"}`, 400, "error"},
		{"editor", "hongqiao", `{"disabled":true}`, 403, "权限"},
	} {
		resp, body := e.api(tc.user, "PATCH", "/api/users/"+url.PathEscape(tc.name), jsonType, tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("PATCH %s %s as %s: %d %s, want %d with %q", tc.name, tc.body, tc.user, resp.StatusCode, body, tc.status, tc.want)
		}
	}
}

// TestTokensAPIRevokeAtOnce: a token created through the API works, and
// stops with the next request once revoked.
func TestTokensAPIRevokeAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := e.api("admin", "POST", "/api/tokens", jsonType, `{"user":"hongqiao","label":"投稿脚本"}`)
	var out struct {
		Secret string
		Token  store.Token
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 201 || out.Secret == "" {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	e.tokens["script"] = out.Secret
	if resp, _ := e.api("script", "GET", "/api/submissions", "", ""); resp.StatusCode != 200 {
		t.Fatalf("new token: %d", resp.StatusCode)
	}
	if resp, body := e.api("admin", "GET", "/api/tokens?user=hongqiao", "", ""); !strings.Contains(body, out.Token.ID) || strings.Contains(body, out.Secret) {
		t.Errorf("list: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.api("admin", "DELETE", "/api/tokens/"+out.Token.ID, "", ""); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.api("script", "GET", "/api/submissions", "", ""); resp.StatusCode != 401 {
		t.Errorf("revoked token: %d", resp.StatusCode)
	}
}

// newBareEnv starts a server on a store with no users.
func newBareEnv(t *testing.T) (*Server, *store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "content")
	writeFile(t, filepath.Join(src, "site.yaml"), testSiteYAML)
	st := storetest.MustOpen(t)
	srv, err := New(Config{Store: st, Source: src, Site: site.Options{OutDir: filepath.Join(dir, "public")}, SchedulerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, st, "http://" + addr
}

// TestFirstRunSetupLink: with no users the server offers a one-time link
// that creates the first admin and signs them in; then it is gone.
func TestFirstRunSetupLink(t *testing.T) {
	t.Parallel()
	srv, st, base := newBareEnv(t)
	e := &testEnv{t: t, base: base, st: st}
	path := srv.SetupPath()
	if !strings.HasPrefix(path, "/desk/setup/") || len(path) < len("/desk/setup/")+30 {
		t.Fatalf("SetupPath = %q", path)
	}
	if resp, _ := e.do(e.client(), "GET", "/desk/setup/wrong-token", "", nil); resp.StatusCode != 404 {
		t.Errorf("a wrong token: %d", resp.StatusCode)
	}
	c := e.client()
	if resp, body := e.do(c, "GET", path, "", nil); resp.StatusCode != 200 || !strings.Contains(body, "创建管理员") {
		t.Fatalf("setup page: %d %s", resp.StatusCode, body)
	}
	resp, body := e.form(c, path, url.Values{"name": {"郭爽"}, "password": {"1234567890"}, "password2": {"1234567890"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "只有数字") || !strings.Contains(body, `value="郭爽"`) {
		t.Errorf("a weak password: %d %s", resp.StatusCode, body)
	}
	resp, _ = e.form(c, path, url.Values{"name": {"郭爽"}, "password": {"多维世界版面的编辑部"}, "password2": {"多维世界版面的编辑部"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/desk/users" {
		t.Fatalf("creating the admin: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := e.do(c, "GET", "/desk/users", "", nil); resp.StatusCode != 200 || !strings.Contains(body, "郭爽") {
		t.Errorf("signed in as the new admin: %d", resp.StatusCode)
	}
	if u, err := st.User("郭爽"); err != nil || u.Role != store.RoleAdmin {
		t.Errorf("stored: %+v, %v", u, err)
	}
	if resp, _ := e.do(e.client(), "GET", path, "", nil); resp.StatusCode != 404 {
		t.Errorf("the link after use: %d", resp.StatusCode)
	}
	if srv.SetupPath() != "" {
		t.Error("SetupPath after use")
	}
}

// TestSetupLinkDiesWithCLIUser: a user made another way (the CLI) ends
// the setup link too.
func TestSetupLinkDiesWithCLIUser(t *testing.T) {
	t.Parallel()
	srv, st, base := newBareEnv(t)
	e := &testEnv{t: t, base: base, st: st}
	path := srv.SetupPath()
	storetest.MustCreateUser(t, st, "admin", store.RoleAdmin, "")
	if resp, _ := e.form(e.client(), path, url.Values{"name": {"黑客"}, "password": {"多维世界版面的编辑部"}, "password2": {"多维世界版面的编辑部"}}); resp.StatusCode != 404 {
		t.Errorf("the link after a CLI user: %d", resp.StatusCode)
	}
	if _, err := st.User("黑客"); err == nil {
		t.Error("a second admin was made through the link")
	}
}

// unixClient is an HTTP client that talks to a Unix socket.
func unixClient(path string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}}}
}

// TestAdminSocket: the operator routes answer on a 0600 Unix socket
// without a token; a user added there logs in at once, and a token
// revoked there stops at once.
func TestAdminSocket(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sock := filepath.Join(t.TempDir(), AdminSocketName)
	if err := e.srv.ListenAdmin(sock); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(sock); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v, %v", st.Mode(), err)
	}
	if err := e.srv.ListenAdmin(sock); !errors.Is(err, ErrAdminSocketInUse) {
		t.Errorf("a second server on the socket: %v", err)
	}
	c := unixClient(sock)
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://banmian"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", jsonType)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, sb.String()
	}
	if code, body := call("POST", "/api/users", `{"name":"zhenru","role":"submitter","office":"真如镇","password":"真如镇投稿的密码真长"}`); code != 201 {
		t.Fatalf("add user: %d %s", code, body)
	}
	if resp := e.loginVia("127.0.0.1", "zhenru", "真如镇投稿的密码真长"); resp.StatusCode != 303 {
		t.Errorf("the new user logs in: %d", resp.StatusCode)
	}
	if offices, _ := e.st.Offices(); !strings.Contains(strings.Join(offices, ","), "真如镇") {
		t.Errorf("the operator's new office is not listed: %v", offices)
	}
	code, body := call("POST", "/api/tokens", `{"user":"zhenru"}`)
	var out struct {
		Secret string
		Token  store.Token
	}
	if json.Unmarshal([]byte(body), &out); code != 201 || out.Secret == "" {
		t.Fatalf("token: %d %s", code, body)
	}
	e.tokens["zhenru"] = out.Secret
	if resp, _ := e.api("zhenru", "GET", "/api/submissions", "", ""); resp.StatusCode != 200 {
		t.Fatalf("the new token: %d", resp.StatusCode)
	}
	if code, body := call("DELETE", "/api/tokens/"+out.Token.ID, ""); code != 200 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if resp, _ := e.api("zhenru", "GET", "/api/submissions", "", ""); resp.StatusCode != 401 {
		t.Errorf("the revoked token: %d", resp.StatusCode)
	}
	if code, body := call("GET", "/api/backup", ""); code != 200 || !strings.HasPrefix(body, "") || len(body) < 4096 {
		t.Errorf("backup: %d, %d bytes", code, len(body))
	}
	// Submissions and the rest of the API are not on the socket.
	if code, _ := call("GET", "/api/submissions", ""); code != 404 {
		t.Errorf("GET /api/submissions on the socket: %d", code)
	}
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left after Close: %v", err)
	}
}

// TestLimiterPerAddress: one address spraying one password over many
// names is stopped after 100 failures in the window, for every name; other
// addresses are not.
func TestLimiterPerAddress(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(testStart)
	l := newLimiter(5, 15*time.Minute, clock.Now)
	for i := range 100 {
		name := "用户" + strconv.Itoa(i)
		if w := l.wait(name, "198.51.100.66"); w != 0 {
			t.Fatalf("failure %d already waits %v", i+1, w)
		}
		l.fail(name, "198.51.100.66")
	}
	if w := l.wait("editor", "198.51.100.66"); w != 15*time.Minute {
		t.Errorf("the sprayer after 100 failures waits %v, want 15m", w)
	}
	if w := l.wait("editor", "203.0.113.10"); w != 0 {
		t.Errorf("another address waits %v", w)
	}
	clock.Advance(15 * time.Minute)
	if w := l.wait("editor", "198.51.100.66"); w != 0 {
		t.Errorf("after the window: %v", w)
	}
}

// TestUserFormErrors: the add-user form says which field is wrong, in
// Chinese, and keeps what was typed.
func TestUserFormErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.login("admin")
	for _, tc := range []struct {
		name, role, office string
		status             int
		want               string
	}{
		{"李 四", "editor", "", 400, "用户名只能用"},
		{"lisi", "submitter", "", 400, "供稿人必须选择所属单位"},
		{"changzheng", "editor", "", 409, "已经有叫“changzheng”的用户了"},
		{"lisi", "submitter", "长征真", 400, "不在单位列表中"},
	} {
		resp, body := e.form(c, "/desk/users", url.Values{"csrf": {csrf}, "name": {tc.name}, "role": {tc.role}, "office": {tc.office}, "password": {"harbour-lamp-2025"}})
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) || !strings.Contains(body, `value="`+tc.name+`"`) {
			t.Errorf("%s/%s/%s: %d, want %d saying %q with the name kept", tc.name, tc.role, tc.office, resp.StatusCode, tc.status, tc.want)
		}
	}
}
