package search

import (
	"sync"
	"unicode/utf8"
)

// Counting grams cheaply (eachGramTerms). A gram of Han, kana or Hangul
// characters, a unit each, is counted under an integer key: its runes,
// 21 bits each (runes are below 1<<21), so a bigram is r1<<21|r2 and a
// trigram r1<<42|r2<<21|r3. A rune is at least 0x80, so keys are never 0
// and the one-rune gram of a run of one unit never equals a bigram's key.
// Each distinct key keeps the byte offsets of its first occurrence: its
// gram is a substring of the folded text, cut once. A gram with a word
// unit (letters or digits, rare in Chinese text) is counted by its text.
// Key and text are one-to-one: a gram's text splits into its units one
// way only.

// cunit is a unit (appendUnits) as eachGramTerms needs it: its rune when it
// is a character on its own, else 0 (a word), its bytes [b0, b1) in the
// folded text and its run number.
type cunit struct {
	r      rune
	b0, b1 int32
	run    int32
}

// appendCUnits appends the units of folded text f to out, as appendUnits
// cuts them.
func appendCUnits(out []cunit, f string) []cunit {
	var run int32
	sep := true // a separator was seen since the last unit
	inWord := false
	var word cunit
	class := unitClasses()
	for i, r := range f {
		c := classUnit
		switch {
		case r < 0x10000:
			c = class[r]
		case isCJK(r):
		case isWord(r):
			c = classWord
		default:
			c = classSep
		}
		switch c {
		case classUnit:
			if inWord {
				word.b1 = int32(i)
				out = append(out, word)
				inWord = false
			}
			if sep {
				run++
				sep = false
			}
			out = append(out, cunit{r: r, b0: int32(i), b1: int32(i + utf8.RuneLen(r)), run: run})
		case classWord:
			if !inWord {
				if sep {
					run++
					sep = false
				}
				inWord = true
				word = cunit{b0: int32(i), run: run}
			}
		default:
			if inWord {
				word.b1 = int32(i)
				out = append(out, word)
				inWord = false
			}
			sep = true
		}
	}
	if inWord {
		word.b1 = int32(len(f))
		out = append(out, word)
	}
	return out
}

// Classes of runes as appendUnits tells them apart: a unit on its own
// (isCJK), part of a word (isWord), or a separator.
const (
	classUnit uint8 = iota
	classWord
	classSep
)

// unitClasses returns the class of every rune below 0x10000, made on
// first use from isCJK and isWord.
var unitClasses = sync.OnceValue(func() *[0x10000]uint8 {
	var t [0x10000]uint8
	for r := range rune(len(t)) {
		switch {
		case isCJK(r):
			t[r] = classUnit
		case isWord(r):
			t[r] = classWord
		default:
			t[r] = classSep
		}
	}
	return &t
})

// gramTable is an open-addressing hash table from nonzero uint64 keys to
// values V, remembering the slots used so that it is cleared and walked
// in the time of its distinct keys.
type gramTable[V any] struct {
	keys  []uint64
	vals  []V
	used  []int32 // slots holding a key, in insertion order
	shift uint    // 64 − log2(len(keys))
}

// get returns the value of key, and whether key is new (its value then
// zero).
func (t *gramTable[V]) get(key uint64) (*V, bool) {
	if 2*(len(t.used)+1) > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	h := (key * 0x9E3779B97F4A7C15) >> t.shift
	for {
		switch t.keys[h] {
		case key:
			return &t.vals[h], false
		case 0:
			t.keys[h] = key
			t.used = append(t.used, int32(h))
			var zero V
			t.vals[h] = zero
			return &t.vals[h], true
		}
		h = (h + 1) & mask
	}
}

// grow doubles the table (to 1,024 slots at first), keeping its keys in
// their order.
func (t *gramTable[V]) grow() {
	n := 2 * len(t.keys)
	if n < 1024 {
		n = 1024
	}
	keys, vals, used := t.keys, t.vals, t.used
	t.keys = make([]uint64, n)
	t.vals = make([]V, n)
	t.used = make([]int32, 0, n/2)
	t.shift = uint(64 - (bitLen(n) - 1))
	for _, i := range used {
		v, _ := t.get(keys[i])
		*v = vals[i]
	}
}

func bitLen(n int) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

