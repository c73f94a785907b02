// Package themes embeds the default theme so banmian runs with no files
// beside the binary. The theme itself is plain files in default/; edit them
// there, or copy the folder to make a new theme.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var embedded embed.FS

// Default returns the embedded default theme folder.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}
