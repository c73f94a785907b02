package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from a running command while
// the test reads it, and tells a waiting reader when it grows.
type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	grew chan struct{} // closed by the next write, if a reader waits
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grew != nil {
		close(s.grew)
		s.grew = nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// next returns what was written so far and a channel closed at the next
// write.
func (s *syncBuffer) next() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grew == nil {
		s.grew = make(chan struct{})
	}
	return s.b.String(), s.grew
}

// waitMatch waits until what was written matches re and returns the
// match. It fails the test when a value arrives on exited first (the
// command returned; the value goes back on the channel for its cleanup)
// or after limit.
func (s *syncBuffer) waitMatch(t *testing.T, re *regexp.Regexp, exited chan int, limit time.Duration, what string, stderr *syncBuffer) []string {
	t.Helper()
	timeout := time.After(limit)
	for {
		out, grew := s.next()
		if m := re.FindStringSubmatch(out); m != nil {
			return m
		}
		select {
		case <-grew:
		case code := <-exited:
			exited <- code
			t.Fatalf("%s exited with %d before printing %q:\n%s\n%s", what, code, re, out, stderr)
		case <-timeout:
			t.Fatalf("%s did not print %q in %v:\n%s\n%s", what, re, limit, out, stderr)
		}
	}
}

// serveSite writes a small content folder into dir/content.
func serveSite(t *testing.T, dir string) {
	t.Helper()
	for name, data := range map[string]string{"content/site.yaml": crashSiteYAML, "content/stories/changzheng-guandao.md": crashStory} {
		name = filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// inProcess is banmian serve running in this process.
type inProcess struct {
	addr           string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	code           chan int
}

// startInProcess runs banmian serve with args in a goroutine and waits
// until it serves. Chromium is kept out (PDF proofs off).
func startInProcess(t *testing.T, args ...string) *inProcess {
	t.Helper()
	t.Setenv("BANMIAN_CHROMIUM", filepath.Join(t.TempDir(), "no-chromium"))
	ctx, cancel := context.WithCancel(context.Background())
	p := &inProcess{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, code: make(chan int, 1)}
	env := &Env{Stdin: strings.NewReader(""), Stdout: p.stdout, Stderr: p.stderr}
	go func() { p.code <- run(ctx, env, append([]string{"serve"}, args...)) }()
	t.Cleanup(func() { p.stop(t) })
	p.addr = p.stdout.waitMatch(t, servingRE, p.code, 30*time.Second, "serve", p.stderr)[1]
	return p
}

// stop cancels the context and waits for serve to return; it must exit 0.
func (p *inProcess) stop(t *testing.T) {
	p.cancel()
	select {
	case code := <-p.code:
		if code != 0 {
			t.Errorf("serve exited with %d after its context ended:\n%s", code, p.stderr)
		}
		p.code <- code
	case <-time.After(15 * time.Second):
		t.Errorf("serve did not stop within 15s of its context ending")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestServeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown flag", []string{"serve", "-port", "80"}, 2, "flag provided but not defined: -port"},
		{"flag without value", []string{"serve", "-addr"}, 2, "flag needs an argument: -addr"},
		{"extra argument", []string{"serve", "-data", dir, "content"}, 2, "unexpected arguments: content"},
		{"bad boolean", []string{"serve", "-watch=也许"}, 2, "invalid boolean value"},
		{"bad trusted proxy", []string{"serve", "-trusted-proxies", "10.0.0.0/33"}, 2, `trusted proxy "10.0.0.0/33": not an address or CIDR prefix`},
		{"no content folder", []string{"serve", "-addr", "127.0.0.1:0", "-source", filepath.Join(dir, "没有的目录"), "-data", filepath.Join(dir, "data")}, 1, "没有的目录 not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("BANMIAN_CHROMIUM", filepath.Join(dir, "no-chromium"))
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}, tc.args)
			if code != tc.code || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("banmian %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, stderr.String(), tc.code, tc.stderr)
			}
			if strings.Contains(stderr.String(), "goroutine") {
				t.Errorf("stack trace shown: %s", stderr.String())
			}
		})
	}
}

