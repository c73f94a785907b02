package search

import (
	_ "embed"
	"strings"
)

//go:generate go run gen_fold.go

//go:embed tsfold.txt
var tsFoldText string

// tsFold maps traditional characters to simplified ones: OpenCC's
// TSCharacters table, one-to-one entries only (tsfold.txt, written by
// gen_fold.go). The browser script gets the same table (FoldPairs).
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

// tsFolded has a bit for each rune below 0x10000 that tsFold maps: most
// text is looked up here, not in the map.
var tsFolded = func() *[0x10000 / 64]uint64 {
	var bits [0x10000 / 64]uint64
	for r := range tsFold {
		if r < 0x10000 {
			bits[r>>6] |= 1 << (r & 63)
		}
	}
	return &bits
}()

// FoldPairs returns the table that folds traditional characters to
// simplified ones as analysis does, for a script that must fold alike:
// each traditional character followed by its simplified one, run
// together.
func FoldPairs() string { return foldPairs }

var foldPairs = func() string {
	var pairs strings.Builder
	for _, line := range strings.Split(tsFoldText, "\n") {
		if line != "" && line[0] != '#' {
			pairs.WriteString(line)
		}
	}
	return pairs.String()
}()
