//go:build linux

package site

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// swapDir puts the folder tmp in place of out. On Linux an existing out is
// exchanged with tmp in one atomic renameat2(RENAME_EXCHANGE): readers see
// the old site or the new one, never a mix or nothing.
func swapDir(tmp, out string) error {
	if _, err := os.Lstat(out); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp, out); err != nil {
			return fmt.Errorf("putting the new site in place: %w", err)
		}
		return nil
	}
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, out, unix.RENAME_EXCHANGE); err != nil {
		if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
			return swapDirRename(tmp, out)
		}
		return fmt.Errorf("swapping the new site in: %w", err)
	}
	// tmp now holds the old site.
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("removing the old site: %w", err)
	}
	return nil
}
