package server

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/layout"
	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

// browser is a headless Chromium for one test, with a fresh profile. It
// skips the test when no Chromium is installed, unless
// BANMIAN_REQUIRE_BROWSER=1. The returned context ends with the test or
// after limit, whichever comes first.
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

// tab is a browser tab with a cookie jar of its own (a new browser
// context), so two users can be signed in at once.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newTab(t *testing.T, b context.Context, base string) *tab {
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx, base: base}
}

// do runs actions with a time limit of 15 seconds.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v\npage: %s", what, err, tb.text())
	}
}

// open navigates to a path of the server.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("opening "+path, chromedp.Navigate(tb.base+path))
}

// eval evaluates a JavaScript expression.
func evalJS[T any](tb *tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// waitJS waits up to 15 seconds for a JavaScript expression to be true
// in a fully parsed page. The page itself polls (chromedp.Poll), so the
// test reacts at once; a navigation (a form post) destroys the polling
// context, and then it starts again on the new page. The parse check
// matters: the flash above a half-parsed page is not the whole page.
func (tb *tab) waitJS(what, expr string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
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
	tb.t.Fatalf("waiting for %s (%s): %v\npage: %s", what, expr, err, tb.text())
}

// text is the page's URL and visible text, for failure messages.
func (tb *tab) text() string {
	s, err := evalJS[string](tb, `location.href + "\n" + (document.body ? document.body.innerText : "")`)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// value evaluates a string expression.
func (tb *tab) value(expr string) string {
	tb.t.Helper()
	s, err := evalJS[string](tb, expr)
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// login signs a user in through the login form.
func (tb *tab) login(name string) {
	tb.t.Helper()
	tb.open("/desk/login")
	tb.do("logging in as "+name,
		chromedp.SendKeys(chromedp.CSS(`form.login input[name="name"]`), name),
		chromedp.SendKeys(chromedp.CSS(`form.login input[name="password"]`), storetest.Password),
		chromedp.Click(chromedp.CSS(`form.login button`)),
	)
	tb.waitJS(name+" signed in", `document.querySelector("form.logout")`)
}

// statusIs waits for the submission page to show a status.
func (tb *tab) statusIs(s store.Status) {
	tb.t.Helper()
	tb.waitJS("status "+s.Label(), `document.querySelector("#status") && document.querySelector("#status").textContent === `+jsString(s.Label()))
}

// TestBrowserWorkflow walks one story from a town office's form to the
// reader site and search in headless Chromium: the live preview, a house
// style finding and its one-click fix, return with a note, resubmission,
// acceptance, placing on an edition and publishing.
func TestBrowserWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	start := time.Now()
	e := newEnv(t)
	b := browser(t, 240*time.Second) // a ceiling for a loaded machine, not a speed target
	const (
		title  = "长征镇社区食堂开张"
		kicker = "家门口的幸福"
		date   = "2025-06-24"
	)

	// The office writes the story, with ASCII commas house style flags.
	office := newTab(t, b, e.base)
	office.login("changzheng")
	office.open("/desk/submissions/new")
	office.do("typing the story",
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.SendKeys(chromedp.CSS(`input[name="kicker"]`), kicker),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "六月一日,长征镇第一家社区食堂开张,居民们排起了长队。"),
		chromedp.SendKeys(chromedp.CSS(`input[name="tags"]`), "民生、食堂"),
	)
	office.waitJS("the live preview", `document.querySelector("#preview").textContent.includes("社区食堂开张")`)
	office.waitJS("a lint finding with a fix", `document.querySelector("#findings li.finding button.fix")`)
	if got := office.value(`document.querySelector("#chars").textContent`); !strings.Contains(got, "字") {
		t.Errorf("character count: %q", got)
	}
	finding := office.value(`document.querySelector("#findings li.finding").textContent`)
	if !strings.Contains(finding, ",") || !strings.Contains(finding, "，") {
		t.Errorf("finding does not name the comma and its fix: %q", finding)
	}
	commas := strings.Count(office.value(`document.querySelector("#body").value`), ",")
	office.do("one-click fix", chromedp.Click(chromedp.CSS(`#findings li.finding button.fix`)))
	office.waitJS("one comma fixed", `document.querySelector("#body").value.split(",").length - 1 === `+strconv.Itoa(commas-1))
	office.waitJS("findings updated", `document.querySelectorAll("#findings li.finding").length === `+strconv.Itoa(commas-1))
	office.do("fixing the rest", chromedp.Click(chromedp.ID("fixall")))
	office.waitJS("no findings left", `document.querySelector("#findings li.ok")`)
	if body := office.value(`document.querySelector("#body").value`); strings.Contains(body, ",") || !strings.Contains(body, "六月一日，长征镇") {
		t.Errorf("body after the fixes: %q", body)
	}
	office.do("submitting", chromedp.Click(chromedp.ID("submit")))
	office.statusIs(store.StatusSubmitted)
	loc := office.value(`location.pathname`)
	id := strings.TrimPrefix(loc, "/desk/submissions/")
	if id == loc || id == "" {
		t.Fatalf("after submitting, at %s", loc)
	}
	sub, err := e.st.Submission(id)
	if err != nil || sub.Office != "长征镇" || sub.Title != title || strings.Contains(sub.Body, ",") {
		t.Fatalf("stored submission: %+v, %v", sub, err)
	}

	// The editor returns it with a note.
	const note = "请补充食堂的营业时间"
	desk := newTab(t, b, e.base)
	desk.login("editor")
	desk.open("/desk/submissions/" + id)
	desk.do("returning with a note",
		chromedp.SendKeys(chromedp.ID("action-note"), note),
		chromedp.Click(chromedp.ID("act-return")),
	)
	desk.statusIs(store.StatusReturned)

	// The office sees the note and resubmits.
	office.open("/desk/submissions/" + id)
	office.statusIs(store.StatusReturned)
	office.waitJS("the return note", `[...document.querySelectorAll(".event-note")].some(n => n.textContent.includes(`+jsString(note)+`))`)
	office.do("adding the opening hours",
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.Evaluate[chromedp.Void](`(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); })(document.querySelector("#body"))`),
		chromedp.SendKeys(chromedp.ID("body"), "食堂每天上午十点开门。"),
	)
	office.waitJS("the preview of the new text", `document.querySelector("#preview").textContent.includes("上午十点开门")`)
	office.do("resubmitting", chromedp.Click(chromedp.ID("resubmit")))
	office.statusIs(store.StatusResubmitted)

	// The editor accepts it, places it on an edition as the lead and
	// publishes.
	desk.open("/desk/submissions/" + id)
	desk.do("accepting", chromedp.Click(chromedp.ID("act-accept")))
	desk.statusIs(store.StatusAccepted)
	desk.open("/desk/editions/" + date)
	desk.do("placing the story",
		chromedp.Click(chromedp.CSS(`input.place[value="`+id+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name="lead"][value="`+id+`"]`)),
		chromedp.Click(chromedp.ID("save-edition")),
	)
	desk.waitJS("the edition saved", `document.querySelector("p.flash") && document.querySelector("p.flash").textContent === "已保存"`)
	if got := desk.value(`document.querySelector("#page-chars").textContent`); got == "0" || got == "" {
		t.Errorf("page character count: %q", got)
	}
	desk.do("publishing (confirmed)",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.ID("publish")))
	desk.waitJS("the edition published", `document.querySelector("p.flash") && document.querySelector("p.flash").textContent === "版面已发布"`)

	sub, err = e.st.Submission(id)
	if err != nil || sub.Status != store.StatusPublished || sub.Slug == "" {
		t.Fatalf("after publishing: %+v, %v", sub, err)
	}

	// A reader finds it on the site and through search.
	reader := newTab(t, b, e.base)
	reader.open("/stories/" + sub.Slug + "/")
	reader.waitJS("the story page", `document.body.innerText.includes(`+jsString(title)+`) && document.body.innerText.includes("上午十点开门")`)
	reader.open("/search?q=" + url.QueryEscape("社区食堂"))
	reader.waitJS("the search page finds it", `[...document.querySelectorAll("a")].some(a => a.getAttribute("href") && a.getAttribute("href").includes(`+jsString("/stories/"+sub.Slug+"/")+`))`)
	resp, body := e.do(e.client(), "GET", "/api/search?q="+url.QueryEscape("上午十点"), "", nil)
	var res struct {
		Total int
		Hits  []struct{ ID, URL string }
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/api/search: %d %v %s", resp.StatusCode, err, body)
	}
	if res.Total != 1 || res.Hits[0].ID != sub.Slug {
		t.Errorf("/api/search: %s", body)
	}
	t.Logf("browser workflow in %v", time.Since(start).Round(time.Millisecond))
}
