package layout

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/banmian/banmian/internal/browsertest"
	"github.com/banmian/banmian/internal/content"
)

// mustLoad loads a content folder under testdata.
func mustLoad(tb testing.TB, dir string) *content.Content {
	tb.Helper()
	c, err := content.Load(os.DirFS(dir), content.LoadOptions{})
	if err != nil {
		tb.Fatalf("loading %s: %v", dir, err)
	}
	return c
}

// mustEdition returns the edition of date in c.
func mustEdition(tb testing.TB, c *content.Content, date string) *content.Edition {
	tb.Helper()
	e := c.Edition(date)
	if e == nil {
		tb.Fatalf("no edition %s", date)
	}
	return e
}

var (
	printerOnce sync.Once
	printer     *Printer
	printerErr  error
)

// mustPrinter returns a browser shared by the package's tests. Without
// Chromium the test is skipped, unless BANMIAN_REQUIRE_BROWSER=1.
func mustPrinter(tb testing.TB) *Printer {
	tb.Helper()
	browsertest.Require(tb)
	printerOnce.Do(func() { printer, printerErr = NewPrinter(context.Background()) })
	if printerErr != nil {
		tb.Fatalf("starting Chromium: %v", printerErr)
	}
	return printer
}

func TestMain(m *testing.M) {
	code := m.Run()
	if printer != nil {
		printer.Close()
	}
	os.Exit(code)
}
