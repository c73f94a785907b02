package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
)

// TestBrowserManyFindings: a body with more findings than a preview lists
// shows the first maxPreviewFindings, the total, and how many are left
// out; 一键修正全部 fixes them all, at a phone's width and a desktop's.
func TestBrowserManyFindings(t *testing.T) {
	t.Parallel()
	browsertest.Long(t)
	e := newEnv(t)
	office := officeTab(t, e)
	office.Do("a phone window", chromedp.EmulateViewport(390, 844))
	office.Open("/desk/submissions/new")
	n := maxPreviewFindings + 50
	body := strings.Repeat("居民们排起了长队,", n)
	// Set, not typed: 2,500 characters typed one by one take a minute on a
	// loaded machine; the input event starts the preview as typing does.
	office.Do("pasting a long body",
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.SetValue(chromedp.ID("body"), body),
		chromedp.Evaluate[chromedp.Void](`void document.getElementById("body").dispatchEvent(new Event("input", {bubbles: true}))`),
	)
	office.WaitJS("the findings", `document.querySelectorAll("#findings li.finding").length > 0`)
	if got := office.Value(`String(document.querySelectorAll("#findings li.finding").length)`); got != strconv.Itoa(maxPreviewFindings) {
		t.Errorf("%s findings listed, want %d", got, maxPreviewFindings)
	}
	if got := office.Value(`document.getElementById("findings-count").textContent`); got != "（"+strconv.Itoa(n)+" 处）" {
		t.Errorf("findings count %q", got)
	}
	if got := office.Value(`document.querySelector("#findings li.muted").textContent`); !strings.Contains(got, "另有 50 处未列出") || !strings.Contains(got, "一键修正全部") {
		t.Errorf("the note on the findings left out: %q", got)
	}
	if got := office.Value(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Errorf("the form is wider than a phone: %s", office.Value(`String(document.documentElement.scrollWidth)`))
	}
	office.Do("scrolling to the findings", chromedp.Evaluate[chromedp.Void](`void document.getElementById("findings-box").scrollIntoView({block: "start"})`))
	office.Screenshot("findings-many-390x844", false)
	office.Do("a desktop window", chromedp.EmulateViewport(1366, 900))
	office.Do("scrolling to the note", chromedp.ScrollIntoView(chromedp.CSS("#findings li.muted")))
	office.Screenshot("findings-many-1366x900", false)
	// Clicked from script: the sticky bar of buttons may lie over it.
	office.WaitJS("the 一键修正全部 button", `!document.getElementById("fixall").hidden`)
	office.Do("fixing all", chromedp.Evaluate[chromedp.Void](`void document.getElementById("fixall").click()`))
	office.WaitJS("no findings left", `document.querySelector("#findings li.ok")`)
	if got := office.Value(`document.getElementById("body").value`); got != strings.ReplaceAll(body, ",", "，") {
		t.Errorf("after 一键修正全部 the body has %d half-width commas", strings.Count(got, ","))
	}
}
