//go:build !linux

package site

// swapDir puts the folder tmp in place of out.
func swapDir(tmp, out string) error { return swapDirRename(tmp, out) }
