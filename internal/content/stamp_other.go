//go:build !linux

package content

import "io/fs"

// stampOf is what tells a file apart from its earlier versions without
// reading it: here size and modification time.
func stampOf(info fs.FileInfo) stamp {
	return stamp{Size: info.Size(), Mod: info.ModTime().UnixNano()}
}
