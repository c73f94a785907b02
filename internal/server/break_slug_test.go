package server

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Break 1: a tag ".." replaced the reader home page, a tag of only
// punctuation got a percent-escaped folder whose links 404.
func TestDotTagCannotReplaceHomePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tags := range []string{`[".."]`, `["."]`, `["/"]`, `["../.."]`, `["./"]`} {
		resp, body := e.api("changzheng", "POST", "/api/submissions?submit=1", "application/json",
			`{"title":"标签穿越测试","body":"正文。","tags":`+tags+`}`)
		if resp.StatusCode != 400 {
			t.Errorf("tags %s: %d %s, want 400", tags, resp.StatusCode, body)
		}
	}
	// Punctuation-only tags are allowed but get a safe, working folder.
	resp, body := e.api("changzheng", "POST", "/api/submissions?submit=1", "application/json",
		`{"title":"省略号标签测试","body":"正文。","tags":["……","！！"]}`)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(body), &created)
	if r, b := e.api("editor", "POST", "/api/submissions/"+created.ID+"/accept", "", ""); r.StatusCode != 200 {
		t.Fatalf("accept: %d %s", r.StatusCode, b)
	}
	if r, b := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
		`{"page":12,"items":[{"submission":"`+created.ID+`","lead":true}]}`); r.StatusCode != 200 {
		t.Fatalf("put edition: %d %s", r.StatusCode, b)
	}
	if r, b := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", ""); r.StatusCode != 200 {
		t.Fatalf("publish: %d %s", r.StatusCode, b)
	}
	_, home := e.do(e.client(), "GET", "/", "", nil)
	if !strings.Contains(home, "<title>多维世界</title>") {
		t.Errorf("home page title changed: %.300s", home)
	}
	// Every folder of the site is clean and every tag link works.
	filepath.Walk(e.out, func(p string, info os.FileInfo, err error) error {
		rel, _ := filepath.Rel(e.out, p)
		rel = filepath.ToSlash(rel)
		if strings.Contains(rel, "%") || path.Clean(rel) != rel {
			t.Errorf("unclean output path %q", rel)
		}
		return nil
	})
	links := regexp.MustCompile(`href="(/tags/[^"]+)"`).FindAllStringSubmatch(readFile(t, filepath.Join(e.out, "tags", "index.html")), -1)
	if len(links) < 2 {
		t.Fatalf("tag index lists %d tags", len(links))
	}
	for _, l := range links {
		if !regexp.MustCompile(`^/tags/t-[0-9a-f]{8}/$|^/tags/[a-z0-9-]+/$`).MatchString(l[1]) {
			t.Errorf("tag link %s is not a safe slug", l[1])
		}
		if r, _ := e.do(e.client(), "GET", l[1], "", nil); r.StatusCode != 200 {
			t.Errorf("GET %s: %d", l[1], r.StatusCode)
		}
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
