package layout

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkJS inspects the laid-out preview: punctuation at line starts and
// ends, paragraph indents, header widths and the last block of each story.
const checkJS = `(async () => {
  await window.banmianDone;
  const closing = "，。、；：？！）》”’」』】…";
  const opening = "（《“‘「『【";
  const out = {punct: [], indents: [], heads: [], credits: [], checkedChars: 0, breaks: 0};
  const range = document.createRange();
  for (const box of document.querySelectorAll(".body, .head, .honour td")) {
    const fs = parseFloat(getComputedStyle(box).fontSize);
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let prev = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = n.data;
      for (let i = 0; i < s.length; i++) {
        const ch = s[i];
        if (/\s/.test(ch)) continue;
        range.setStart(n, i); range.setEnd(n, i + 1);
        const r = range.getClientRects()[0];
        if (!r) continue;
        out.checkedChars++;
        const cur = {ch, mid: r.top + r.height / 2, left: r.left, block: n.parentElement.closest("p,h1,h2,h3,td") };
        if (prev && prev.block === cur.block && (Math.abs(cur.mid - prev.mid) > fs * 0.6 || cur.left < prev.left - fs * 3)) {
          out.breaks++;
          const ctx = prev.ch + "|" + ch;
          if (closing.includes(ch)) out.punct.push({item: box.closest(".module").dataset.item, where: "start", ctx});
          if (opening.includes(prev.ch)) out.punct.push({item: box.closest(".module").dataset.item, where: "end", ctx});
        }
        prev = cur;
      }
    }
  }
  for (const p of document.querySelectorAll(".body p:not(.credit)")) {
    const fs = parseFloat(getComputedStyle(p).fontSize);
    const frag = p.getClientRects()[0];
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    const t = walker.nextNode();
    range.setStart(t, 0); range.setEnd(t, 1);
    const first = range.getClientRects()[0];
    out.indents.push({text: p.textContent.slice(0, 8), em: (first.left - frag.left) / fs});
  }
  for (const m of document.querySelectorAll(".module.story")) {
    const head = m.querySelector(".head").getBoundingClientRect();
    out.heads.push({item: m.dataset.item, head: head.width, module: m.getBoundingClientRect().width});
    const last = m.querySelector(".body").lastElementChild;
    out.credits.push({item: m.dataset.item, cls: last.className, text: last.textContent});
  }
  return out;
})()`

type checkResult struct {
	Punct []struct {
		Item, Where, Ctx string
	}
	Indents []struct {
		Text string
		Em   float64
	}
	Heads []struct {
		Item         string
		Head, Module float64
	}
	Credits []struct {
		Item, Cls, Text string
	}
	CheckedChars int
	Breaks       int // line breaks inside blocks
}

