package layout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/banmian/banmian/internal/chromium"
)

// ErrNoBrowser means no headless Chromium was found to print with.
var ErrNoBrowser = chromium.ErrNotFound

// FindBrowser returns the path of the Chromium to print with:
// $BANMIAN_CHROMIUM, or the first of chromium, chromium-browser,
// headless_shell, google-chrome on PATH. It returns ErrNoBrowser when there
// is none.
func FindBrowser() (string, error) { return chromium.Find() }

// Printer keeps one headless Chromium running to print proofs. It is safe
// for concurrent use: each call prints in a tab of its own. Close stops
// the browser and removes its profile directory.
type Printer struct {
	dir           string
	cancelAlloc   context.CancelFunc
	browser       context.Context
	cancelBrowser context.CancelFunc
	closeOnce     sync.Once
}

// NewPrinter starts a headless Chromium with a fresh profile. The browser
// lives until Close or until ctx ends. It returns ErrNoBrowser (wrapped)
// when no Chromium is installed.
func NewPrinter(ctx context.Context) (*Printer, error) {
	exe, err := FindBrowser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "banmian-chromium-")
	if err != nil {
		return nil, fmt.Errorf("starting Chromium: %w", err)
	}
	opts := append(chromium.Options(exe, dir), chromedp.Flag("font-render-hinting", "none"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	p := &Printer{dir: dir, cancelAlloc: cancelAlloc, browser: browser, cancelBrowser: cancelBrowser}
	if err := chromedp.Do(browser); err != nil {
		p.Close()
		return nil, fmt.Errorf("starting Chromium (%s): %w", exe, err)
	}
	context.AfterFunc(ctx, p.Close)
	return p, nil
}

// Close stops the browser and removes its profile. It is safe to call more
// than once.
func (p *Printer) Close() {
	p.closeOnce.Do(func() {
		p.cancelBrowser()
		p.cancelAlloc()
		os.RemoveAll(p.dir)
	})
}

// PDF prints html (a preview from Preview) to a PDF: the page size of its
// CSS @page rule, backgrounds printed, after the fonts have loaded and the
// preview's measurements have run.
func (p *Printer) PDF(ctx context.Context, html []byte) ([]byte, error) {
	var out []byte
	err := p.inTab(ctx, html, func(tab context.Context) error {
		var err error
		out, err = chromedp.Run(tab, chromedp.PrintToPDF(
			chromedp.PDFPreferCSSPageSize(),
			chromedp.PDFPrintBackground(),
			chromedp.PDFMargin(0),
		))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("printing the PDF: %w", err)
	}
	return out, nil
}

// Measured is a module as the browser laid it out.
type Measured struct {
	Item           string `json:"item"`
	Kind           string `json:"kind"`
	Lines          int    `json:"lines"`    // text-column lines the body takes
	Overflow       bool   `json:"overflow"` // the body or box frame overflows
	HeaderOverflow bool   `json:"headerOverflow"`
}

// Measure lays html out in the browser and returns each module's measured
// lines and overflow. The preview must carry its script (Options.NoScript
// false).
func (p *Printer) Measure(ctx context.Context, html []byte) ([]Measured, error) {
	var out []Measured
	err := p.Eval(ctx, html, `window.banmianReport || null`, &out)
	if err != nil {
		return nil, fmt.Errorf("measuring the preview: %w", err)
	}
	if out == nil {
		return nil, errors.New("measuring the preview: the page has no measurement script")
	}
	return out, nil
}

// Eval loads html, waits for it as PDF does, evaluates the JavaScript
// expression and decodes its JSON value into out. A promise is awaited.
func (p *Printer) Eval(ctx context.Context, html []byte, expr string, out any) error {
	return p.inTab(ctx, html, func(tab context.Context) error {
		raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, out)
	})
}

// inTab opens a tab, loads html into it, waits for the fonts and the
// preview's script, runs f and closes the tab.
func (p *Printer) inTab(ctx context.Context, html []byte, f func(tab context.Context) error) error {
	if p.browser.Err() != nil {
		return errors.New("the browser has been closed")
	}
	tab, cancel := chromedp.NewContext(p.browser)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	load := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)})
		return err
	})
	wait := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(window.banmianDone || document.fonts.ready).then(() => document.fonts.ready).then(() => true)`,
			chromedp.EvalAwaitPromise)(ctx, t)
		return err
	})
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank"), load, wait); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if err := f(tab); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return nil
}

// PDF prints html with a browser started for this one proof and stopped
// after it. A server printing many proofs keeps a Printer instead.
func PDF(ctx context.Context, html []byte) ([]byte, error) {
	p, err := NewPrinter(ctx)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.PDF(ctx, html)
}
