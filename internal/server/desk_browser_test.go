package server

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
	"github.com/banmian/banmian/internal/store"
)

// TestBrowserDesk covers the desk's forms in Chromium: the inline error
// with the form kept (and nothing created), paste from rich text, IME
// composition, autosave, the unsaved-changes warning, the return note and
// notification badge, and reopening a withdrawn story.
func TestBrowserDesk(t *testing.T) {
	t.Parallel()
	browsertest.Long(t)
	e := newEnv(t)
	b := browsertest.Start(t, 240*time.Second) // a ceiling for a loaded machine, not a speed target
	office := newTab(t, b, e.base)
	office.login("changzheng")

	// 1. A 投稿 without a title: the browser stops it; with the browser
	// check removed the server answers with the error next to the field,
	// the typed text kept, and no draft left behind.
	office.Open("/desk/submissions/new")
	office.Do("typing without a title",
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.SendKeys(chromedp.CSS(`input[name="kicker"]`), "家门口的幸福"),
		chromedp.SendKeys(chromedp.ID("body"), "六月一日，长征镇第一家社区食堂开张。"),
	)
	if ok := office.Value(`String(document.querySelector("#title").required && !document.querySelector("#title").checkValidity())`); ok != "true" {
		t.Errorf("the empty title is not flagged by the browser: %s", ok)
	}
	office.Do("sending without the browser check",
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("[required]").forEach(el => el.removeAttribute("required"))`),
		chromedp.Click(chromedp.ID("submit")),
	)
	office.WaitJS("the inline error", `document.querySelector("label.has-error #title") && document.querySelector(".field-error")`)
	if msg := office.Value(`document.querySelector(".field-error").textContent`); !strings.Contains(msg, "主题") {
		t.Errorf("field error: %q", msg)
	}
	if got := office.Value(`document.querySelector("#body").value`); got != "六月一日，长征镇第一家社区食堂开张。" {
		t.Errorf("the body was not kept: %q", got)
	}
	if got := office.Value(`document.querySelector('input[name="kicker"]').value`); got != "家门口的幸福" {
		t.Errorf("the kicker was not kept: %q", got)
	}
	if subs, _ := e.st.Submissions(store.SubmissionFilter{}); len(subs) != 0 {
		t.Errorf("a failed 投稿 left %d submissions", len(subs))
	}
	// The clerk's form with its error, as a desktop and a phone show it:
	// the phone shows all of it without scrolling sideways.
	office.Do("a desktop window", chromedp.EmulateViewport(1366, 900))
	office.Screenshot("submission-error-1366x900", true)
	office.Do("a phone window", chromedp.EmulateViewport(390, 844))
	if w := office.Value(`String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the 投稿 form is %spx wide on a 390px phone", w)
	}
	office.Screenshot("submission-error-390x844", true)
	ctx, cancel := context.WithTimeout(office.Ctx, 10*time.Second)
	if _, err := chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	cancel()

	// 3. Paste from a word processor: paragraphs and subheads only.
	office.Open("/desk/submissions/new")
	office.Do("pasting rich text",
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const b = document.querySelector("#body"); b.focus();
			const dt = new DataTransfer();
			dt.setData("text/html", '<html><body><h2 style="color:red">一、概况</h2><p class="MsoNormal"><span style="font-family:宋体">居民们<b>排起</b>长队。</span></p><p><strong>二、营业时间</strong></p><div>每天上午十点<br>开门。</div><img src="x.png"><script>alert(1)</script></body></html>');
			dt.setData("text/plain", "一、概况 居民们排起长队。");
			b.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
		})()`),
	)
	const pasted = "## 一、概况\n居民们排起长队。\n## 二、营业时间\n每天上午十点\n开门。"
	office.WaitJS("the pasted text", `document.querySelector("#body").value === `+browsertest.JSString(pasted))
	office.WaitJS("subheads in the preview", `document.querySelectorAll("#preview h2").length === 2 && document.querySelectorAll("#preview p").length === 3`)

	// 3. IME: while composing, the text is the input method's and the
	// toolbar does not touch it; the committed text reaches the preview.
	office.Do("clearing", chromedp.Evaluate[chromedp.Void](`(b => { b.value = ""; b.focus(); })(document.querySelector("#body"))`))
	office.Do("composing",
		chromedp.Evaluate[chromedp.Void](`window.__events = []; ["compositionstart","compositionend"].forEach(n => document.querySelector("#body").addEventListener(n, () => window.__events.push(n)))`),
	)
	ctx, cancel = context.WithTimeout(office.Ctx, 10*time.Second)
	if _, err := chromedp.Call(ctx, input.ImeSetComposition, input.ImeSetCompositionParams{Text: "zhong", SelectionStart: 5, SelectionEnd: 5}); err != nil {
		t.Fatal(err)
	}
	cancel()
	office.WaitJS("composition started", `window.__events.includes("compositionstart")`)
	// A script click: a mouse click would move the focus and end the composition.
	office.Do("the toolbar while composing", chromedp.Evaluate[chromedp.Void](`document.querySelector('button[data-tool="bold"]').click()`))
	if got := office.Value(`document.querySelector("#body").value`); got != "zhong" {
		t.Errorf("the text changed while composing: %q", got)
	}
	ctx, cancel = context.WithTimeout(office.Ctx, 10*time.Second)
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "中文稿件"}); err != nil {
		t.Fatal(err)
	}
	cancel()
	office.WaitJS("composition ended", `window.__events.includes("compositionend")`)
	office.WaitJS("the committed text in the preview", `document.querySelector("#preview").textContent.includes("中文稿件") && !document.querySelector("#preview").textContent.includes("zhong")`)

	// 6. Unsaved changes: leaving by a menu link asks first.
	dialogs := make(chan page.EventJavascriptDialogOpening, 4)
	chromedp.Listen(office.Ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case dialogs <- *d:
			default:
			}
		}
	})
	office.Do("typing a title", chromedp.SendKeys(chromedp.ID("title"), "社区食堂开张"))
	office.Do("clicking a menu link", chromedp.Evaluate[chromedp.Void](`setTimeout(() => document.querySelector('header nav a[href="/desk/submissions"]').click(), 0)`))
	select {
	case d := <-dialogs:
		if d.Type != page.DialogTypeBeforeunload {
			t.Errorf("dialog %s, want beforeunload", d.Type)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("leaving with unsaved changes gave no warning")
	}
	ctx, cancel = context.WithTimeout(office.Ctx, 10*time.Second)
	if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if got := office.Value(`location.pathname + "|" + document.querySelector("#title").value`); got != "/desk/submissions/new|社区食堂开张" {
		t.Errorf("after staying: %q", got)
	}

	// 6. Autosave: a draft saves itself a few seconds after typing stops.
	office.Do("saving the draft", chromedp.Click(chromedp.ID("save")))
	office.statusIs(store.StatusDraft)
	id := strings.TrimPrefix(office.Value(`location.pathname`), "/desk/submissions/")
	before, err := e.st.Submission(id)
	if err != nil {
		t.Fatal(err)
	}
	office.Do("typing more",
		chromedp.Evaluate[chromedp.Void](`(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); })(document.querySelector("#body"))`),
		chromedp.SendKeys(chromedp.ID("body"), "\n食堂每天上午十点开门。"),
	)
	office.WaitJS("the autosave", `document.querySelector("#story-form").getAttribute("data-saved")`)
	after, err := e.st.Submission(id)
	if err != nil || after.Rev <= before.Rev || !strings.Contains(after.Body, "食堂每天上午十点开门。") {
		t.Fatalf("after autosave: rev %d → %d, body %q, %v", before.Rev, after.Rev, after.Body, err)
	}
	if got := office.Value(`document.querySelector("#rev").value`); got != strconv.Itoa(after.Rev) {
		t.Errorf("the form's revision after autosave: %s, stored %d", got, after.Rev)
	}
	office.Do("submitting", chromedp.Click(chromedp.ID("resubmit")))
	office.statusIs(store.StatusSubmitted)

	// 2. The editor has a badge for the new story and returns it; the
	// office has a badge, and the story opens with the note on top.
	desk := newTab(t, b, e.base)
	desk.login("editor")
	desk.WaitJS("the editor's badge", `document.querySelector("#unread") && document.querySelector("#unread").textContent === "1"`)
	desk.Open("/desk/submissions/" + id)
	desk.Do("returning without a note", chromedp.Evaluate[chromedp.Void](`document.querySelector("#act-return").click()`))
	if got := desk.Value(`document.querySelector("#action-note").validationMessage`); got == "" {
		t.Errorf("returning without a note was not stopped")
	}
	const note = "请补充食堂的地址"
	desk.Do("returning",
		chromedp.SendKeys(chromedp.ID("action-note"), note),
		chromedp.Click(chromedp.ID("act-return")),
	)
	desk.statusIs(store.StatusReturned)
	office.Open("/desk/")
	office.WaitJS("the office's badge", `document.querySelector("#unread") && document.querySelector("#unread").textContent === "1"`)
	office.Open("/desk/notifications")
	office.Do("opening the notification", chromedp.Click(chromedp.CSS(`#inbox li.unread button`)))
	office.statusIs(store.StatusReturned)
	office.WaitJS("the note on top", `document.querySelector("#return-note .event-note").textContent === `+browsertest.JSString(note)+
		` && document.querySelector("#return-note").getBoundingClientRect().top < document.querySelector("#body").getBoundingClientRect().top`)
	if got := office.Value(`document.querySelector("#unread") ? "badge" : "none"`); got != "none" {
		t.Errorf("the badge after reading: %s", got)
	}

	// 5. Withdraw (confirmed) and reopen as a draft.
	office.Do("withdrawing",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.ID("act-withdraw")),
	)
	office.statusIs(store.StatusWithdrawn)
	office.Do("reopening", chromedp.Click(chromedp.ID("act-reopen")))
	office.statusIs(store.StatusDraft)
	if got := office.Value(`document.querySelector("#body") ? "form" : "no form"`); got != "form" {
		t.Errorf("a reopened draft is not editable: %s", got)
	}
}
