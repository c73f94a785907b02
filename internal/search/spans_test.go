package search

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestTextSpansMatchesUnits: textSpans finds what matching the units of
// the whole text finds (findSpans, the reference search.js mirrors).
func TestTextSpansMatchesUnits(t *testing.T) {
	t.Parallel()
	alphabet := []string{"长", "征", "镇", "热", "线", "12345", "123", "AB", "ab", "a", "1", " ", "，", "。", "\n", "ｂ", "é", "か", "ー", "x̐"}
	r := rand.New(rand.NewPCG(1, 2))
	gen := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return Normalize(b.String())
	}
	for i := 0; i < 20000; i++ {
		text := gen(r.IntN(40))
		p := planQuery(gen(1+r.IntN(6)), r.IntN(2) == 0)
		want := findSpans(units(text), p.Needles, p.Backup)
		got := textSpans(text, p.Needles, p.Backup)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("text %q needles %q backup %q: got %v, want %v", text, p.Needles, p.Backup, got, want)
		}
	}
}
