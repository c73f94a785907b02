package search

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	t.Parallel()
	x := mustOpenIndex(t, goldenDocs(t))
	h := NewHandler(x, HandlerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	tests := []struct {
		name, path string
		status     int
		contains   []string
	}{
		{"API", "/api/search?q=" + url.QueryEscape("长征镇") + "&limit=3", 200,
			[]string{`"total":`, `"id":"` + slugChangzheng + `"`, `\u003cmark\u003e长征镇\u003c/mark\u003e`}},
		{"API credit and dates", "/api/search?q=" + url.QueryEscape("社区") + "&credit=" + url.QueryEscape("佘山镇") + "&from=2025-01-01&to=2025-12-31", 200,
			[]string{`"id":"` + slugSheshan + `"`}},
		{"API bad date", "/api/search?q=a&from=2025-13-01", 400, []string{`"error":"from: 日期格式应为`}},
		{"API bad sort", "/api/search?q=a&sort=x", 400, []string{`"error"`}},
		{"page", "/search?q=" + url.QueryEscape("多格合一"), 200,
			[]string{`<html lang="zh-Hans">`, `value="多格合一"`, `共找到 1 篇报道`, `<mark>多格合一</mark>`, `href="/stories/` + slugChangzheng + `/"`}},
		{"page partial names the missing term", "/search?q=" + url.QueryEscape("长征镇 火星基地"), 200,
			[]string{"部分结果不含“火星基地”", `<p class="missing">不含：“火星基地”</p>`}},
		{"page shows the kicker highlighted, Chinese dates", "/search?q=" + url.QueryEscape("长征镇"), 200,
			[]string{`<p class="kicker">普陀区<mark>长征镇</mark>为“网格”赋能`, `<time datetime="2025-06-12">2025年6月12日</time>`, `<mark>长征镇</mark> 供稿`}},
		{"nothing found is not partial", "/search?q=" + url.QueryEscape("火星 木星"), 200, []string{"共找到 0 篇报道"}},
		{"page pagination", "/search?q=" + url.QueryEscape("镇"), 200, []string{"下一页", "offset=10"}},
		{"empty page", "/search", 200, []string{`<form role="search"`}},
		{"page escapes the query", "/search?q=" + url.QueryEscape(`<script>"`), 200, []string{`value="&lt;script&gt;&#34;"`}},
		{"method", "/api/search?q=a", 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(tt.path)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff header")
			}
			for _, s := range tt.contains {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body lacks %q:\n%s", s, w.Body)
				}
			}
		})
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/api/search", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", w.Code)
	}
	var res Result
	if err := json.Unmarshal(get("/api/search?q=12345").Body.Bytes(), &res); err != nil || res.Total != 2 {
		t.Errorf("JSON: %v, total %d", err, res.Total)
	}
	if b := get("/search?q=" + url.QueryEscape("火星 木星")).Body.String(); strings.Contains(b, "部分结果不含") {
		t.Errorf("a page without results says some lack terms:\n%s", b)
	}
}

// TestHandlerSiteChrome: given the site's header and footer, the search
// page shows them instead of its own plain header.
func TestHandlerSiteChrome(t *testing.T) {
	t.Parallel()
	x := mustOpenIndex(t, goldenDocs(t)[:3])
	h := NewHandler(x, HandlerOptions{Header: `<header class="site-header">站头</header>`, Footer: `<footer class="site-footer">站尾</footer>`})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/search", nil))
	page := w.Body.String()
	for _, want := range []string{`<header class="site-header">站头</header>`, `<footer class="site-footer">站尾</footer>`, `<main id="main" class="wrap"`, `href="#main"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "max-width:42em") {
		t.Error("the page's own body style overrides the site's")
	}
}
