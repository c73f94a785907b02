// Package searchtest holds the corpora and golden cases shared by the
// tests of the search engine and of the static index, which hold them to
// the same results: the two sample stories (testdata/samples.json),
// decoys, deterministic generated stories and the golden queries. It is
// for tests only.
package searchtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/banmian/banmian/internal/search"
)

//go:embed testdata/samples.json
var samples []byte

// SampleDocs returns the two stories of the sample page.
func SampleDocs(tb testing.TB) []search.Doc {
	tb.Helper()
	var ds []search.Doc
	if err := json.Unmarshal(samples, &ds); err != nil {
		tb.Fatal(err)
	}
	return ds
}

// The slugs of the two sample stories.
const (
	SlugChangzheng = "xiaoqu-guandao-tian-du-duo-ge-he-yi-shu-xin"
	SlugSheshan    = "she-shan-zhen-cui-xin-yuan-san-wei-yi-ti"
)

// DecoyDocs hold the words of golden queries without the phrases.
func DecoyDocs() []search.Doc {
	d := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	return []search.Doc{
		{ID: "decoy-hongjun-changzheng", Title: "重温红军长征精神", Credit: "真如镇", Date: d,
			Body: "社区党员重走红军长征路，讲述长征故事。\n老人回忆当年征镇一带的往事，大家深受教育。"},
		{ID: "decoy-zhengzhen", Title: "老街新貌", Credit: "桃浦镇", Date: d.AddDate(0, 0, 1),
			Body: "征镇一带的老街完成改造，居民拍手称快。"},
		{ID: "mixed-latin-digits", Title: "AB角协作与12345热线", Credit: "桃浦镇", Date: d.AddDate(0, 0, 2),
			Body: "居委会实行AB角协作机制。居民可拨打１２３４５热线，也可拨打021-12345678咨询，或发邮件至abc@example.com。"},
	}
}

// Towns are the credits of generated stories.
var Towns = []string{"长征镇", "佘山镇", "真如镇", "桃浦镇", "石泉路街道", "宜川路街道", "甘泉路街道", "曹杨新村街道", "长风新村街道", "万里街道"}

// goldenBigrams must not occur in generated text except where placed.
var goldenBigrams = []string{"长征", "征镇", "佘山", "山镇", "多格", "格合", "合一", "12345", "火星"}

// Vocabulary returns words cut from the sample stories: every Han run of
// the samples split into pieces of one to four characters.
func Vocabulary(tb testing.TB) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range SampleDocs(tb) {
		for _, run := range strings.FieldsFunc(d.Title+"。"+d.Kicker+"。"+d.Body, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			rs := []rune(run)
			for i := 0; i < len(rs); {
				n := 1 + (i*7+len(rs))%4
				if i+n > len(rs) {
					n = len(rs) - i
				}
				w := string(rs[i : i+n])
				i += n
				bad := false
				for _, g := range goldenBigrams {
					if strings.Contains(w, g) {
						bad = true
					}
				}
				if !bad && !seen[w] {
					seen[w] = true
					out = append(out, w)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// GenCorpus returns n deterministic generated stories of about chars Han
// characters each, dated from 2015 on, five a day.
func GenCorpus(tb testing.TB, n, chars int) []search.Doc {
	vocab := Vocabulary(tb)
	r := rand.New(rand.NewPCG(20250612, uint64(n)))
	zipf := rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1))
	perm := r.Perm(len(vocab))
	word := func() string { return vocab[perm[zipf.Uint64()]] }
	phrase := func(min, max int) string {
		var b strings.Builder
		want := min + r.IntN(max-min+1)
		for utf8.RuneCountInString(b.String()) < want {
			b.WriteString(word())
		}
		return b.String()
	}
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]search.Doc, n)
	for i := range docs {
		town := Towns[r.IntN(len(Towns))]
		var body strings.Builder
		count := 0
		for count < chars {
			para := 0
			for para < 150 && count < chars {
				s := phrase(6, 14) + "，" + phrase(6, 20)
				switch r.IntN(12) {
				case 0:
					s = town + s
				case 1:
					s += "，拨打" + strconv.Itoa(10000+r.IntN(90000)) + "热线"
				case 2:
					s += strconv.Itoa(2000+r.IntN(26)) + "年"
				}
				s += "。"
				body.WriteString(s)
				c := utf8.RuneCountInString(s)
				para += c
				count += c
			}
			body.WriteString("\n")
		}
		d := search.Doc{
			ID:      "gen-" + strconv.Itoa(i),
			Title:   phrase(8, 16),
			Body:    strings.TrimSuffix(body.String(), "\n"),
			Credit:  town,
			Tags:    []string{[]string{"基层治理", "民生", "文化", "平安"}[r.IntN(4)]},
			Date:    start.AddDate(0, 0, i/5),
			Edition: start.AddDate(0, 0, i/5).Format("2006-01-02"),
		}
		if r.IntN(3) == 0 {
			d.Kicker = phrase(10, 20)
		}
		if r.IntN(5) == 0 {
			d.Subtitle = phrase(8, 14)
		}
		d.URL = "/stories/" + d.ID + "/"
		docs[i] = d
	}
	return docs
}

