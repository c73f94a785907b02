package site

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/browsertest"
)

// emulateMedia sets the CSS media type ("print", "" for screen) and the
// colour scheme ("dark", "light").
func emulateMedia(media, scheme string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Media:    media,
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return chromedp.Void{}, err
	}
}

// readerCheck is what checkJS finds on a page.
type readerCheck struct {
	H1       int      `json:"h1"`
	Outline  []string `json:"outline"`
	Skips    []string `json:"skips"`
	Columns  []string `json:"columns"`
	Tall     []string `json:"tall"`
	Orphans  []string `json:"orphans"`
	Viewport float64  `json:"vh"`
}

// checkJS inspects the laid-out page: the heading outline (one h1, no
// level skipped, subheads one level below their story's headline), the
// height of every multi-column story body against the viewport, and the
// last line of every headline, kicker, subtitle, subhead, table of
// contents entry and honour-roll cell (a line of one character, not
// counting punctuation, is an orphan).
const checkJS = `(() => {
  const out = {h1: 0, outline: [], skips: [], columns: [], tall: [], orphans: [], vh: innerHeight};
  let prev = 0;
  for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
    const l = +h.tagName[1];
    out.outline.push(h.tagName + ' ' + h.textContent.trim().slice(0, 16));
    if (l === 1) out.h1++;
    if (!prev && l !== 1) out.skips.push('first heading is ' + h.tagName);
    if (prev && l > prev + 1) out.skips.push(h.tagName + ' after h' + prev + ': ' + h.textContent.trim().slice(0, 16));
    prev = l;
  }
  for (const sec of document.querySelectorAll('.edition-story, article.story')) {
    const head = sec.querySelector('.headline');
    const hl = +head.tagName[1];
    for (const sh of sec.querySelectorAll('.story-body h2, .story-body h3, .story-body h4, .story-body h5')) {
      if (+sh.tagName[1] !== hl + 1) out.skips.push('subhead ' + sh.tagName + ' under headline ' + head.tagName);
    }
  }
  for (const b of document.querySelectorAll('.story-body')) {
    const cs = getComputedStyle(b);
    const cols = cs.columnCount === 'auto' ? 1 : +cs.columnCount;
    const h = b.getBoundingClientRect().height;
    out.columns.push(cols + 'x' + Math.round(h));
    if (cols > 1 && h > innerHeight) out.tall.push(cols + ' columns ' + Math.round(h) + 'px tall in a ' + innerHeight + 'px window');
  }
  const punct = /[\s\u3000，。、；：？！…—“”‘’（）《》「」『』【】,.;:?!()"']/;
  const sel = 'h1, h2, h3, h4, .kicker, .subtitle, .toc a, .honour-roll th, .honour-roll td';
  const range = document.createRange();
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('.visually-hidden') || !el.getClientRects().length) continue;
    const chars = [];
    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) {
      const n = w.currentNode;
      for (let i = 0; i < n.data.length; i++) {
        range.setStart(n, i); range.setEnd(n, i + 1);
        const r = range.getClientRects()[0];
        if (r && r.width > 0) chars.push({c: n.data[i], top: r.top, bottom: r.bottom, mid: (r.top + r.bottom) / 2});
      }
    }
    if (!chars.length) continue;
    const last = chars[chars.length - 1];
    const onLast = chars.filter(ch => ch.mid > last.top && ch.mid < last.bottom);
    if (onLast.length === chars.length) continue; // one line
    const text = onLast.map(ch => ch.c).join('');
    const count = onLast.filter(ch => !punct.test(ch.c)).length;
    if (count <= 1) out.orphans.push(el.tagName.toLowerCase() + '.' + el.className + ': last line "' + text + '" of "' + el.textContent.trim() + '"');
  }
  return JSON.stringify(out);
})()`

// colorsJS returns the computed colours the dark mode test checks.
const colorsJS = `JSON.stringify({
  body: getComputedStyle(document.body).backgroundColor,
  ink: getComputedStyle(document.body).color,
  muted: getComputedStyle(document.querySelector('.site-paper, .kicker, .story-meta')).color,
  link: getComputedStyle(document.querySelector('main a, a')).color,
  header: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
})`

