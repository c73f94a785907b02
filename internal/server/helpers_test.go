package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchhttp"
	"github.com/banmian/banmian/internal/site"
	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

const testSiteYAML = `title: 多维世界
paper: 新民晚报
section: 多维世界
masthead:
  section: 多维世界
  editor: 郭爽
  email: 9773859@qq.com
  hotline: "22897276"
`

const testStory = `---
title: 小区管道“添堵”，“多格合一”舒心
kicker: 普陀区长征镇为“网格”赋能
credit: 长征镇
date: 2025-06-17
slug: changzheng-guandao
tags: [长征镇]
---
自党建引领“多格合一”试点工作启动以来，长征镇持续推动基层治理工作精准化。
`

// testEnv is a running server with a content folder, a store with four
// users (two offices, an editor and an admin), a search index and a clock.
type testEnv struct {
	t      testing.TB
	srv    *Server
	st     *store.Store
	idx    *search.Index
	subIdx *search.Index // the submission index
	clock  *storetest.Clock
	base   string // http://127.0.0.1:port
	source string
	out    string
	tokens map[string]string // user → API token
}

var testStart = time.Date(2025, 6, 10, 9, 0, 0, 0, cst)

func writeFile(tb testing.TB, name, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// newEnv starts a server; mod may change its Config.
func newEnv(tb testing.TB, mod ...func(*Config)) *testEnv {
	tb.Helper()
	dir := tb.TempDir()
	e := &testEnv{t: tb, source: filepath.Join(dir, "content"), out: filepath.Join(dir, "public"), tokens: map[string]string{}}
	writeFile(tb, filepath.Join(e.source, "site.yaml"), testSiteYAML)
	writeFile(tb, filepath.Join(e.source, "stories", "changzheng-guandao.md"), testStory)
	e.clock = storetest.NewClock(testStart)
	e.st = storetest.MustOpen(tb, store.Options{Now: e.clock.Now})
	for _, u := range []struct {
		name   string
		role   store.Role
		office string
	}{{"changzheng", store.RoleSubmitter, "长征镇"}, {"hongqiao", store.RoleSubmitter, "虹桥镇"}, {"editor", store.RoleEditor, ""}, {"admin", store.RoleAdmin, ""}} {
		storetest.MustCreateUser(tb, e.st, u.name, u.role, u.office)
		secret, _, err := e.st.CreateToken(u.name, "test")
		if err != nil {
			tb.Fatal(err)
		}
		e.tokens[u.name] = secret
	}
	idx, err := search.Open(filepath.Join(dir, "index"))
	if err != nil {
		tb.Fatal(err)
	}
	e.idx = idx
	e.subIdx, err = search.OpenWith(filepath.Join(dir, "submissions-index"), search.Options{Lazy: true})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := Config{
		SubmissionIndex: e.subIdx,
		Store:           e.st, Source: e.source, Site: site.Options{OutDir: e.out},
		Index: idx, SearchHandler: searchhttp.NewHandler(idx, searchhttp.HandlerOptions{}),
		Logger: slog.New(slog.NewTextHandler(testLogWriter{tb}, nil)),
		Now:    e.clock.Now, SchedulerInterval: -1, MaxBodyBytes: 256 << 10, MaxPhotoBytes: 1 << 20,
	}
	for _, m := range mod {
		m(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	e.srv = srv
	addr, err := srv.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	e.base = "http://" + addr
	tb.Cleanup(func() {
		srv.Close()
		idx.Close()
		e.subIdx.Close()
	})
	return e
}

// client is an HTTP client with a cookie jar that does not follow
// redirects.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)
var loginCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs a user in and returns the client and the session's CSRF
// token.
func (e *testEnv) login(name string) (*http.Client, string) {
	e.t.Helper()
	c := e.client()
	resp, body := e.do(c, "GET", "/desk/login", "", nil)
	m := loginCSRF.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no login csrf: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do(c, "POST", "/desk/login", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"csrf": {m[1]}, "name": {name}, "password": {storetest.Password}}.Encode()))
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", name, resp.StatusCode, body)
	}
	_, body = e.do(c, "GET", "/desk/submissions", "", nil)
	m = csrfRE.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no session csrf token in page: %s", body)
	}
	return c, m[1]
}

// do sends a request and returns the response with its body read.
func (e *testEnv) do(c *http.Client, method, path, ctype string, body io.Reader, hdr ...string) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, e.base+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// api sends an API request with a user's Bearer token.
func (e *testEnv) api(user, method, path, ctype, body string) (*http.Response, string) {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	hdr := []string{"Accept", "application/json"}
	if user != "" {
		hdr = append(hdr, "Authorization", "Bearer "+e.tokens[user])
	}
	return e.do(e.client(), method, path, ctype, r, hdr...)
}

// form posts a urlencoded form with a session client.
func (e *testEnv) form(c *http.Client, path string, v url.Values) (*http.Response, string) {
	e.t.Helper()
	return e.do(c, "POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

// mustSubmission creates a submission for office's submitter through the
// store and returns its ID.
func (e *testEnv) mustSubmission(author, office, title, body string, to store.Status) string {
	e.t.Helper()
	sub, err := e.st.CreateSubmission(store.Submission{Office: office, Title: title, Body: body}, author)
	if err != nil {
		e.t.Fatal(err)
	}
	steps := map[store.Status][]store.Action{
		store.StatusSubmitted: {store.ActionSubmit},
		store.StatusAccepted:  {store.ActionSubmit, store.ActionAccept},
		store.StatusReturned:  {store.ActionSubmit, store.ActionReturn},
		store.StatusRejected:  {store.ActionSubmit, store.ActionReject},
		store.StatusWithdrawn: {store.ActionWithdraw},
	}
	for _, a := range steps[to] {
		if err := e.st.Transition(sub.ID, a, "editor", "请补充活动的时间和地点"); err != nil {
			e.t.Fatal(err)
		}
	}
	return sub.ID
}

// tree reads every file under dir (path → content), skipping nothing.
func tree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(data)
		return nil
	})
	return out
}

func searchQuery(text string) search.Query { return search.Query{Text: text} }

type testLogWriter struct{ tb testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