// GoldenDocs is the corpus of the golden relevance tests.
func GoldenDocs(tb testing.TB) []search.Doc {
	ds := append(SampleDocs(tb), DecoyDocs()...)
	return append(ds, GenCorpus(tb, 300, 600)...)
}

// MustOpenIndex returns an index of docs in a temporary directory, closed
// at the end of the test.
func MustOpenIndex(tb testing.TB, docs []search.Doc) *search.Index {
	tb.Helper()
	x, err := search.Open(tb.TempDir() + "/index")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := x.Close(); err != nil {
			tb.Error(err)
		}
	})
	if _, err := x.Sync(context.Background(), docs); err != nil {
		tb.Fatal(err)
	}
	return x
}

// Slugs lists the IDs of a result's hits, in order.
func Slugs(r *search.Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

// IndexOf returns the index of s in ss, or -1.
func IndexOf(ss []string, s string) int {
	for i, v := range ss {
		if v == s {
			return i
		}
	}
	return -1
}

// Date parses a YYYY-MM-DD date; it panics on a bad one.
func Date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Case is one golden relevance case, run against the server index
// and the static index.
type Case struct {
	Name  string
	Q     search.Query
	Check func(t *testing.T, r *search.Result)
}

// First checks that slug is the first hit.
func First(slug string) func(t *testing.T, r *search.Result) {
	return func(t *testing.T, r *search.Result) {
		t.Helper()
		if len(r.Hits) == 0 || r.Hits[0].ID != slug {
			t.Errorf("first hit %v, want %s", Slugs(r), slug)
		}
	}
}

// GoldenCases are the golden queries over GoldenDocs, with what each
// result must show.
var GoldenCases = []Case{
	{"长征镇 ranks the Changzheng story First, decoys below", search.Query{Text: "长征镇"}, func(t *testing.T, r *search.Result) {
		First(SlugChangzheng)(t, r)
		all := Slugs(r)
		if i := IndexOf(all, "decoy-hongjun-changzheng"); i >= 0 && i < IndexOf(all, SlugChangzheng) {
			t.Errorf("decoy above the Changzheng story: %v", all)
		}
		if r.Partial {
			t.Error("partial")
		}
		if !strings.Contains(string(r.Hits[0].Snippet), "<mark>长征镇</mark>") {
			t.Errorf("snippet %s", r.Hits[0].Snippet)
		}
	}},
	{"佘山镇", search.Query{Text: "佘山镇"}, First(SlugSheshan)},
	{"多格合一", search.Query{Text: "多格合一"}, func(t *testing.T, r *search.Result) {
		First(SlugChangzheng)(t, r)
		if r.Total != 1 {
			t.Errorf("total %d, want 1: %v", r.Total, Slugs(r))
		}
		if !strings.Contains(string(r.Hits[0].TitleHTML), "<mark>多格合一</mark>") {
			t.Errorf("title %s", r.Hits[0].TitleHTML)
		}
	}},
	{"12345", search.Query{Text: "12345"}, func(t *testing.T, r *search.Result) {
		all := Slugs(r)
		if r.Total != 2 || IndexOf(all, SlugSheshan) < 0 || IndexOf(all, "mixed-latin-digits") < 0 {
			t.Errorf("hits %v, want the Sheshan and mixed stories", all)
		}
	}},
	{"full-width １２３４５ matches 12345", search.Query{Text: "１２３４５"}, func(t *testing.T, r *search.Result) {
		if r.Total != 2 {
			t.Errorf("total %d, want 2: %v", r.Total, Slugs(r))
		}
	}},
	{"12345热线", search.Query{Text: "12345热线"}, func(t *testing.T, r *search.Result) {
		all := Slugs(r)
		if r.Total != 2 || IndexOf(all, SlugSheshan) < 0 {
			t.Errorf("hits %v", all)
		}
		for _, h := range r.Hits {
			if !strings.Contains(string(h.Snippet+h.TitleHTML), "<mark>12345热线</mark>") {
				t.Errorf("%s: snippet %s", h.ID, h.Snippet)
			}
		}
	}},
	{"one character 佘", search.Query{Text: "佘", Limit: 100}, func(t *testing.T, r *search.Result) {
		// Generated stories credited 佘山镇 name it often in short
		// bodies: they may rank above the sample, which must be there.
		if IndexOf(Slugs(r), SlugSheshan) < 0 {
			t.Errorf("hits %v lack %s", Slugs(r), SlugSheshan)
		}
		for _, h := range r.Hits {
			if !strings.Contains(h.Title+h.Credit+string(h.Snippet), "佘") {
				t.Errorf("%s lacks 佘", h.ID)
			}
		}
	}},
	{"one character 镇 finds most stories", search.Query{Text: "镇"}, func(t *testing.T, r *search.Result) {
		if r.Total < 40 {
			t.Errorf("total %d", r.Total)
		}
	}},
	{"quoted phrase excludes decoys", search.Query{Text: "\"长征镇\""}, func(t *testing.T, r *search.Result) {
		for _, s := range Slugs(r) {
			if strings.HasPrefix(s, "decoy") {
				t.Errorf("decoy %s in %v", s, Slugs(r))
			}
		}
		First(SlugChangzheng)(t, r)
	}},
	{"Chinese quotes", search.Query{Text: "“翠鑫苑社区居委会”"}, First(SlugSheshan)},
	{"credit filter", search.Query{Text: "社区", Credit: "佘山镇", Limit: 100}, func(t *testing.T, r *search.Result) {
		if r.Total == 0 {
			t.Fatal("no hits")
		}
		for _, h := range r.Hits {
			if h.Credit != "佘山镇" {
				t.Errorf("%s credited %s", h.ID, h.Credit)
			}
		}
		if len(r.Facets.Credit) != 1 || r.Facets.Credit[0].Count != r.Total {
			t.Errorf("credit facet %v", r.Facets.Credit)
		}
	}},
	{"date filter", search.Query{Text: "社区", From: Date("2015-01-10"), To: Date("2015-01-20"), Limit: 100}, func(t *testing.T, r *search.Result) {
		if r.Total == 0 || r.Total > 55 {
			t.Fatalf("total %d", r.Total)
		}
		for _, h := range r.Hits {
			if h.Date < "2015-01-10" || h.Date > "2015-01-20" {
				t.Errorf("%s dated %s", h.ID, h.Date)
			}
		}
	}},
	{"tag filter and newest first", search.Query{Text: "居民", Tag: "12345热线", Sort: search.SortNewest}, First(SlugSheshan)},
	{"zero-result fallback is partial", search.Query{Text: "长征镇 火星基地"}, func(t *testing.T, r *search.Result) {
		if !r.Partial || r.Total == 0 {
			t.Errorf("partial %v total %d", r.Partial, r.Total)
		}
		First(SlugChangzheng)(t, r)
	}},
	{"nothing at all", search.Query{Text: "火星"}, func(t *testing.T, r *search.Result) {
		if r.Total != 0 || len(r.Hits) != 0 {
			t.Errorf("hits %v", Slugs(r))
		}
	}},
	{"latin word, any case", search.Query{Text: "ab"}, func(t *testing.T, r *search.Result) {
		First("mixed-latin-digits")(t, r)
		if !strings.Contains(string(r.Hits[0].TitleHTML), "<mark>AB</mark>角") {
			t.Errorf("title %s", r.Hits[0].TitleHTML)
		}
	}},
	{"pagination", search.Query{Text: "镇", Offset: 10, Limit: 5}, func(t *testing.T, r *search.Result) {
		if len(r.Hits) != 5 || r.Offset != 10 {
			t.Errorf("%d hits at %d", len(r.Hits), r.Offset)
		}
	}},
	{"long query needs any bigram", search.Query{Text: "居民反映家中马桶堵塞严重"}, First(SlugChangzheng)},
	{"filters only", search.Query{Credit: "长征镇", From: Date("2025-01-01")}, First(SlugChangzheng)},
	{"traditional 長征鎮 finds 长征镇", search.Query{Text: "長征鎮"}, func(t *testing.T, r *search.Result) {
		First(SlugChangzheng)(t, r)
		if !strings.Contains(string(r.Hits[0].Snippet), "<mark>长征镇</mark>") {
			t.Errorf("snippet %s", r.Hits[0].Snippet)
		}
	}},
	{"traditional 小區", search.Query{Text: "小區"}, func(t *testing.T, r *search.Result) {
		if r.Total == 0 || IndexOf(Slugs(r), SlugChangzheng) < 0 {
			t.Errorf("hits %v", Slugs(r))
		}
	}},
	{"pinyin changzheng, highlighted", search.Query{Text: "changzheng"}, func(t *testing.T, r *search.Result) {
		// 重温红军长征精神 (newer) reads changzheng too.
		i := IndexOf(Slugs(r), SlugChangzheng)
		if i < 0 || i > 1 {
			t.Fatalf("hits %v", Slugs(r))
		}
		h := r.Hits[i]
		if !strings.HasPrefix(string(h.KickerHTML), "普陀区<mark>长征</mark>镇") || h.CreditHTML != "<mark>长征</mark>镇" || !strings.Contains(string(h.Snippet), "<mark>长征</mark>镇") {
			t.Errorf("kicker %s, credit %s, snippet %s", h.KickerHTML, h.CreditHTML, h.Snippet)
		}
	}},
	{"pinyin initials czz, highlighted", search.Query{Text: "CZZ"}, func(t *testing.T, r *search.Result) {
		First(SlugChangzheng)(t, r)
		if h := r.Hits[0]; !strings.Contains(string(h.KickerHTML), "<mark>长征镇</mark>") || h.CreditHTML != "<mark>长征镇</mark>" {
			t.Errorf("kicker %s, credit %s", h.KickerHTML, h.CreditHTML)
		}
	}},
	{"pinyin of a title: duoge", search.Query{Text: "duogeheyi"}, First(SlugChangzheng)},
	{"a kicker match is highlighted", search.Query{Text: "普陀区", Limit: 100}, func(t *testing.T, r *search.Result) {
		i := IndexOf(Slugs(r), SlugChangzheng)
		if i < 0 {
			t.Fatalf("hits %v", Slugs(r))
		}
		if got := string(r.Hits[i].KickerHTML); !strings.HasPrefix(got, "<mark>普陀区</mark>长征镇") {
			t.Errorf("kicker %s", got)
		}
	}},
	{"a credit query finds credited stories", search.Query{Text: "真如镇", Limit: 100}, func(t *testing.T, r *search.Result) {
		// The decoy is credited 真如镇 and never names it.
		if IndexOf(Slugs(r), "decoy-hongjun-changzheng") < 0 {
			t.Errorf("hits %v lack the story credited 真如镇", Slugs(r))
		}
		for _, h := range r.Hits {
			if h.ID == "decoy-hongjun-changzheng" && h.CreditHTML != "<mark>真如镇</mark>" {
				t.Errorf("credit %s", h.CreditHTML)
			}
		}
	}},
	{"a tag is searchable as text", search.Query{Text: "网格"}, func(t *testing.T, r *search.Result) {
		if IndexOf(Slugs(r), SlugChangzheng) < 0 {
			t.Errorf("hits %v", Slugs(r))
		}
	}},
	{"partial names the dropped word", search.Query{Text: "xyz长征镇"}, func(t *testing.T, r *search.Result) {
		if !r.Partial || r.Total == 0 || !slices.Equal(r.Missing, []string{"xyz"}) {
			t.Fatalf("partial %v, missing %q, total %d", r.Partial, r.Missing, r.Total)
		}
		for _, h := range r.Hits {
			if !slices.Equal(h.Missing, []string{"xyz"}) {
				t.Errorf("%s misses %q", h.ID, h.Missing)
			}
		}
	}},
	{"full matches are not partial", search.Query{Text: "长征镇 居民"}, func(t *testing.T, r *search.Result) {
		if r.Partial || r.Total == 0 || r.Missing != nil {
			t.Errorf("partial %v, missing %q, total %d", r.Partial, r.Missing, r.Total)
		}
	}},
	{"no results is not partial", search.Query{Text: "火星 木星"}, func(t *testing.T, r *search.Result) {
		if r.Partial || r.Total != 0 {
			t.Errorf("partial %v, total %d", r.Partial, r.Total)
		}
	}},
}

// BenchN is the number of stories of the benchmarks: 10,000, or
// BANMIAN_BENCH_N.
func BenchN() int {
	if s := os.Getenv("BANMIAN_BENCH_N"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 10000
}

// JSONOf returns v as indented JSON, to compare results whole.
func JSONOf(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// BenchQueries returns deterministic queries of n characters: substrings
// of the bodies of docs of n Han characters (so most find stories) and a
// few fixed ones.
func BenchQueries(docs []search.Doc, n int) []string {
	fixed := map[int][]string{
		1: {"镇", "区", "佘", "网"},
		2: {"社区", "居民", "网格", "热线", "长征"},
		3: {"长征镇", "居委会", "佘山镇", "服务好"},
		4: {"多格合一", "社区治理", "矛盾纠纷", "三位一体"},
	}
	qs := append([]string(nil), fixed[n]...)
	r := rand.New(rand.NewPCG(7, uint64(n)))
	for len(qs) < 40 {
		rs := []rune(docs[r.IntN(len(docs))].Body)
		i := r.IntN(len(rs) - n)
		q := rs[i : i+n]
		if !slices.ContainsFunc(q, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			qs = append(qs, string(q))
		}
	}
	return qs
}
