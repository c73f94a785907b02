package benchutil

import (
	"bytes"
	"compress/flate"
	"os"
	"strings"
	"testing"
	"unicode"
)

// TestGenSiteVocabulary holds the generated text to a real vocabulary,
// which is what the search indexes pay for: 300 stories of 2,000
// characters built from the sample sentences alone held 248 characters
// and 337 bigrams, and compressed to a fifth.
func TestGenSiteVocabulary(t *testing.T) {
	dir := t.TempDir()
	if err := GenSite(dir, 300, 2000); err != nil {
		t.Fatal(err)
	}
	chars, bigrams := map[rune]bool{}, map[string]bool{}
	var all []byte
	for i := range 300 {
		src, err := os.ReadFile(StoryFile(dir, i))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, src...)
		_, body, ok := strings.Cut(string(src[4:]), "\n---\n")
		if !ok {
			t.Fatalf("%s: no front matter", StoryFile(dir, i))
		}
		var prev rune
		for _, r := range body {
			if !unicode.Is(unicode.Han, r) {
				prev = 0
				continue
			}
			chars[r] = true
			if prev != 0 {
				bigrams[string([]rune{prev, r})] = true
			}
			prev = r
		}
	}
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestSpeed)
	w.Write(all)
	w.Close()
	ratio := float64(z.Len()) / float64(len(all))
	if len(chars) < 2000 || len(bigrams) < 100000 || ratio < 0.35 {
		t.Errorf("a poor vocabulary: %d characters, %d bigrams, DEFLATE ratio %.2f (want ≥ 2,000, ≥ 100,000, ≥ 0.35)", len(chars), len(bigrams), ratio)
	}
}