func TestBrowserSample(t *testing.T) {
	t.Parallel()
	p := mustPrinter(t)
	c := mustLoad(t, "testdata/sample")
	e := mustEdition(t, c, "2025-06-17")
	html, rep, err := Preview(c, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	measured, err := p.Measure(ctx, html)
	if err != nil {
		t.Fatal(err)
	}
	if len(measured) != len(rep.Modules) {
		t.Fatalf("browser measured %d modules, the report has %d", len(measured), len(rep.Modules))
	}
	for i, m := range measured {
		if m.Overflow || m.HeaderOverflow {
			t.Errorf("%s overflows its module in the browser (body %v, header %v)", m.Item, m.Overflow, m.HeaderOverflow)
		}
		r := rep.Modules[i]
		if r.Kind != KindStory {
			continue
		}
		if d := math.Abs(float64(r.LinesNeeded-m.Lines)) / float64(m.Lines); d > 0.03 {
			t.Errorf("%s: estimated %d lines, browser %d (%.1f%%, more than 3%%)", m.Item, r.LinesNeeded, m.Lines, d*100)
		}
		t.Logf("%s: estimated %d lines, browser %d", m.Item, r.LinesNeeded, m.Lines)
	}

	var res checkResult
	if err := p.Eval(ctx, html, checkJS, &res); err != nil {
		t.Fatal(err)
	}
	if res.CheckedChars < 3000 || res.Breaks < 250 {
		t.Errorf("checked only %d characters and %d line breaks", res.CheckedChars, res.Breaks)
	}
	for _, v := range res.Punct {
		t.Errorf("%s: a line %ss with forbidden punctuation: %q", v.Item, v.Where, v.Ctx)
	}
	if len(res.Indents) < 20 {
		t.Errorf("only %d body paragraphs", len(res.Indents))
	}
	for _, in := range res.Indents {
		if math.Abs(in.Em-2) > 0.05 {
			t.Errorf("paragraph %q is indented %.2fem, want 2em", in.Text, in.Em)
		}
	}
	for _, h := range res.Heads {
		if math.Abs(h.Head-h.Module) > 0.5 {
			t.Errorf("%s: header %.1fpx wide, module %.1fpx", h.Item, h.Head, h.Module)
		}
	}
	// Control: with line-break: anywhere the same check finds lines that
	// start with closing punctuation, so it can see them.
	loose := []byte(strings.ReplaceAll(string(html), "line-break: strict", "line-break: anywhere"))
	var ctl checkResult
	if err := p.Eval(ctx, loose, checkJS, &ctl); err != nil {
		t.Fatal(err)
	}
	if len(ctl.Punct) == 0 {
		t.Error("the punctuation check finds nothing even with line-break: anywhere")
	}
	t.Logf("%d characters, %d line breaks checked; the loose control has %d violations", res.CheckedChars, res.Breaks, len(ctl.Punct))

	wantCredit := map[string]string{"changzheng-guandao": "长征镇 供稿", "sheshan-cuixinyuan": "佘山镇 供稿"}
	for _, cr := range res.Credits {
		if cr.Cls != "credit" || cr.Text != wantCredit[cr.Item] {
			t.Errorf("%s: last block is %q %q, want the credit %q", cr.Item, cr.Cls, cr.Text, wantCredit[cr.Item])
		}
	}
}

func TestBrowserEstimatorLong(t *testing.T) {
	t.Parallel()
	p := mustPrinter(t)
	c := mustLoad(t, "testdata/long")
	e := mustEdition(t, c, "2025-07-01")
	html, rep, err := Preview(c, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ch := rep.Modules[0].Length; ch < 4900 {
		t.Fatalf("long fixture has %d characters, want about 5,000", ch)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	measured, err := p.Measure(ctx, html)
	if err != nil {
		t.Fatal(err)
	}
	est, got := rep.Modules[0].LinesNeeded, measured[0].Lines
	d := math.Abs(float64(est-got)) / float64(got)
	t.Logf("%d characters: estimated %d lines, browser %d (%.2f%%)", rep.Modules[0].Length, est, got, d*100)
	if d > 0.03 {
		t.Errorf("estimated %d lines, browser %d: off by %.1f%%, more than 3%%", est, got, d*100)
	}
	if measured[0].Overflow {
		t.Error("the long story overflows its module")
	}
}

func TestBrowserOverset(t *testing.T) {
	t.Parallel()
	p := mustPrinter(t)
	c := mustLoad(t, "testdata/overset")
	html, rep, err := Preview(c, mustEdition(t, c, "2025-07-02"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	measured, err := p.Measure(context.Background(), html)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range measured {
		if want := rep.Modules[i].Status == Overset; m.Overflow != want {
			t.Errorf("%s: browser overflow %v, estimator says %s", m.Item, m.Overflow, rep.Modules[i].Status)
		}
	}
}

func TestPDFProof(t *testing.T) {
	t.Parallel()
	p := mustPrinter(t)
	c := mustLoad(t, "testdata/sample")
	e := mustEdition(t, c, "2025-06-17")
	html, _, err := Preview(c, e, Options{Clean: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pdf, err := p.PDF(ctx, html)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "page.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}

	info := poppler(t, "pdfinfo", file)
	if !regexp.MustCompile(`(?m)^Pages:\s+1$`).MatchString(info) {
		t.Errorf("pdfinfo: want 1 page:\n%s", info)
	}
	m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo shows no page size:\n%s", info)
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	h, _ := strconv.ParseFloat(m[2], 64)
	if math.Abs(w-390*ptPerMM) > 1 || math.Abs(h-545*ptPerMM) > 1 {
		t.Errorf("page %g×%g pt, want %.2f×%.2f (390×545 mm) ±1", w, h, 390*ptPerMM, 545*ptPerMM)
	}

	fonts := poppler(t, "pdffonts", file)
	rows := strings.Split(strings.TrimSpace(fonts), "\n")
	if len(rows) < 3 {
		t.Fatalf("pdffonts lists no fonts:\n%s", fonts)
	}
	for _, row := range rows[2:] {
		f := strings.Fields(row)
		// name type [type2] encoding emb sub uni object ID: emb is 5th from the end.
		if len(f) < 7 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %s", row)
		}
	}

	text := poppler(t, "pdftotext", "-layout", file, "-")
	for _, want := range []string{"多维世界", "责任编辑：郭爽", "热线电话：22897276", "长征镇 供稿", "荣誉榜"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext does not find %q", want)
		}
	}
}

// poppler runs a poppler-utils tool (installed with Chromium in CI).
func poppler(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v (install poppler-utils)\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func BenchmarkPreview(b *testing.B) {
	c := mustLoad(b, "testdata/sample")
	e := mustEdition(b, c, "2025-06-17")
	for b.Loop() {
		if _, _, err := Preview(c, e, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchHTML(b *testing.B) []byte {
	c := mustLoad(b, "testdata/sample")
	html, _, err := Preview(c, mustEdition(b, c, "2025-06-17"), Options{Clean: true})
	if err != nil {
		b.Fatal(err)
	}
	return html
}

// BenchmarkPDFCold starts Chromium for every proof, as banmian proof does.
func BenchmarkPDFCold(b *testing.B) {
	mustPrinter(b) // skips without Chromium
	html := benchHTML(b)
	for b.Loop() {
		if _, err := PDF(context.Background(), html); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPDFWarm prints with a browser kept running, as the server does.
func BenchmarkPDFWarm(b *testing.B) {
	p := mustPrinter(b)
	html := benchHTML(b)
	if _, err := p.PDF(context.Background(), html); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.PDF(context.Background(), html); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPrinterConcurrentAndClose(t *testing.T) {
	t.Parallel()
	mustPrinter(t) // skips without Chromium
	c := mustLoad(t, "testdata/sample")
	html, _, err := Preview(c, mustEdition(t, c, "2025-06-17"), Options{Clean: true, NoScript: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := NewPrinter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			pdf, err := p.PDF(ctx, html)
			if err == nil && !strings.HasPrefix(string(pdf), "%PDF-") {
				err = errors.New("not a PDF")
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent PDF: %v", err)
		}
	}
	p.Close()
	p.Close()
	if _, err := p.PDF(ctx, html); err == nil {
		t.Error("PDF after Close succeeded")
	}
}
