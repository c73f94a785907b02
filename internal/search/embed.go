package search

import (
	"embed"
	"io/fs"
	"math"
	"strings"
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

//go:generate go run gen_fold.go

//go:embed static/tsfold.txt
var tsFoldText string

// tsFold maps traditional characters to simplified ones: OpenCC's
// TSCharacters table, one-to-one entries only (static/tsfold.txt, written
// by gen_fold.go). The browser script gets the same table (Script).
var tsFold = func() map[rune]rune {
	m := make(map[rune]rune, 4200)
	for _, line := range strings.Split(tsFoldText, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		rs := []rune(line)
		if len(rs) == 2 {
			m[rs[0]] = rs[1]
		}
	}
	return m
}()