// printJS checks the page under print media: one column, no navigation,
// links in ink.
const printJS = `JSON.stringify({
  columns: [...document.querySelectorAll('.story-body')].map(b => getComputedStyle(b).columnCount).filter(c => c !== 'auto' && c !== '1'),
  nav: [...document.querySelectorAll('nav, .site-footer, .skip-link')].filter(n => getComputedStyle(n).display !== 'none' && n.getClientRects().length).map(n => n.className || n.tagName),
  red: [...document.querySelectorAll('a')].filter(a => a.getClientRects().length).map(a => getComputedStyle(a).color).filter(c => { const m = c.match(/\d+/g).map(Number); return m[0] - Math.max(m[1], m[2]) > 40; }),
  subheads: [...document.querySelectorAll('.story-body h2, .story-body h3, .story-body h4')].map(h => h.textContent.trim()),
  loose: [...document.querySelectorAll('.story-body h2, .story-body h3, .story-body h4')].filter(h => !/avoid/.test(getComputedStyle(h).breakAfter)).map(h => h.textContent.trim()),
})`

// TestBrowserReader opens the sample site's home, edition and story pages
// in Chromium at 1366×900 and 390×844 and checks the heading outline,
// column heights, headline last lines, dark mode colours and, through
// Chromium's PDF output, the print layout. With BANMIAN_SCREENSHOTS=DIR
// it leaves screenshots and PDFs there.
func TestBrowserReader(t *testing.T) {
	t.Parallel()
	browsertest.Require(t) // before the builds
	out := filepath.Join(t.TempDir(), "public")
	ts := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer ts.Close()
	b := New(Options{Source: os.DirFS(filepath.Join("..", "..", "content")), OutDir: out, Origin: ts.URL})
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	pages := []string{"/", "/editions/2025-05-22/"}
	stories, _ := filepath.Glob(filepath.Join(out, "stories", "*", "index.html"))
	for _, s := range stories {
		pages = append(pages, "/stories/"+filepath.Base(filepath.Dir(s))+"/")
	}
	if len(pages) < 4 {
		t.Fatalf("the sample site has pages %v, want home, edition and two stories", pages)
	}
	// The sample's stories are long (one column); the basic fixture's
	// are short enough for columns.
	short := newTestSite(t, "basic.txtar")
	shortSrv := httptest.NewServer(http.FileServer(http.Dir(short.out)))
	defer shortSrv.Close()
	short.builder = New(Options{Source: os.DirFS(short.src), OutDir: short.out, Origin: shortSrv.URL})
	short.build()
	pages = append(pages, shortSrv.URL+"/editions/2025-05-22/")
	shots := browsertest.ScreenshotDir()
	// Generous: printing CJK pages to PDF takes a minute under -race on
	// a busy machine.
	browser := browsertest.Start(t, 12*time.Minute)
	parent := browsertest.NewTab(t, browser, "")
	parent.Limit = 2 * time.Minute
	name := func(p string) string {
		if strings.HasPrefix(p, shortSrv.URL) {
			p = "short" + strings.TrimPrefix(p, shortSrv.URL)
		}
		n := strings.Trim(strings.ReplaceAll(p, "/", "-"), "-")
		if n == "" {
			n = "home"
		}
		return n
	}
	for _, vp := range []struct{ w, h int64 }{{1366, 900}, {390, 844}} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%d/%s", vp.w, name(p)), func(t *testing.T) {
				url := ts.URL + p
				if strings.HasPrefix(p, "http") {
					url = p
				}
				tab := parent.For(t)
				tab.Do("opening "+url, emulateMedia("", "light"), chromedp.EmulateViewport(vp.w, vp.h), chromedp.Navigate(url),
					chromedp.Evaluate[chromedp.Void](`document.fonts.ready`, chromedp.EvalAwaitPromise))
				raw := tab.Value(checkJS)
				var c readerCheck
				if err := json.Unmarshal([]byte(raw), &c); err != nil {
					t.Fatal(err)
				}
				if c.H1 != 1 {
					t.Errorf("%d h1 elements, want one; outline %q", c.H1, c.Outline)
				}
				for _, s := range c.Skips {
					t.Errorf("heading outline: %s; outline %q", s, c.Outline)
				}
				for _, s := range c.Tall {
					t.Errorf("a story body in %s", s)
				}
				for _, s := range c.Orphans {
					t.Errorf("one character on the last line: %s", s)
				}
				t.Logf("columns (count x height px): %v", c.Columns)
				if strings.HasPrefix(p, shortSrv.URL) && vp.w == 1366 && !slices.ContainsFunc(c.Columns, func(s string) bool { return !strings.HasPrefix(s, "1x") }) {
					t.Errorf("no short story set in columns at 1366 px: %v", c.Columns)
				}
				tab.Screenshot(fmt.Sprintf("%s-%d", name(p), vp.w), true)
				tab.Screenshot(fmt.Sprintf("%s-%d-top", name(p), vp.w), false)

				// Dark mode: a dark page with light ink, every text colour
				// at 7:1 or more.
				tab.Do("dark mode", emulateMedia("", "dark"))
				raw = tab.Value(colorsJS)
				var col map[string]string
				json.Unmarshal([]byte(raw), &col)
				bg := rgb(t, col["body"])
				if luminance(bg) > 0.05 {
					t.Errorf("dark mode background %s is not dark", col["body"])
				}
				for _, k := range []string{"ink", "muted", "link"} {
					if r := contrast(rgb(t, col[k]), bg); r < 7 {
						t.Errorf("dark mode %s %s on %s: contrast %.2f, want 7:1", k, col[k], col["body"], r)
					}
				}
				if r := contrast(rgb(t, col["ink"]), rgb(t, col["header"])); r < 7 {
					t.Errorf("dark mode header %s: ink contrast %.2f", col["header"], r)
				}
				if vp.w == 390 {
					tab.Screenshot(fmt.Sprintf("%s-%d-dark", name(p), vp.w), false)
				}
				// Print: the edition and the first story (PDFs are slow).
				if vp.w != 1366 || (p != pages[1] && p != pages[2]) {
					return
				}
				checkPrint(t, tab, name(p), shots)
			})
		}
	}
}

