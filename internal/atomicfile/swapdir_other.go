//go:build !linux

package atomicfile

// SwapDir puts the folder tmp in place of out.
func SwapDir(tmp, out string) error { return swapDirRename(tmp, out) }
