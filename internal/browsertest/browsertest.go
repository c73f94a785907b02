// Package browsertest starts a headless Chromium for a test and drives its
// tabs. Only _test.go files import it (internal/archtest checks).
//
// A test without Chromium installed is skipped with a message saying so,
// unless BANMIAN_REQUIRE_BROWSER=1 (as in CI), when it fails. Every browser
// gets a fresh profile in the test's temporary folder and the flags of
// internal/chromium, the ones the PDF proofs are printed with.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/chromium"
)

// Require returns the Chromium to test with. Without one it skips the
// test, or fails it when BANMIAN_REQUIRE_BROWSER=1.
func Require(tb testing.TB) string {
	tb.Helper()
	exe, err := chromium.Find()
	if err != nil {
		if os.Getenv("BANMIAN_REQUIRE_BROWSER") == "1" {
			tb.Fatalf("BANMIAN_REQUIRE_BROWSER=1 but: %v", err)
		}
		tb.Skipf("skipping the browser test: %v", err)
	}
	return exe
}

// Long skips a browser test under go test -short: each takes seconds
// and a Chromium. With BANMIAN_REQUIRE_BROWSER=1 (as in CI) it never
// skips: a required browser check runs whatever the flags.
func Long(tb testing.TB) {
	tb.Helper()
	if testing.Short() && os.Getenv("BANMIAN_REQUIRE_BROWSER") != "1" {
		tb.Skip("skipping the browser test under -short (it needs Chromium and a few seconds; BANMIAN_REQUIRE_BROWSER=1 runs it)")
	}
}

// Tool reports whether a program the browser tests check their output
// with (poppler-utils' pdftotext, pdfimages) is installed. Where it is
// missing, BANMIAN_REQUIRE_BROWSER=1 fails the test; otherwise the test
// is told, and the caller skips only what needs the program.
func Tool(tb testing.TB, name string) bool {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("BANMIAN_REQUIRE_BROWSER") == "1" {
			tb.Fatalf("BANMIAN_REQUIRE_BROWSER=1 but %s (poppler-utils) is missing: %v", name, err)
		}
		tb.Logf("%s (poppler-utils) is missing: the checks that need it are skipped", name)
		return false
	}
	return true
}

// Start starts a headless Chromium for one test, with a fresh profile and
// the shared flags plus extra, and returns its context. The browser stops
// when the test ends, or after limit, whichever comes first: limit is a
// ceiling for a loaded machine, not a speed target.
func Start(tb testing.TB, limit time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	tb.Helper()
	exe := Require(tb)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromium.Options(exe, tb.TempDir()), extra...)...)
	b, cancelBrowser := chromedp.NewContext(alloc)
	tb.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
	})
	if err := chromedp.Do(b); err != nil {
		tb.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	return b
}

// Tab is a browser tab with a browser context of its own (its own cookie
// jar and storage), so two users can be signed in at once. Its methods
// fail the test on error, with the page's address and text.
type Tab struct {
	// Ctx is the tab's chromedp context, for what the methods do not do.
	Ctx context.Context
	// Base is prefixed to the paths Open opens.
	Base string
	// Limit bounds each Do, WaitJS, Eval and Screenshot (default 15
	// seconds).
	Limit time.Duration
	t     testing.TB
}

// NewTab opens a tab in browser (from Start); Open prefixes base to paths.
// The tab closes when the test ends.
func NewTab(tb testing.TB, browser context.Context, base string) *Tab {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("opening a tab: %v", err)
	}
	return &Tab{Ctx: ctx, Base: base, Limit: 15 * time.Second, t: tb}
}

// For returns the same tab reporting its failures to t, a subtest of the
// test that opened it.
func (tab *Tab) For(t testing.TB) *Tab {
	c := *tab
	c.t = t
	return &c
}

// T is the test the tab reports to, for helpers built on the tab to call
// T().Helper().
func (tab *Tab) T() testing.TB { return tab.t }

