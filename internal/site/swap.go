package site

import (
	"fmt"
	"os"
)

// swapDirRename replaces out with tmp by two renames; there is a moment
// with no out, but never a half-written one.
func swapDirRename(tmp, out string) error {
	old := tmp + ".old"
	if err := os.Rename(out, old); err != nil {
		return fmt.Errorf("moving the old site aside: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Rename(old, out)
		return fmt.Errorf("putting the new site in place: %w", err)
	}
	return os.RemoveAll(old)
}

// SwapDir puts the folder tmp in place of out: in one atomic exchange on
// Linux, so readers see the old folder or the new one, never a mix. The
// deploy of a plain folder target shares it.
func SwapDir(tmp, out string) error { return swapDir(tmp, out) }
