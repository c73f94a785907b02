package server

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
	keys "github.com/chromedp/chromedp/kb"

	"github.com/banmian/banmian/internal/store"
)

// TestBrowserDeskListPager: on a phone the list's pager fits the screen,
// and 下一页 is reached and followed with the keyboard alone.
func TestBrowserDeskListPager(t *testing.T) {
	t.Parallel()
	browsertest.Long(t)
	e := newEnv(t)
	for i := range 60 {
		e.mustSubmission("changzheng", "长征镇", fmt.Sprintf("长征镇社区新闻第%d篇", i+1), "正文。", store.StatusSubmitted)
	}
	office := officeTab(t, e)
	office.Do("a phone window", chromedp.EmulateViewport(390, 844))
	office.Open("/desk/submissions?status=submitted")
	office.WaitJS("the pager", `document.querySelector('nav.pager a[rel="next"]')`)
	if got := office.Value(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Errorf("the list is wider than a phone: %s", office.Value(`String(document.documentElement.scrollWidth)`))
	}
	if got := office.Value(`document.querySelector("nav.pager").textContent.replace(/\s+/g, " ").trim()`); got != "第 1–50 篇，共 60 篇下一页" {
		t.Errorf("pager: %q", got)
	}
	office.Screenshot("list-pager-phone", true)
	// Tab from the last row's link to 下一页, and follow it with Enter.
	office.Do("focusing the last row",
		chromedp.Focus(chromedp.CSS(`table.subs tbody tr:last-child a`)),
		chromedp.KeyEvent(keys.Tab), // the row has one link
	)
	if got := office.Value(`document.activeElement.textContent`); got != "下一页" {
		t.Fatalf("after the last row, Tab reaches %q", got)
	}
	office.Do("pressing Enter", chromedp.KeyEvent(keys.Enter))
	office.WaitJS("the second page", `location.search === "?offset=50&status=submitted" && document.querySelector('nav.pager a[rel="prev"]')`)
	if n := office.Value(`String(document.querySelectorAll("table.subs tbody tr").length)`); n != "10" {
		t.Errorf("the second page has %s rows", n)
	}
	office.Do("a desktop window", chromedp.EmulateViewport(1366, 900))
	office.Screenshot("list-pager-desktop", true)
}
