package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/layout"
	"github.com/banmian/banmian/internal/store"
)

// copyOf is about n characters of Chinese news copy, one paragraph a line.
func copyOf(n int) string {
	const s = "街道社区联合物业开展管道疏通行动，居民满意度明显提升。"
	var b strings.Builder
	for w := 0; w < n; w += len([]rune(s)) {
		b.WriteString(s)
		if w%150 > 120 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// TestBrowserEditionBuilder builds an edition in the desk's builder: adds
// three stories, makes one the lead, shrinks a module until its badge
// says it is overset, saves; then publishes and checks that the proof of
// the published content folder has the saved modules.
func TestBrowserEditionBuilder(t *testing.T) {
	t.Parallel()
	browsertest.Long(t)
	e := newEnv(t)
	b := browsertest.Start(t, 120*time.Second)
	const date = "2025-07-08"
	ids := []string{
		e.mustSubmission("changzheng", "长征镇", "长征镇社区食堂开张", copyOf(700), store.StatusAccepted),
		e.mustSubmission("hongqiao", "虹桥镇", "虹桥镇老旧小区加装电梯", copyOf(1400), store.StatusAccepted),
		e.mustSubmission("changzheng", "长征镇", "长征镇夜校开课", copyOf(400), store.StatusAccepted),
	}
	desk := newTab(t, b, e.base)
	desk.login("editor")
	desk.Do("a desktop window", chromedp.EmulateViewport(1366, 900))
	desk.Open("/desk/editions/" + date)
	desk.WaitJS("the builder", `document.documentElement.classList.contains("b-js") && document.querySelector("#b-pagefit").textContent !== ""`)

	for i, id := range ids {
		desk.Do("adding "+id, chromedp.Click(chromedp.CSS(`#b-pool li[data-id="`+id+`"] .b-toggle`)))
		// Wait for the page to settle: badges appearing move the list.
		desk.WaitJS("story added", `document.querySelectorAll("#b-placed > .b-item").length === `+strconv.Itoa(i+1)+` && document.querySelectorAll("#b-page .b-mod").length === `+strconv.Itoa(i+1)+` && document.querySelector("#b-status").textContent === ""`)
	}
	desk.WaitJS("three stories on the page", `document.querySelectorAll("#b-placed > .b-item").length === 3 && document.querySelectorAll("#b-page .b-mod").length === 3`)
	// The page's character count follows the stories placed, before any
	// save: the sum of the counts shown beside them.
	desk.WaitJS("the page's character count", `(function () {
		var sum = 0;
		document.querySelectorAll("#b-placed > .b-item[data-kind=story] .b-main .muted").forEach(function (m) { sum += parseInt(m.textContent.match(/(\d+) 字/)[1], 10); });
		return sum > 0 && document.getElementById("page-chars").textContent === String(sum);
	})()`)
	lead := ids[1]
	desk.Do("choosing the lead", chromedp.Click(chromedp.CSS(`#b-placed li[data-id="`+lead+`"] input[name="lead"]`)))
	desk.WaitJS("the lead on top", `document.querySelector('#b-page .b-mod.b-leadmod[data-item="`+lead+`"]')`)

	small := ids[2]
	badge := `document.querySelector('#b-placed li[data-id="` + small + `"] .b-badge').textContent`
	desk.WaitJS("a badge", badge+` !== "" && `+badge+` !== "未排"`)
	before := desk.Value(badge)
	desk.Do("shrinking a module",
		chromedp.SendKeys(chromedp.CSS(`input[name="columns:`+small+`"]`), "2"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines:`+small+`"]`), "12"),
	)
	desk.WaitJS("the badge says overset", badge+`.includes("超") && `+badge+`.includes("删约") && `+badge+`.startsWith("2栏×12行")`)
	if after := desk.Value(badge); after == before {
		t.Errorf("badge unchanged: %q", after)
	}
	desk.Do("locking it", chromedp.Click(chromedp.CSS(`input[name="locked:`+small+`"]`)))

	// Keyboard reordering: the small story moves up one place.
	desk.Do("Alt+↑ on the small story", chromedp.Evaluate[chromedp.Void](`(li => { li.focus(); li.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowUp", altKey: true, bubbles: true})); })(document.querySelector('#b-placed li[data-id="`+small+`"]'))`))
	desk.WaitJS("the small story second", `[...document.querySelectorAll("#b-placed > .b-item")].map(li => li.dataset.id).indexOf(`+browsertest.JSString(small)+`) === 1 && document.activeElement.dataset.id === `+browsertest.JSString(small))

	// An honour roll, pasted from a spreadsheet into its table.
	desk.Do("adding an honour roll", chromedp.Click(chromedp.ID("b-add-box")))
	desk.Do("pasting two rows", chromedp.Evaluate[chromedp.Void](`(inp => { const dt = new DataTransfer(); dt.setData("text/plain", "上海某食品有限公司\t酱油\t优质产品\r\n上海某乳业有限公司\t牛奶\t优质产品\r\n"); inp.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })(document.querySelector("#b-placed .b-boxitem table input"))`))
	desk.WaitJS("two rows and the box on the page", `document.querySelectorAll("#b-placed .b-boxitem tbody tr").length === 2 && document.querySelectorAll("#b-page .b-mod").length === 4 && document.querySelector("#b-placed .b-boxitem .b-badge").textContent.includes("栏×")`)
	if rows := desk.Value(`document.querySelector('#b-placed .b-boxitem textarea[name="box_rows"]').value`); rows != "上海某食品有限公司\t酱油\t优质产品\n上海某乳业有限公司\t牛奶\t优质产品" {
		t.Errorf("rows text %q", rows)
	}
	desk.Screenshot("builder-1366x900", true)
	desk.Do("a phone window", chromedp.EmulateViewport(390, 844))
	if w := desk.Value(`String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("builder is %spx wide on a 390px phone", w)
	}
	desk.Screenshot("builder-390x844", true)
	desk.Do("a desktop window", chromedp.EmulateViewport(1366, 900))

	desk.Do("saving", chromedp.Click(chromedp.ID("save-edition")))
	desk.WaitJS("saved", `document.querySelector("p.flash") && document.querySelector("p.flash").textContent === "已保存"`)

	// The proof fits a 1366px window, and its report reads well.
	desk.Open("/desk/editions/" + date + "/proof")
	desk.WaitJS("the proof", `document.querySelector(".sheet")`)
	if w := desk.Value(`String(document.documentElement.scrollWidth)`); w != "1366" {
		t.Errorf("the proof is %spx wide in a 1366px window", w)
	}
	desk.Screenshot("proof-1366x900", true)
	report := desk.Value(`document.querySelector(".summary").innerText`)
	if strings.Contains(report, "999999") || strings.Contains(report, "浏览器实测") || !strings.Contains(report, "版心 350×495 毫米") {
		t.Errorf("proof report: %s", report)
	}
	desk.Open("/desk/editions/" + date)
	ed, err := e.st.Edition(date)
	if err != nil {
		t.Fatal(err)
	}
	if len(ed.Items) != 4 || ed.Items[1].Submission != small || ed.Items[3].Box == nil {
		t.Fatalf("saved %+v, want the small story second and the box last", ed.Items)
	}
	if bx := ed.Items[3].Box; bx.ID != "rong-yu-bang-20250708" || len(bx.Rows) != 2 || bx.Rows[1].Product != "牛奶" {
		t.Errorf("saved box %+v", bx)
	}
	for _, it := range ed.Items[:3] {
		if it.Lead != (it.Submission == lead) {
			t.Errorf("item %s lead %v", it.Submission, it.Lead)
		}
		if it.Submission == small && (it.Module == nil || *it.Module != (content.ItemModule{Columns: 2, Lines: 12, Locked: true})) {
			t.Errorf("saved module of %s: %+v, want 2 columns, 12 lines, locked", small, it.Module)
		}
	}

	desk.Do("publishing without a dialog in the way", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	desk.Do("publishing", chromedp.Click(chromedp.ID("publish")))
	desk.WaitJS("published, with a link to the page", `document.querySelector("#live-link") && document.querySelector("#live-link").getAttribute("href").endsWith("/editions/`+date+`/")`)

	// The proof of the published folder, as `banmian proof` makes it.
	c, err := content.Load(os.DirFS(e.source), content.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ce := c.Edition(date)
	if ce == nil {
		t.Fatal("no published edition")
	}
	sub, err := e.st.Submission(small)
	if err != nil {
		t.Fatal(err)
	}
	html, rep, err := layout.Preview(c, ce, layout.Options{Clean: true})
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Module(sub.Slug)
	if m == nil || m.Columns != 2 || m.Lines != 12 || m.Status != layout.Overset {
		t.Fatalf("proof module of %s: %+v, want 2栏×12行 and overset", sub.Slug, m)
	}
	if rep.Modules[0].Lead != true || rep.Modules[0].Row != rep.Grid.MastheadLines {
		t.Errorf("proof's first module %+v is not the lead on top", rep.Modules[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pdf, err := layout.PDF(ctx, html)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "proof.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if !browsertest.Tool(t, "pdftotext") {
		t.Skip("skipping the PDF text check: pdftotext (poppler-utils) is missing")
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		s, _ := e.st.Submission(id)
		if !strings.Contains(strings.ReplaceAll(string(out), " ", ""), s.Title) {
			t.Errorf("the PDF proof lacks 《%s》", s.Title)
		}
	}
}
