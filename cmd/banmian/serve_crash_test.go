package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

const crashSiteYAML = `title: 多维世界
paper: 新民晚报
section: 多维世界
masthead:
  section: 多维世界
  editor: 郭爽
`

const crashStory = `---
title: 小区管道“添堵”，“多格合一”舒心
credit: 长征镇
date: 2025-06-17
slug: changzheng-guandao
---
自党建引领“多格合一”试点工作启动以来，长征镇持续推动基层治理工作精准化。
`

// crashEnv names the environment variable the test build of banmian
// (build tag banmiantest, crashhook_banmiantest.go) reads: the publish
// step at which it stops, to be killed there.
const crashEnv = "BANMIAN_TEST_CRASH_AT"

// buildBanmian builds the banmian binary, with the crash hook of the
// banmiantest build tag, into a temporary folder.
func buildBanmian(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "banmian")
	out, err := exec.Command("go", "build", "-tags", "banmiantest", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProc is a banmian serve process.
type serveProc struct {
	t     *testing.T
	cmd   *exec.Cmd
	addr  string
	mu    sync.Mutex
	out   strings.Builder // everything it printed
	lines chan string
	done  chan struct{}
}

var servingRE = regexp.MustCompile(`serving the reader site at http://([^/]+)/`)

// startServeProc starts banmian serve on addr (127.0.0.1:0 for a free
// loopback port; a restart passes the address of the process before, as
// the site is built with the server's address as its base URL) over dir's
// content/, data/ and public/, with the crash hook set to crashAt (empty
// for none), and waits until it serves. PDF proofs are off (no Chromium
// is started, so killing the server leaves no browser behind).
func startServeProc(t *testing.T, bin, dir, addr, crashAt string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "-addr", addr,
		"-source", filepath.Join(dir, "content"), "-data", filepath.Join(dir, "data"), "-out", filepath.Join(dir, "public"))
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, crashEnv+"=") && !strings.HasPrefix(kv, "BANMIAN_CHROMIUM=") {
			env = append(env, kv)
		}
	}
	env = append(env, "BANMIAN_CHROMIUM="+filepath.Join(dir, "no-chromium"))
	if crashAt != "" {
		env = append(env, crashEnv+"="+crashAt)
	}
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProc{t: t, cmd: cmd, lines: make(chan string, 1000), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				p.mu.Lock()
				p.out.WriteString(sc.Text() + "\n")
				p.mu.Unlock()
				select {
				case p.lines <- sc.Text():
				default:
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	m := p.waitLine(servingRE, 60*time.Second)
	p.addr = m[1]
	return p
}

// output is everything the process printed so far.
func (p *serveProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitLine waits for a line matching re.
func (p *serveProc) waitLine(re *regexp.Regexp, limit time.Duration) []string {
	p.t.Helper()
	timeout := time.After(limit)
	for {
		select {
		case l := <-p.lines:
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-p.done:
			p.t.Fatalf("banmian serve exited while waiting for %q:\n%s", re, p.output())
		case <-timeout:
			p.t.Fatalf("waiting %v for %q:\n%s", limit, re, p.output())
		}
	}
}

// indexSyncedRE is the line the test build prints when the search index
// has caught up after the start (crashhook_banmiantest.go).
var indexSyncedRE = regexp.MustCompile(`BANMIAN_TEST: search index synced \(err <nil>\)`)

// waitPrinted waits for a line matching re, printed before the call or
// after it (waitLine skips the lines it reads past).
func (p *serveProc) waitPrinted(re *regexp.Regexp, limit time.Duration) []string {
	p.t.Helper()
	// A line is written to out before it is sent to lines: one not in out
	// yet is still to come on lines.
	if m := re.FindStringSubmatch(p.output()); m != nil {
		return m
	}
	return p.waitLine(re, limit)
}

// kill stops the process with SIGKILL and waits for it.
func (p *serveProc) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// stop stops the process with an interrupt, as Ctrl-C does.
func (p *serveProc) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.t.Errorf("banmian serve did not stop on an interrupt:\n%s", p.output())
		p.kill()
	}
}

