package search

import (
	"bytes"
	"embed"
	"encoding/json"
	"math"
	"strings"
)

//go:embed static/search.js
var staticFS embed.FS

// Script returns the browser search script (static/search.js, with the
// folding table of static/tsfold.txt put in), the dependency-free mirror
// of StaticIndex.Search.
func Script() []byte { return script }

var script = func() []byte {
	b, _ := staticFS.ReadFile("static/search.js") // embedded: cannot fail
	var pairs strings.Builder
	for _, line := range strings.Split(tsFoldText, "\n") {
		if line != "" && line[0] != '#' {
			pairs.WriteString(line)
		}
	}
	q, _ := json.Marshal(pairs.String()) // a string: cannot fail
	return bytes.Replace(b, []byte(`"__TS_FOLD__"`), q, 1)
}()

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