// checkPrint checks a story or edition page under print media and in
// Chromium's PDF: one column, no navigation, links not red, and no page
// ending on a subhead.
func checkPrint(t *testing.T, tab *browsertest.Tab, name, shots string) {
	t.Helper()
	tab.Do("print media", emulateMedia("print", "light"))
	raw := tab.Value(printJS)
	var pr struct {
		Columns, Nav, Red, Subheads, Loose []string
	}
	json.Unmarshal([]byte(raw), &pr)
	if len(pr.Columns) > 0 {
		t.Errorf("print: story bodies in %v columns, want one", pr.Columns)
	}
	if len(pr.Nav) > 0 {
		t.Errorf("print: navigation shown: %v", pr.Nav)
	}
	if len(pr.Red) > 0 {
		t.Errorf("print: links in red: %v", pr.Red)
	}
	if len(pr.Loose) > 0 {
		t.Errorf("print: subheads a page may break after: %v", pr.Loose)
	}
	tab.Do("screen media", emulateMedia("", "light"))
	pdf, err := chromedp.Run(tab.Ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if shots != "" {
		os.WriteFile(filepath.Join(shots, name+".pdf"), pdf, 0o644)
	}
	if !browsertest.Tool(t, "pdftotext") {
		return // the page ends of the PDF are not checked
	}
	txt, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pageTexts := strings.Split(strings.TrimRight(string(txt), "\f\n "), "\f")
	if len(pageTexts) < 2 {
		t.Errorf("print: %s printed on %d page, the test needs a page break to check", name, len(pageTexts))
	}
	all := strings.Join(pageTexts, "\n")
	for _, nav := range []string{"最新一期", "跳到正文", "订阅（Atom）"} {
		if strings.Contains(all, nav) {
			t.Errorf("print: %q printed", nav)
		}
	}
	squash := regexp.MustCompile(`\s+`)
	for i, pt := range pageTexts[:len(pageTexts)-1] {
		lines := strings.Split(strings.TrimRight(pt, "\n "), "\n")
		last := squash.ReplaceAllString(lines[len(lines)-1], "")
		for _, sh := range pr.Subheads {
			sh = squash.ReplaceAllString(sh, "")
			if last != "" && strings.HasSuffix(sh, last) {
				t.Errorf("print: page %d of %s ends on the subhead %q", i+1, name, sh)
			}
		}
	}
}

func rgb(t *testing.T, css string) [3]float64 {
	t.Helper()
	m := regexp.MustCompile(`[\d.]+`).FindAllString(css, -1)
	if len(m) < 3 {
		t.Fatalf("colour %q", css)
	}
	var c [3]float64
	for i := range c {
		c[i], _ = strconv.ParseFloat(m[i], 64)
	}
	return c
}

// luminance is the WCAG relative luminance of an sRGB colour.
func luminance(c [3]float64) float64 {
	var l [3]float64
	for i, v := range c {
		v /= 255
		if v <= 0.03928 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b [3]float64) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}