func TestServeStartsAndLocksTheDataFolder(t *testing.T) {
	dir := t.TempDir()
	serveSite(t, dir)
	data := filepath.Join(dir, "data")
	p := startInProcess(t, "-addr", "127.0.0.1:0", "-source", filepath.Join(dir, "content"), "-data", data, "-out", filepath.Join(dir, "public"))

	// No users yet: it prints the one-time setup link, and the CLI way.
	if m := regexp.MustCompile(`http://` + regexp.QuoteMeta(p.addr) + `/desk/setup/[A-Za-z0-9_-]{30,}\n`).FindString(p.stdout.String()); m == "" {
		t.Errorf("stdout lacks the setup link:\n%s", p.stdout)
	}
	if want := "banmian user add -data " + data + " -role admin NAME"; !strings.Contains(p.stdout.String(), want) {
		t.Errorf("stdout lacks the first-admin hint %q:\n%s", want, p.stdout)
	}

	// It answers the reader site and the desk.
	for _, tc := range []struct {
		path, want string
	}{
		{"/", "多维世界"},
		{"/stories/changzheng-guandao/", "多格合一"},
		{"/desk/login", `name="password"`},
		// Live search, in the site's own header.
		{"/search?q=" + url.QueryEscape("多格合一"), `class="site-header"`},
	} {
		code, body := get(t, "http://"+p.addr+tc.path)
		if code != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d, body lacks %q", tc.path, code, tc.want)
		}
	}

	// The built site's static search page sends readers to the live one.
	if code, body := get(t, "http://"+p.addr+"/search/?q="+url.QueryEscape("多格合一")); code != 302 || !strings.Contains(body, `href="/search?q=`) {
		t.Errorf("GET /search/: %d %s", code, body)
	}

	// A second serve on the same data folder fails at once with a clear
	// message instead of waiting for the lock.
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"serve", []string{"serve", "-addr", "127.0.0.1:0", "-source", filepath.Join(dir, "content"), "-data", data, "-out", filepath.Join(dir, "public2")},
			"is in use by another banmian process (is banmian serve already running?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(context.Background(), &Env{Stdin: strings.NewReader("harbour-lamp-2025\n"), Stdout: &stdout, Stderr: &stderr}, tc.args)
			}()
			select {
			case code := <-done:
				if code != 1 || !strings.Contains(stderr.String(), tc.stderr) {
					t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), tc.stderr)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("banmian %s hangs while serve holds the data folder", tc.name)
			}
		})
	}

	// Cancelling the context stops it cleanly and frees the folder.
	p.stop(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), &Env{Stdin: strings.NewReader("harbour-lamp-2025\n"), Stdout: &stdout, Stderr: &stderr},
		[]string{"user", "add", "-data", data, "-role", "admin", "-password-stdin", "管理员"})
	if code != 0 {
		t.Errorf("user add after serve stopped: exit %d: %s", code, stderr.String())
	}
	if m := regexp.MustCompile(`created user 管理员`).FindString(stdout.String()); m == "" {
		t.Errorf("user add output: %q", stdout.String())
	}
}

// TestServeAutoDeployKeepsPublicBase: with deploy.auto the site serve
// builds goes out to readers, so its pages carry site.yaml's public
// baseURL, not the server's own loopback address.
func TestServeAutoDeployKeepsPublicBase(t *testing.T) {
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	writeFiles(t, filepath.Join(dir, "content"), map[string]string{
		"site.yaml":    "title: 多维世界\nbaseURL: https://duowei.example.com/\ndeploy:\n  auto: nginx\n  targets:\n    - name: nginx\n      url: \"" + filepath.ToSlash(www) + "\"\n",
		"stories/a.md": "---\ntitle: 小区管道“添堵”\ncredit: 长征镇\ndate: 2025-05-22\nslug: a\n---\n正文。\n",
	})
	p := startInProcess(t, "-addr", "127.0.0.1:0", "-source", filepath.Join(dir, "content"), "-data", filepath.Join(dir, "data"), "-out", filepath.Join(dir, "public"))
	page, err := os.ReadFile(filepath.Join(dir, "public", "stories", "a", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `https://duowei.example.com/stories/a/`) || strings.Contains(string(page), p.addr) {
		t.Errorf("a page of a deployed site names the server's own address %s, or lacks the public one", p.addr)
	}
}