// Do runs actions in order within tab.Limit; what names them in a
// failure.
//
// An action that finds its node and then loses it is run again, a few
// times at most: chromedp handles a page's DOM.documentUpdated event (sent
// after a navigation, and late on a loaded machine) by fetching the
// document again, which gives every node a new id, so a node found just
// before is gone by the time the action uses it. The action then did
// nothing (it fails resolving the node), and its query finds the node
// anew.
func (tab *Tab) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.Ctx, tab.Limit)
	defer cancel()
	for _, a := range actions {
		err := chromedp.Do(ctx, a)
		for tries := 1; err != nil && staleNode(err) && tries < 5 && ctx.Err() == nil; tries++ {
			tab.t.Logf("%s: %v; trying again", what, err)
			err = chromedp.Do(ctx, a)
		}
		if err != nil {
			tab.t.Fatalf("%s: %v\npage: %s", what, err, tab.Text())
		}
	}
}

// staleNode reports whether err is one of the browser's answers about a
// node id from before the document was fetched again.
func staleNode(err error) bool {
	var e *cdproto.Error
	// DOM.resolveNode says the first; DOM.getContentQuads and
	// DOM.scrollIntoViewIfNeeded (a click) the second.
	return errors.As(err, &e) && (strings.Contains(e.Message, "No node with given id found") ||
		strings.Contains(e.Message, "Could not find node with given id"))
}

// Open navigates to Base+path.
func (tab *Tab) Open(path string) {
	tab.t.Helper()
	tab.Do("opening "+path, chromedp.Navigate(tab.Base+path))
}

// Eval evaluates a JavaScript expression within tab.Limit.
func Eval[T any](tab *Tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(tab.Ctx, tab.Limit)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// WaitJS waits up to tab.Limit for a JavaScript expression to be true in a
// fully parsed page; what names it in a failure. The page itself polls
// (chromedp.Poll), so the test reacts at once; a navigation (a form post)
// destroys the polling context, and then it starts again on the new page.
// The parse check matters: the flash above a half-parsed page is not the
// whole page. An expression that throws counts as false.
func (tab *Tab) WaitJS(what, expr string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.Ctx, tab.Limit)
	defer cancel()
	pred := `(() => { try { return document.readyState !== "loading" && !!(` + expr + `) } catch (e) { return false } })()`
	var err error
	for tries := 0; ctx.Err() == nil; tries++ {
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](pred, chromedp.WithPollingInterval(20*time.Millisecond))); err == nil {
			return
		}
		if tries > 1000 {
			break // not a navigation: something is broken
		}
	}
	tab.t.Fatalf("waiting for %s (%s): %v\npage: %s", what, expr, err, tab.Text())
}

// Text is the page's address and visible text (at most 3,000 bytes), for
// failure messages; it never fails.
func (tab *Tab) Text() string {
	s, err := Eval[string](tab, `location.href + "\n" + (document.body ? document.body.innerText : "")`)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// Value evaluates a JavaScript expression of string value.
func (tab *Tab) Value(expr string) string {
	tab.t.Helper()
	s, err := Eval[string](tab, expr)
	if err != nil {
		tab.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

// JSString quotes s as a JavaScript string literal.
func JSString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ScreenshotDir is $BANMIAN_SCREENSHOTS, the folder screenshots are left
// in, or "" when none are wanted.
func ScreenshotDir() string { return os.Getenv("BANMIAN_SCREENSHOTS") }

// Screenshot saves a PNG of the page, the whole of it when full, else the
// viewport, as name.png in ScreenshotDir. It does nothing when that is "".
func (tab *Tab) Screenshot(name string, full bool) {
	tab.t.Helper()
	dir := ScreenshotDir()
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(tab.Ctx, tab.Limit)
	defer cancel()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		tab.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tab.t.Fatal(err)
	}
}
