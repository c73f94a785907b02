package search

import (
	"slices"
	"sort"
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

// pinyinTerms returns the py terms of a normalised Doc, sorted, each with
// impact 1 (a reading matches or it does not).
func pinyinTerms(d Doc) []Posting {
	set := map[string]bool{}
	texts := append([]string{d.Title, d.Credit}, d.Tags...)
	for _, text := range texts {
		var run [][]string // readings of each character of the Han run
		flush := func() {
			for i := range run {
				for j := i + 2; j <= len(run) && j-i <= pinyinMaxRun; j++ {
					addReadings(set, run[i:j])
				}
			}
			run = run[:0]
		}
		for _, r := range foldString(text) {
			rs := readingsOf(r)
			if len(rs) == 0 {
				flush()
				continue
			}
			run = append(run, rs)
		}
		flush()
	}
	if len(set) == 0 {
		return nil
	}
	terms := make([]string, 0, len(set))
	for t := range set {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	out := make([]Posting, len(terms))
	for i, t := range terms {
		out[i] = Posting{t, 1}
	}
	return out
}

// addReadings adds the full pinyin and the initials of every combination
// of the readings of chars.
func addReadings(set map[string]bool, chars [][]string) {
	var walk func(i int, full, initials string)
	walk = func(i int, full, initials string) {
		if i == len(chars) {
			set[full] = true
			set[initials] = true
			return
		}
		for _, r := range chars[i] {
			walk(i+1, full+r, initials+r[:1])
		}
	}
	walk(0, "", "")
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
