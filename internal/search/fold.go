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
