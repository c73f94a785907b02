package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeBasePathSite writes a content folder whose baseURL has a path.
func writeBasePathSite(t *testing.T, dir string) {
	t.Helper()
	serveSite(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "content", "site.yaml"), []byte(crashSiteYAML+"baseURL: https://example.org/duowei/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkServedUnder checks a reader site served at base (http://ADDR),
// built with the base URL https://example.org/duowei/: it lives under
// /duowei/ with this server's address in every absolute URL, and / leads
// there.
func checkServedUnder(t *testing.T, base string) {
	t.Helper()
	code, body := get(t, base+"/duowei/stories/changzheng-guandao/")
	if code != 200 {
		t.Fatalf("GET /duowei/stories/changzheng-guandao/ = %d", code)
	}
	for _, w := range []string{
		`<link rel="canonical" href="` + base + `/duowei/stories/changzheng-guandao/">`,
		`href="/duowei/assets/site.css"`,
		`"url":"` + base + `/duowei/stories/changzheng-guandao/"`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("the story page lacks %s", w)
		}
	}
	if strings.Contains(body, "example.org") {
		t.Errorf("the served page points at the configured host example.org")
	}
	if code, _ := get(t, base+"/duowei/assets/site.css"); code != 200 {
		t.Errorf("GET /duowei/assets/site.css = %d", code)
	}
	if code, _ := get(t, base+"/stories/changzheng-guandao/"); code != 404 {
		t.Errorf("GET /stories/changzheng-guandao/ (outside the base path) = %d, want 404", code)
	}
	if code, _ := get(t, base+"/duowei/.banmian-build"); code != 404 {
		t.Errorf("a dot file under the base path = %d, want 404", code)
	}
	for _, p := range []string{"/", "/duowei"} {
		resp, err := noRedirect.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != "/duowei/" {
			t.Errorf("GET %s = %d to %q, want a redirect to /duowei/", p, resp.StatusCode, loc)
		}
	}
	_, feed := get(t, base+"/duowei/feed.xml")
	if !strings.Contains(feed, `href="`+base+`/duowei/stories/changzheng-guandao/"`) {
		t.Errorf("feed links are not under %s/duowei/:\n%s", base, feed)
	}
	_, robots := get(t, base+"/duowei/robots.txt")
	if !strings.Contains(robots, "Sitemap: "+base+"/duowei/sitemap.xml") {
		t.Errorf("robots.txt = %q", robots)
	}
}

// TestServeUnderBasePath: banmian serve uses its own address as the base
// URL and keeps the configured path, as hugo server does.
func TestServeUnderBasePath(t *testing.T) {
	dir := t.TempDir()
	writeBasePathSite(t, dir)
	p := startInProcess(t, "-addr", "127.0.0.1:0", "-source", filepath.Join(dir, "content"), "-data", filepath.Join(dir, "data"), "-out", filepath.Join(dir, "public"))
	if !strings.Contains(p.stdout.String(), "serving the reader site at http://"+p.addr+"/duowei/") {
		t.Errorf("serve does not say where the site is: %s", p.stdout)
	}
	checkServedUnder(t, "http://"+p.addr)
	// The live search page links the site's stylesheet under the path.
	if _, body := get(t, "http://"+p.addr+"/search?q=管道"); !strings.Contains(body, `href="/duowei/assets/site.css"`) {
		t.Errorf("the search page does not link /duowei/assets/site.css")
	}
}

// TestServeBaseURLFlag: behind a reverse proxy, -baseURL gives the public
// address; the site is served under its path.
func TestServeBaseURLFlag(t *testing.T) {
	dir := t.TempDir()
	writeBasePathSite(t, dir)
	p := startInProcess(t, "-addr", "127.0.0.1:0", "-baseURL", "https://duowei.example.net/dw/", "-source", filepath.Join(dir, "content"), "-data", filepath.Join(dir, "data"), "-out", filepath.Join(dir, "public"))
	code, body := get(t, "http://"+p.addr+"/dw/stories/changzheng-guandao/")
	if code != 200 || !strings.Contains(body, `<link rel="canonical" href="https://duowei.example.net/dw/stories/changzheng-guandao/">`) {
		t.Errorf("GET /dw/stories/changzheng-guandao/ = %d without the public canonical URL", code)
	}
	if code, _, stderr := runCmd(t, "serve", "-baseURL", "/dw/"); code != 2 || !strings.Contains(stderr, "absolute http(s) URL") {
		t.Errorf("serve -baseURL /dw/: exit %d, %q; want a usage error", code, stderr)
	}
}

// TestPreviewUnderBasePath: banmian preview too.
func TestPreviewUnderBasePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeBasePathSite(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	env := &Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, env, []string{"preview", "-addr", "127.0.0.1:0", "-source", filepath.Join(dir, "content"), "-out", filepath.Join(dir, "public")})
	}()
	defer func() {
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("preview exited with %d: %s", c, stderr)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("preview did not stop")
		}
	}()
	m := stdout.waitMatch(t, regexp.MustCompile(`serving the site at (http://[^/]+)/duowei/`), code, 60*time.Second, "preview", stderr)
	checkServedUnder(t, m[1])
	if bytes.Contains([]byte(stderr.String()), []byte("warning: baseURL")) {
		t.Errorf("preview warned about its own base URL: %s", stderr)
	}
}

// noRedirect is a client that returns redirects as they are.
var noRedirect = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
