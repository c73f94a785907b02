package search_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// sortedTerms puts each field's postings in order, so that two analyses
// compare posting for posting.
func sortedTerms(by map[string][]search.Posting) map[string][]search.Posting {
	out := make(map[string][]search.Posting, len(by))
	for f, post := range by {
		post = slices.Clone(post)
		slices.SortFunc(post, func(a, b search.Posting) int {
			if c := strings.Compare(a.Gram, b.Gram); c != 0 {
				return c
			}
			return int(a.Impact) - int(b.Impact)
		})
		out[f] = post
	}
	return out
}

// diffTerms describes how gramTerms differs from the reference on d, or
// returns "".
func diffTerms(d search.Doc) string {
	// RefPinyinTerms sorts; PinyinTerms need not.
	got0 := search.PinyinTerms(d)
	slices.SortFunc(got0, func(a, b search.Posting) int { return strings.Compare(a.Gram, b.Gram) })
	if got, want := got0, search.RefPinyinTerms(d); !slices.Equal(got, want) {
		return fmt.Sprintf("pinyin terms %v, want %v", got, want)
	}
	got := sortedTerms(search.GramTerms(d))
	want := sortedTerms(search.RefGramTerms(d))
	for f, w := range want {
		g, ok := got[f]
		if !ok {
			return fmt.Sprintf("field %s missing, want %d postings", f, len(w))
		}
		if !slices.Equal(g, w) {
			for i := range min(len(g), len(w)) {
				if g[i] != w[i] {
					return fmt.Sprintf("field %s: posting %d is %q/%d, want %q/%d (%d postings, want %d)",
						f, i, g[i].Gram, g[i].Impact, w[i].Gram, w[i].Impact, len(g), len(w))
				}
			}
			return fmt.Sprintf("field %s: %d postings, want %d", f, len(g), len(w))
		}
	}
	for f, g := range got {
		if _, ok := want[f]; !ok {
			return fmt.Sprintf("field %s: %d postings, want none", f, len(g))
		}
	}
	return ""
}

// edgeDocs mix what the generated corpora lack: Latin words, digits,
// mixed runs, traditional characters, kana and Hangul, runs of one unit,
// empty fields, repeated grams and tags.
func edgeDocs() []search.Doc {
	d := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	return []search.Doc{
		{ID: "empty", Date: d},
		{ID: "latin", Title: "Hello World", Body: "abc ABC abc-abc x y z 12 12 12", Date: d},
		{ID: "mixed", Title: "AB角协作与12345热线", Kicker: "热", Subtitle: "a热b线c",
			Body: "拨打12345热线12345热线。2003年2003年，COVID-19疫情；iPhone手机、5G网络", Date: d},
		{ID: "trad", Title: "長征鎮小區", Credit: "長征鎮", Tags: []string{"小區", "长征镇", "小區", ""},
			Body: "長征鎮的小區，长征镇的小区。軟體與硬體", Date: d},
		{ID: "kana", Title: "東京タワーとソウル서울", Body: "ひらがなカタカナ한국어 mixed かな", Date: d},
		{ID: "singles", Title: "一", Kicker: "a", Subtitle: "，", Body: "一 二 三，四。五 a b 1 2 热 线", Date: d},
		{ID: "repeat", Title: "哈哈哈哈哈哈", Body: strings.Repeat("哈", 500) + strings.Repeat("哈哈 ", 100), Credit: "哈", Date: d},
		{ID: "marks", Title: "café naïve ﬁ", Body: "é́ a\u0301b 𠀀𠀁𠀂𠀃 \U0010FFFD", Date: d},
		{ID: "fullwidth", Title: "１２３４５ＡＢＣ", Body: "Ｈｅｌｌｏ，世界！　全角空格", Date: d},
		{ID: "tags", Tags: []string{"基层治理", "民生", "民生", "AB角"}, Body: "正文", Date: d},
	}
}

func TestGramTermsMatchReference(t *testing.T) {
	var docs []search.Doc
	docs = append(docs, searchtest.SampleDocs(t)...)
	docs = append(docs, searchtest.DecoyDocs()...)
	docs = append(docs, searchtest.GoldenDocs(t)...)
	docs = append(docs, searchtest.GenCorpus(t, 200, 2000)...)
	docs = append(docs, edgeDocs()...)
	for _, d := range docs {
		for _, d := range []search.Doc{d.Normalized(), d} {
			if diff := diffTerms(d); diff != "" {
				t.Errorf("%s: %s", d.ID, diff)
			}
		}
	}
}

// TestPinyinTermsHashCollisions holds pinyinTerms to the reference when
// term hashes collide all the time.
func TestPinyinTermsHashCollisions(t *testing.T) {
	search.SetPinyinHash(t, func(b []byte) uint64 { return uint64(len(b) % 3) })
	docs := append(searchtest.GoldenDocs(t), edgeDocs()...)
	for _, d := range docs {
		if diff := diffTerms(d.Normalized()); diff != "" {
			t.Errorf("%s: %s", d.ID, diff)
		}
	}
}

func FuzzGramTerms(f *testing.F) {
	for _, d := range append(edgeDocs(), searchtest.DecoyDocs()...) {
		f.Add(d.Title, d.Body, d.Credit)
	}
	f.Add("長征鎮", "长征镇12345热线abc", "")
	f.Fuzz(func(t *testing.T, title, body, credit string) {
		d := search.Doc{ID: "fuzz", Title: title, Body: body, Credit: credit, Kicker: body,
			Tags: []string{title, credit}, Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		for _, d := range []search.Doc{d, d.Normalized()} {
			if diff := diffTerms(d); diff != "" {
				t.Fatalf("title %q body %q credit %q: %s", d.Title, d.Body, d.Credit, diff)
			}
		}
	})
}
