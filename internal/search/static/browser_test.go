package static

import (
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// clsObserver sums layout shifts (without recent input) from the start of
// the page; clsTotal flushes pending entries after two frames.
const clsObserver = `window.__cls = 0;
window.__clsPO = new PerformanceObserver(function (l) {
  l.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.__cls += e.value; });
});
window.__clsPO.observe({type: "layout-shift", buffered: true});`

const clsTotal = `new Promise(function (r) {
  requestAnimationFrame(function () { requestAnimationFrame(function () {
    window.__clsPO.takeRecords().forEach(function (e) { if (!e.hadRecentInput) window.__cls += e.value; });
    r(window.__cls);
  }); });
})`

// TestStaticPageInBrowser: on a phone-sized screen, the static search page
// of a 300-story site shows results without moving what is on screen
// (cumulative layout shift ≤ 0.1), puts the query in the title, moves
// focus to the results heading, shows Chinese dates and the kicker, and
// uses the page's font in its form controls.
func TestStaticPageInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.Start(t, 3*time.Minute)
	root := t.TempDir()
	docs := append(searchtest.SampleDocs(t), searchtest.GenCorpus(t, 300, 600)...)
	footer := `<footer style="min-height:12em;border-top:1px solid #999"><p>多维世界 · 版权所有</p></footer>`
	if err := Write(filepath.Join(root, "search"), docs, Options{Title: "多维世界", Footer: template.HTML(footer)}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	t.Cleanup(srv.Close)
	tab := browsertest.NewTab(t, b, srv.URL)
	tab.Limit = time.Minute // the first search loads the index on a loaded machine
	tab.Do("opening the search page on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: clsObserver})
			return err
		}),
		chromedp.Navigate(srv.URL+"/search/?q="+url.QueryEscape("长征镇")),
	)
	// The results arrive by script: wait for their heading.
	tab.WaitJS("the results heading", `document.getElementById("results-heading")`)
	cls, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[float64](clsTotal, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	title := tab.Value("document.title")
	focused := tab.Value(`document.activeElement ? document.activeElement.id : ""`)
	text := tab.Value(`document.getElementById("results").innerText`)
	inputFont := tab.Value(`getComputedStyle(document.getElementById("q")).fontFamily`)
	bodyFont := tab.Value(`getComputedStyle(document.body).fontFamily`)
	t.Logf("cumulative layout shift %.4f", cls)
	if cls > 0.1 {
		t.Errorf("cumulative layout shift %.3f, want at most 0.1", cls)
	}
	if !strings.HasPrefix(title, "长征镇 - ") {
		t.Errorf("title %q lacks the query", title)
	}
	if focused != "results-heading" {
		t.Errorf("focus on %q, want the results heading", focused)
	}
	for _, want := range []string{"共找到", "2025年6月12日", "普陀区长征镇为“网格”赋能"} {
		if !strings.Contains(text, want) {
			t.Errorf("results lack %q:\n%s", want, text)
		}
	}
	if inputFont != bodyFont || !strings.Contains(inputFont, "CJK") {
		t.Errorf("search box font %q, page font %q", inputFont, bodyFont)
	}
	// Without script, the page says so.
	html, err := os.ReadFile(filepath.Join(root, "search", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<noscript><p>本页的搜索需要浏览器启用 JavaScript") {
		t.Error("no <noscript> message")
	}
}
