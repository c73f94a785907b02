package search

import (
	"bytes"
	"hash/maphash"
	"slices"
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"
)

// Readers and editors type pinyin for names: changzheng or czz for
// 长征镇. The index holds, in field py, the toneless full pinyin and the
// initials of every run of two to four Han characters of a story's
// title, credit and tags, for up to two readings of each character (长 is
// chang or zhang). A query word of letters alone also looks in py, so the
// browser needs no pinyin table: only the index does.

// pinyinMaxRun is the longest run of characters given readings.
const pinyinMaxRun = 4

// pinyinReadings is how many readings of a character are indexed.
const pinyinReadings = 2

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Heteronym = true
	a.Fallback = func(rune, pinyin.Args) []string { return nil }
	return a
}()

// pinyinCache holds the readings of each Han character: go-pinyin is slow
// per call.
var pinyinCache sync.Map // rune → []string

func readingsOf(r rune) []string {
	if v, ok := pinyinCache.Load(r); ok {
		return v.([]string)
	}
	list := pinyin.SinglePinyin(r, pinyinArgs)
	var out []string
	for _, p := range list {
		if p != "" && len(out) < pinyinReadings && !contains(out, p) {
			out = append(out, p)
		}
	}
	pinyinCache.Store(r, out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// pinyinTerms returns the py terms of a normalised Doc, each with impact
// 1 (a reading matches or it does not), in no particular order (like
// eachGramTerms). Terms are written into one buffer, deduplicated there by
// hash, and cut from one string.
func pinyinTerms(d Doc) []Posting {
	s := pinyinPool.Get().(*pinyinScratch)
	defer pinyinPool.Put(s)
	s.buf, s.terms = s.buf[:0], s.terms[:0]
	s.seen.reset()
	s.addText(d.Title)
	s.addText(d.Credit)
	for _, t := range d.Tags {
		s.addText(t)
	}
	if len(s.terms) == 0 {
		return nil
	}
	// The distinct terms are buf, one after another.
	str := string(s.buf)
	out := make([]Posting, len(s.terms))
	for i, t := range s.terms {
		out[i] = Posting{str[t.lo:t.hi], 1}
	}
	return out
}

// pinyinScratch is where pinyinTerms writes terms: buf holds them, one
// after another, terms says where.
type pinyinScratch struct {
	buf   []byte
	terms []pinyinSpan
	run   [][]string            // readings of each character of a Han run
	seen  gramTable[pinyinSpan] // terms by hash
}

type pinyinSpan struct{ lo, hi int32 }

var pinyinPool = sync.Pool{New: func() any { return new(pinyinScratch) }}

// addText adds the terms of the Han runs of text.
func (s *pinyinScratch) addText(text string) {
	s.run = s.run[:0]
	for _, r := range foldString(text) {
		rs := readingsOf(r)
		if len(rs) == 0 {
			s.flush()
			continue
		}
		s.run = append(s.run, rs)
	}
	s.flush()
}

// flush adds the terms of every two to pinyinMaxRun adjacent characters
// of the run, and empties it.
func (s *pinyinScratch) flush() {
	for i := range s.run {
		for j := i + 2; j <= len(s.run) && j-i <= pinyinMaxRun; j++ {
			s.addReadings(s.run[i:j])
		}
	}
	s.run = s.run[:0]
}

// keep keeps the term buf[lo:] unless it was seen (most are, in the
// overlapping runs of a title, credit and tags), then dropping it from
// buf. Terms are found by hash; a term whose hash holds another term
// tries the next key of its own sequence, so the same term always ends up
// under the same key.
func (s *pinyinScratch) keep(lo int32) {
	t := s.buf[lo:]
	key := pinyinHash(t)
	for {
		seen, fresh := s.seen.get(key | 1)
		if fresh {
			*seen = pinyinSpan{lo, int32(len(s.buf))}
			s.terms = append(s.terms, *seen)
			return
		}
		if bytes.Equal(s.buf[seen.lo:seen.hi], t) {
			s.buf = s.buf[:lo]
			return
		}
		key = key*0x9E3779B97F4A7C15 + 1
	}
}

var pinyinSeed = maphash.MakeSeed()

// pinyinHash hashes a term for keep (a variable: tests make hashes
// collide).
var pinyinHash = func(t []byte) uint64 { return maphash.Bytes(pinyinSeed, t) }

// addReadings adds the full pinyin and the initials of every combination
// of the readings of chars (at most pinyinMaxRun).
func (s *pinyinScratch) addReadings(chars [][]string) {
	var pick [pinyinMaxRun]int
	for {
		lo := int32(len(s.buf))
		for k, rs := range chars {
			s.buf = append(s.buf, rs[pick[k]]...)
		}
		s.keep(lo)
		lo = int32(len(s.buf))
		for k, rs := range chars {
			s.buf = append(s.buf, rs[pick[k]][0])
		}
		s.keep(lo)
		// The next combination, the last character's reading first.
		k := len(chars) - 1
		for ; k >= 0; k-- {
			if pick[k]++; pick[k] < len(chars[k]) {
				break
			}
			pick[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// pinyinWord reports whether a query unit can be pinyin: two or more
// ASCII letters.
func pinyinWord(u string) bool {
	if len(u) < 2 {
		return false
	}
	return strings.Trim(u, "abcdefghijklmnopqrstuvwxyz") == ""
}

// PinyinReadings returns the readings (as indexed: up to pinyinReadings
// a character) of the distinct Han characters, folded, of the title,
// credit and tags of a normalised Doc: the texts its pinyin terms come
// from. A Collection's Readings gives them back, so that the static index
// can highlight pinyin matches without a pinyin table.
func PinyinReadings(d Doc) map[string][]string {
	out := map[string][]string{}
	for _, text := range append([]string{d.Title, d.Credit}, d.Tags...) {
		for _, r := range foldString(text) {
			if rs := readingsOf(r); len(rs) > 0 {
				out[string(r)] = rs
			}
		}
	}
	return out
}

// pinyinNeedles returns, as needles, the runs of two to pinyinMaxRun Han
// characters of d's title, credit and tags whose full pinyin or initials
// (as pinyinTerms indexes them, with the readings given) are one of
// words: what a pinyin query matched, to highlight wherever it occurs.
func pinyinNeedles(d Doc, words []string, readings map[string][]string) [][]string {
	var out [][]string
	seen := map[string]bool{}
	for _, text := range append([]string{d.Title, d.Credit}, d.Tags...) {
		var chars []string
		var run [][]string
		flush := func() {
			for i := range run {
				for j := i + 2; j <= len(run) && j-i <= pinyinMaxRun; j++ {
					s := strings.Join(chars[i:j], "")
					if seen[s] {
						continue
					}
					for _, w := range words {
						if readsAs(run[i:j], w) {
							seen[s] = true
							out = append(out, slices.Clone(chars[i:j]))
							break
						}
					}
				}
			}
			chars, run = chars[:0], run[:0]
		}
		for _, r := range foldString(text) {
			rs := readings[string(r)]
			if len(rs) == 0 {
				flush()
				continue
			}
			chars = append(chars, string(r))
			run = append(run, rs)
		}
		flush()
	}
	return out
}

// readsAs reports whether w is the full pinyin or the initials of chars
// for some choice of their readings (addReadings).
func readsAs(chars [][]string, w string) bool {
	if len(w) == len(chars) {
		ok := true
		for k, rs := range chars {
			found := false
			for _, r := range rs {
				if r[0] == w[k] {
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	var full func(k int, w string) bool
	full = func(k int, w string) bool {
		if k == len(chars) {
			return w == ""
		}
		for _, r := range chars[k] {
			if strings.HasPrefix(w, r) && full(k+1, w[len(r):]) {
				return true
			}
		}
		return false
	}
	return full(0, w)
}
