package server

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

// tab is a browser tab of browsertest with the desk's own steps.
type tab struct{ *browsertest.Tab }

func newTab(t *testing.T, b context.Context, base string) *tab {
	t.Helper()
	return &tab{browsertest.NewTab(t, b, base)}
}

// login signs a user in through the login form.
func (tb *tab) login(name string) {
	tb.T().Helper()
	tb.Open("/desk/login")
	tb.Do("logging in as "+name,
		chromedp.SendKeys(chromedp.CSS(`form.login input[name="name"]`), name),
		chromedp.SendKeys(chromedp.CSS(`form.login input[name="password"]`), storetest.Password),
		chromedp.Click(chromedp.CSS(`form.login button`)),
	)
	tb.WaitJS(name+" signed in", `document.querySelector("form.logout")`)
}

// officeTab starts a browser of the test's own (with a ceiling for a
// loaded machine, not a speed target) and signs changzheng, a town
// office's submitter, in on e's desk.
func officeTab(t *testing.T, e *testEnv) *tab {
	t.Helper()
	office := newTab(t, browsertest.Start(t, 240*time.Second), e.base)
	office.login("changzheng")
	return office
}

// statusIs waits for the submission page to show a status.
func (tb *tab) statusIs(s store.Status) {
	tb.T().Helper()
	tb.WaitJS("status "+s.Label(), `document.querySelector("#status") && document.querySelector("#status").textContent === `+browsertest.JSString(s.Label()))
}

// TestBrowserWorkflow walks one story from a town office's form to the
// reader site and search in headless Chromium: the live preview, a house
// style finding and its one-click fix, return with a note, resubmission,
// acceptance, placing on an edition and publishing.
func TestBrowserWorkflow(t *testing.T) {
	t.Parallel()
	browsertest.Long(t)
	start := time.Now()
	e := newEnv(t)
	b := browsertest.Start(t, 240*time.Second) // a ceiling for a loaded machine, not a speed target
	const (
		title  = "长征镇社区食堂开张"
		kicker = "家门口的幸福"
		date   = "2025-06-24"
	)

	// The office writes the story, with ASCII commas house style flags.
	office := newTab(t, b, e.base)
	office.login("changzheng")
	office.Open("/desk/submissions/new")
	office.Do("typing the story",
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.SendKeys(chromedp.CSS(`input[name="kicker"]`), kicker),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "六月一日,长征镇第一家社区食堂开张,居民们排起了长队。"),
		chromedp.SendKeys(chromedp.CSS(`input[name="tags"]`), "民生、食堂"),
	)
	office.WaitJS("the live preview", `document.querySelector("#preview").textContent.includes("社区食堂开张")`)
	office.WaitJS("a lint finding with a fix", `document.querySelector("#findings li.finding button.fix")`)
	if got := office.Value(`document.querySelector("#chars").textContent`); !strings.Contains(got, "字") {
		t.Errorf("character count: %q", got)
	}
	finding := office.Value(`document.querySelector("#findings li.finding").textContent`)
	if !strings.Contains(finding, ",") || !strings.Contains(finding, "，") {
		t.Errorf("finding does not name the comma and its fix: %q", finding)
	}
	commas := strings.Count(office.Value(`document.querySelector("#body").value`), ",")
	office.Do("one-click fix", chromedp.Click(chromedp.CSS(`#findings li.finding button.fix`)))
	office.WaitJS("one comma fixed", `document.querySelector("#body").value.split(",").length - 1 === `+strconv.Itoa(commas-1))
	office.WaitJS("findings updated", `document.querySelectorAll("#findings li.finding").length === `+strconv.Itoa(commas-1))
	office.Do("fixing the rest", chromedp.Click(chromedp.ID("fixall")))
	office.WaitJS("no findings left", `document.querySelector("#findings li.ok")`)
	if body := office.Value(`document.querySelector("#body").value`); strings.Contains(body, ",") || !strings.Contains(body, "六月一日，长征镇") {
		t.Errorf("body after the fixes: %q", body)
	}
	office.Do("submitting", chromedp.Click(chromedp.ID("submit")))
	office.statusIs(store.StatusSubmitted)
	loc := office.Value(`location.pathname`)
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
	desk.Open("/desk/submissions/" + id)
	desk.Do("returning with a note",
		chromedp.SendKeys(chromedp.ID("action-note"), note),
		chromedp.Click(chromedp.ID("act-return")),
	)
	desk.statusIs(store.StatusReturned)

	// The office sees the note and resubmits.
	office.Open("/desk/submissions/" + id)
	office.statusIs(store.StatusReturned)
	office.WaitJS("the return note", `[...document.querySelectorAll(".event-note")].some(n => n.textContent.includes(`+browsertest.JSString(note)+`))`)
	office.Do("adding the opening hours",
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.Evaluate[chromedp.Void](`(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); })(document.querySelector("#body"))`),
		chromedp.SendKeys(chromedp.ID("body"), "食堂每天上午十点开门。"),
	)
	office.WaitJS("the preview of the new text", `document.querySelector("#preview").textContent.includes("上午十点开门")`)
	office.Do("resubmitting", chromedp.Click(chromedp.ID("resubmit")))
	office.statusIs(store.StatusResubmitted)

	// The editor accepts it, places it on an edition as the lead and
	// publishes.
	desk.Open("/desk/submissions/" + id)
	desk.Do("accepting", chromedp.Click(chromedp.ID("act-accept")))
	desk.statusIs(store.StatusAccepted)
	desk.Open("/desk/editions/" + date)
	desk.Do("placing the story",
		chromedp.Click(chromedp.CSS(`input.place[value="`+id+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name="lead"][value="`+id+`"]`)),
		chromedp.Click(chromedp.ID("save-edition")),
	)
	desk.WaitJS("the edition saved", `document.querySelector("p.flash") && document.querySelector("p.flash").textContent === "已保存"`)
	if got := desk.Value(`document.querySelector("#page-chars").textContent`); got == "0" || got == "" {
		t.Errorf("page character count: %q", got)
	}
	desk.Do("publishing (confirmed)",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.ID("publish")))
	desk.WaitJS("the edition published", `document.querySelector("p.flash") && document.querySelector("p.flash").textContent === "版面已发布"`)

	sub, err = e.st.Submission(id)
	if err != nil || sub.Status != store.StatusPublished || sub.Slug == "" {
		t.Fatalf("after publishing: %+v, %v", sub, err)
	}

	// A reader finds it on the site and through search.
	reader := newTab(t, b, e.base)
	reader.Open("/stories/" + sub.Slug + "/")
	reader.WaitJS("the story page", `document.body.innerText.includes(`+browsertest.JSString(title)+`) && document.body.innerText.includes("上午十点开门")`)
	reader.Open("/search?q=" + url.QueryEscape("社区食堂"))
	reader.WaitJS("the search page finds it", `[...document.querySelectorAll("a")].some(a => a.getAttribute("href") && a.getAttribute("href").includes(`+browsertest.JSString("/stories/"+sub.Slug+"/")+`))`)
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
