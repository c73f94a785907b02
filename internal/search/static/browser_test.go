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

	"github.com/banmian/banmian/internal/layout"

	"github.com/banmian/banmian/internal/search/searchtest"
)

// browser is a headless Chromium for one test (as internal/server's
// browser tests start it). It skips the test when no Chromium is
// installed, unless BANMIAN_REQUIRE_BROWSER=1.
func browser(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	exe, err := layout.FindBrowser()
	if err != nil {
		if os.Getenv("BANMIAN_REQUIRE_BROWSER") == "1" {
			t.Fatalf("BANMIAN_REQUIRE_BROWSER=1 but: %v", err)
		}
		t.Skipf("skipping the browser test: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
	)
	b, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
	})
	if err := chromedp.Do(b); err != nil {
		t.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	return b
}

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
	b := browser(t, 3*time.Minute)
	root := t.TempDir()
	docs := append(searchtest.SampleDocs(t), searchtest.GenCorpus(t, 300, 600)...)
	footer := `<footer style="min-height:12em;border-top:1px solid #999"><p>多维世界 · 版权所有</p></footer>`
	if err := Write(filepath.Join(root, "search"), docs, Options{Title: "多维世界", Footer: template.HTML(footer)}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	t.Cleanup(srv.Close)
	tab, cancel := context.WithTimeout(b, 2*time.Minute)
	defer cancel()
	err := chromedp.Do(tab,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: clsObserver})
			return err
		}),
		chromedp.Navigate(srv.URL+"/search/?q="+url.QueryEscape("长征镇")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The results arrive by script: wait for their heading.
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`!!document.getElementById("results-heading")`)); err != nil {
		msg, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.getElementById("results").innerText`))
		t.Fatalf("no results heading: %v\n%s", err, msg)
	}
	cls, err := chromedp.Run(tab, chromedp.Evaluate[float64](clsTotal, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	str := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	title := str("document.title")
	focused := str(`document.activeElement ? document.activeElement.id : ""`)
	text := str(`document.getElementById("results").innerText`)
	inputFont := str(`getComputedStyle(document.getElementById("q")).fontFamily`)
	bodyFont := str(`getComputedStyle(document.body).fontFamily`)
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
