package search

import (
	"embed"
	"io/fs"
	"math"
)

//go:embed static/search.js
var staticFS embed.FS

// Script returns the browser search script (static/search.js), the
// dependency-free mirror of StaticIndex.Search.
func Script() []byte {
	b, _ := staticFS.ReadFile("static/search.js") // embedded: cannot fail
	return b
}

// Assets returns the embedded browser assets (search.js at the root), for
// builders that copy files from an fs.FS.
func Assets() fs.FS {
	sub, _ := fs.Sub(staticFS, "static") // a constant, valid path
	return sub
}

func mathLog(x float64) float64  { return math.Log(x) }
func mathSqrt(x float64) float64 { return math.Sqrt(x) }
