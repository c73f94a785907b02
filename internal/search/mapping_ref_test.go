package search

import (
	"sort"
	"strconv"
)

// refGramTerms is gramTerms as it was before it counted grams by integer
// keys (string-keyed maps over gramsOf): the reference the tests hold the
// fast version to, posting for posting.
func refGramTerms(d Doc) map[string][]Posting {
	out := make(map[string][]Posting, 2*len(textFields)+5)
	counts := make(map[string]int, 256)
	count := func(grams []string, n int, f fieldSpec) []Posting {
		clear(counts)
		for _, g := range grams {
			counts[g]++
		}
		post := make([]Posting, 0, len(counts))
		for g, tf := range counts {
			post = append(post, Posting{g, impact(tf, n, f)})
		}
		return post
	}
	all := map[string]float64{}
	for _, f := range textFields {
		us := appendUnits(nil, fieldText(d, f.Name))
		if len(us) == 0 {
			continue
		}
		out[f.Name] = count(gramsOf(us, 2), len(us), f)
		if tri := gramsOf(us, 3); len(tri) > 0 {
			out[phraseField(f.Name)] = count(tri, len(us), f)
		}
		// Single units (G1) of all fields together; runs do not matter.
		clear(counts)
		for _, u := range us {
			counts[u.Text]++
		}
		for g, tf := range counts {
			all[g] += fieldTF(tf, len(us), f, f.Boost)
		}
	}
	if len(all) > 0 {
		chars := make([]Posting, 0, len(all))
		for g, t := range all {
			chars = append(chars, Posting{g, saturate(t)})
		}
		out[charsField] = chars
	}
	if py := refPinyinTerms(d); len(py) > 0 {
		out[pinyinField] = py
	}
	if d.Credit != "" {
		out[creditField] = []Posting{{d.Credit, 1}}
	}
	if tags := dedupe(d.Tags); len(tags) > 0 {
		sort.Strings(tags)
		post := make([]Posting, len(tags))
		for i, t := range tags {
			post[i] = Posting{t, 1}
		}
		out[tagField] = post
	}
	out[yearField] = []Posting{{strconv.Itoa(d.Date.Year()), 1}}
	return out
}

// refPinyinTerms is pinyinTerms as it was: a set of strings built by
// concatenation.
func refPinyinTerms(d Doc) []Posting {
	set := map[string]bool{}
	texts := append([]string{d.Title, d.Credit}, d.Tags...)
	for _, text := range texts {
		var run [][]string // readings of each character of the Han run
		flush := func() {
			for i := range run {
				for j := i + 2; j <= len(run) && j-i <= pinyinMaxRun; j++ {
					refAddReadings(set, run[i:j])
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

func refAddReadings(set map[string]bool, chars [][]string) {
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
