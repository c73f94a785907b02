// Package chromium finds the headless Chromium that banmian prints proofs
// with (internal/layout) and that the browser tests drive
// (internal/browsertest), and holds the one list of flags both start it
// with.
package chromium

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// ErrNotFound means no headless Chromium was found.
var ErrNotFound = errors.New("headless Chromium not found: install the Debian package chromium (apt-get install chromium fonts-noto-cjk fonts-noto-cjk-extra), or set BANMIAN_CHROMIUM to the browser's path")

// names are the executables Find looks for on PATH, in order.
var names = []string{"chromium", "chromium-browser", "headless_shell", "headless-shell", "google-chrome", "google-chrome-stable", "chrome"}

// Find returns the path of the Chromium to use: $BANMIAN_CHROMIUM, or the
// first of chromium, chromium-browser, headless_shell, google-chrome on
// PATH. It returns ErrNotFound (wrapped when $BANMIAN_CHROMIUM names
// nothing) when there is none.
func Find() (string, error) {
	if p := os.Getenv("BANMIAN_CHROMIUM"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("BANMIAN_CHROMIUM=%s: %w", p, ErrNotFound)
		}
		return found, nil
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Options are the allocator options that start exe headless, with the
// profile in the folder profile and without the sandbox, the GPU, first-run
// pages, extensions, background networking, component updates or sync.
// chromedp.Headless also hides scrollbars and mutes audio, so a page lays
// out the same in every run. Callers append their own options.
func Options(exe, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
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
	}
}