// reset empties the table, keeping its memory.
func (t *gramTable[V]) reset() {
	var zero V
	for _, i := range t.used {
		t.keys[i] = 0
		t.vals[i] = zero
	}
	t.used = t.used[:0]
}

// occurrence counts a gram and locates its first occurrence.
type occurrence struct {
	n      int32
	b0, b1 int32
}

// unitSum is a single unit's frequency summed over fields (charsField).
type unitSum struct {
	t float64
	g string
}

// gramScratch is what one eachGramTerms call works in; gramPool keeps them.
type gramScratch struct {
	us       []cunit
	grams    gramTable[occurrence] // of one field and gram length
	words    map[string]int32      // grams with a word unit, by text
	all      gramTable[unitSum]    // single characters over all fields
	allWords map[string]float64    // single words over all fields
	post     []Posting             // the postings of every field, in turn
	spans    []fieldSpan
}

// fieldSpan is where a field's postings are in gramScratch.post.
type fieldSpan struct {
	field  string
	lo, hi int
}

var gramPool = sync.Pool{New: func() any {
	return &gramScratch{words: map[string]int32{}, allWords: map[string]float64{}}
}}

// addGram counts the gram of units us (adjacent, of one run) of folded
// text src.
func (s *gramScratch) addGram(src string, us []cunit) {
	var key uint64
	for _, u := range us {
		if u.r == 0 {
			s.words[src[us[0].b0:us[len(us)-1].b1]]++
			return
		}
		key = key<<21 | uint64(u.r)
	}
	o, _ := s.grams.get(key)
	if o.n == 0 {
		o.b0, o.b1 = us[0].b0, us[len(us)-1].b1
	}
	o.n++
}

// countGrams counts the n-grams (n = 2 or 3, as gramsOf cuts them) of
// units us of folded text src, and appends to s.post the postings of
// field f, whose length is len(us). It returns whether there were any.
func (s *gramScratch) countGrams(src string, us []cunit, n int, f fieldSpec) bool {
	s.grams.reset()
	clear(s.words)
	for i := 0; i < len(us); {
		j := i + 1
		for j < len(us) && us[j].run == us[i].run {
			j++
		}
		run := us[i:j]
		if n == 2 && len(run) == 1 {
			s.addGram(src, run)
		} else {
			for k := 0; k+n <= len(run); k++ {
				s.addGram(src, run[k:k+n])
			}
		}
		i = j
	}
	if len(s.grams.used) == 0 && len(s.words) == 0 {
		return false
	}
	// Impacts depend on tf alone here: most grams share a few.
	var impacts [32]uint8
	for _, i := range s.grams.used {
		o := s.grams.vals[i]
		var imp uint8
		if o.n < int32(len(impacts)) {
			if imp = impacts[o.n]; imp == 0 {
				imp = impact(int(o.n), len(us), f)
				impacts[o.n] = imp
			}
		} else {
			imp = impact(int(o.n), len(us), f)
		}
		s.post = append(s.post, Posting{src[o.b0:o.b1], imp})
	}
	for g, tf := range s.words {
		s.post = append(s.post, Posting{g, impact(int(tf), len(us), f)})
	}
	return true
}

// addUnits adds the single units us of folded text src, a field f of
// len(us) units, to the sums over fields.
func (s *gramScratch) addUnits(src string, us []cunit, f fieldSpec) {
	s.grams.reset()
	clear(s.words)
	for _, u := range us {
		if u.r == 0 {
			s.words[src[u.b0:u.b1]]++
			continue
		}
		o, _ := s.grams.get(uint64(u.r))
		if o.n == 0 {
			o.b0, o.b1 = u.b0, u.b1
		}
		o.n++
	}
	for _, i := range s.grams.used {
		o := s.grams.vals[i]
		a, fresh := s.all.get(s.grams.keys[i])
		if fresh {
			a.g = src[o.b0:o.b1]
		}
		a.t += fieldTF(int(o.n), len(us), f, f.Boost)
	}
	for g, tf := range s.words {
		s.allWords[g] += fieldTF(int(tf), len(us), f, f.Boost)
	}
}

// release empties s, so that the pool holds no text, and returns it to
// the pool.
func (s *gramScratch) release() {
	s.grams.reset()
	s.all.reset()
	clear(s.words)
	clear(s.allWords)
	clear(s.post)
	s.post = s.post[:0]
	s.spans = s.spans[:0]
	s.us = s.us[:0]
	gramPool.Put(s)
}