// api calls the JSON API with a Bearer token.
func (p *serveProc) api(token, method, path, body string) (int, string) {
	p.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+p.addr+path, r)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v\n%s", method, path, err, p.output())
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// mustAPI calls the API and fails the test on an unexpected status.
func (p *serveProc) mustAPI(status int, token, method, path, body string) string {
	p.t.Helper()
	got, text := p.api(token, method, path, body)
	if got != status {
		p.t.Fatalf("%s %s: %d, want %d: %s", method, path, got, status, text)
	}
	return text
}

// fileTree reads every file under dir.
func fileTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return out
}

func changedKeys(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// TestServeCrashDuringPublish kills banmian serve with SIGKILL at each
// step of a publish and checks that after a restart content/, the reader
// site, the search index and the store all show the old edition (killed
// before the store transaction) or all the new one (killed after it),
// never a mix, that no submission is lost, and that the server goes on
// working.
func TestServeCrashDuringPublish(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary and starts it ten times")
	}
	bin := buildBanmian(t)
	for _, point := range []string{"files", "build", "index", "store", "committed"} {
		t.Run(point, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range map[string]string{"content/site.yaml": crashSiteYAML, "content/stories/changzheng-guandao.md": crashStory} {
				name = filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tokens := map[string]string{}
			st, err := store.Open(store.DataFile(filepath.Join(dir, "data")), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []store.User{{Name: "editor", Role: store.RoleEditor}, {Name: "changzheng", Role: store.RoleSubmitter, Office: "长征镇"}} {
				if _, err := st.CreateUser(u, "harbour-lamp-2025"); err != nil {
					t.Fatal(err)
				}
				if tokens[u.Name], _, err = st.CreateToken(u.Name, "test"); err != nil {
					t.Fatal(err)
				}
			}
			st.Close()

			p := startServeProc(t, bin, dir, "127.0.0.1:0", point)
			create := func(title, body string, submit bool) string {
				path := "/api/submissions"
				if submit {
					path += "?submit=1"
				}
				var out struct{ ID string }
				json.Unmarshal([]byte(p.mustAPI(201, tokens["changzheng"], "POST", path, fmt.Sprintf(`{"title":%q,"body":%q}`, title, body))), &out)
				return out.ID
			}
			a := create("垃圾分类新风尚", "长征镇居民积极参与垃圾分类，小区面貌焕然一新。", true)
			b := create("社区食堂开张", "长征镇第一家社区食堂开张，居民们排起了长队。", true)
			c := create("河道整治见成效", "今年整治了三条河道。", true)
			for _, id := range []string{a, b} {
				p.mustAPI(200, tokens["editor"], "POST", "/api/submissions/"+id+"/accept", "")
			}
			const date = "2025-06-24"
			p.mustAPI(200, tokens["editor"], "PUT", "/api/editions/"+date, fmt.Sprintf(
				`{"page":12,"items":[{"submission":%q,"lead":true},{"submission":%q},{"box":{"id":"honour-roll","title":"荣誉榜","rows":[{"company":"上海某某公司","product":"电热水壶","award":"质量信得过产品"}]}}]}`, a, b))
			d := create("最后一篇草稿", "发布前刚刚保存的草稿。", false)

			type subState struct{ Status, Slug string }
			subs := func(p *serveProc) map[string]subState {
				var out struct {
					Submissions []struct {
						ID, Status, Slug string
					}
				}
				json.Unmarshal([]byte(p.mustAPI(200, tokens["editor"], "GET", "/api/submissions", "")), &out)
				m := map[string]subState{}
				for _, s := range out.Submissions {
					m[s.ID] = subState{s.Status, s.Slug}
				}
				return m
			}
			before := subs(p)
			slugA, slugB := before[a].Slug, before[b].Slug
			if slugA == "" || slugB == "" || before[a].Status != "scheduled" {
				t.Fatalf("before publishing: %+v", before)
			}
			oldContent := fileTree(t, filepath.Join(dir, "content"))
			oldSite := fileTree(t, filepath.Join(dir, "public"))

			// Publish, and kill the server at the step.
			go func() {
				// The connection dies with the server: no answer to check.
				req, _ := http.NewRequest("POST", "http://"+p.addr+"/api/editions/"+date+"/publish", nil)
				req.Header.Set("Authorization", "Bearer "+tokens["editor"])
				if resp, err := (&http.Client{Timeout: time.Minute}).Do(req); err == nil {
					resp.Body.Close()
				}
			}()
			p.waitLine(regexp.MustCompile(crashEnv+`: reached `+point+`\b`), 30*time.Second)
			p.kill()

			p = startServeProc(t, bin, dir, p.addr, "")
			// What each part holds: true for the new edition.
			parts := map[string][]bool{}
			for _, rel := range []string{"editions/" + date + ".yaml", "stories/" + slugA + ".md", "stories/" + slugB + ".md", "boxes/honour-roll.yaml"} {
				_, err := os.Stat(filepath.Join(dir, "content", filepath.FromSlash(rel)))
				parts["content"] = append(parts["content"], err == nil)
			}
			for _, slug := range []string{slugA, slugB} {
				code, _ := p.api("", "GET", "/stories/"+slug+"/", "")
				parts["site"] = append(parts["site"], code == 200)
			}
			after := subs(p)
			for _, id := range []string{a, b} {
				parts["store"] = append(parts["store"], after[id].Status == "published")
			}
			// The index is synced with the site in the background after
			// the start: wait for the test build to say it is done.
			p.waitPrinted(indexSyncedRE, 60*time.Second)
			for _, q := range []string{"垃圾分类新风尚", "社区食堂开张"} {
				var res struct{ Hits []struct{ ID string } }
				json.Unmarshal([]byte(p.mustAPI(200, "", "GET", "/api/search?q="+url.QueryEscape(q), "")), &res)
				parts["index"] = append(parts["index"], len(res.Hits) > 0 && (res.Hits[0].ID == slugA || res.Hits[0].ID == slugB))
			}
			want := point == "committed"
			for part, got := range parts {
				for i, v := range got {
					if v != want {
						t.Errorf("after a crash at %s, %s item %d holds the %s edition, want the %s one everywhere: %v", point, part, i, map[bool]string{true: "new", false: "old"}[v], map[bool]string{true: "new", false: "old"}[want], parts)
						break
					}
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "content", ".banmian-publish")); err == nil {
				t.Errorf("the publish journal is still there after the restart")
			}
			if !want {
				if got := fileTree(t, filepath.Join(dir, "content")); !maps.Equal(got, oldContent) {
					t.Errorf("content/ differs from before the publish: %v", changedKeys(oldContent, got))
				}
				if got := fileTree(t, filepath.Join(dir, "public")); !maps.Equal(got, oldSite) {
					t.Errorf("the site differs from before the publish: %v", changedKeys(oldSite, got))
				}
			}
			// No submission lost: all four are there, the ones not on the
			// edition as they were.
			if len(after) != 4 || after[c] != before[c] || after[d] != before[d] {
				t.Errorf("submissions after the restart: %+v, before: %+v", after, before)
			}

			// The server goes on: publishing again completes the edition,
			// or is refused when it already went through.
			if want {
				p.mustAPI(409, tokens["editor"], "POST", "/api/editions/"+date+"/publish", "")
			} else {
				p.mustAPI(200, tokens["editor"], "POST", "/api/editions/"+date+"/publish", "")
				if code, _ := p.api("", "GET", "/stories/"+slugA+"/", ""); code != 200 {
					t.Errorf("after publishing again, the story page: %d", code)
				}
				if s := subs(p); s[a].Status != "published" || s[b].Status != "published" {
					t.Errorf("after publishing again: %+v", s)
				}
			}
			p.stop()
		})
	}
}
