package search

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// sampleDocs returns the two stories of the sample page.
func sampleDocs(tb testing.TB) []Doc {
	tb.Helper()
	b, err := os.ReadFile("testdata/samples.json")
	if err != nil {
		tb.Fatal(err)
	}
	var ds []Doc
	if err := json.Unmarshal(b, &ds); err != nil {
		tb.Fatal(err)
	}
	return ds
}

const (
	slugChangzheng = "xiaoqu-guandao-tian-du-duo-ge-he-yi-shu-xin"
	slugSheshan    = "she-shan-zhen-cui-xin-yuan-san-wei-yi-ti"
)

// decoyDocs hold the words of golden queries without the phrases.
func decoyDocs() []Doc {
	d := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	return []Doc{
		{ID: "decoy-hongjun-changzheng", Title: "重温红军长征精神", Credit: "真如镇", Date: d,
			Body: "社区党员重走红军长征路，讲述长征故事。\n老人回忆当年征镇一带的往事，大家深受教育。"},
		{ID: "decoy-zhengzhen", Title: "老街新貌", Credit: "桃浦镇", Date: d.AddDate(0, 0, 1),
			Body: "征镇一带的老街完成改造，居民拍手称快。"},
		{ID: "mixed-latin-digits", Title: "AB角协作与12345热线", Credit: "桃浦镇", Date: d.AddDate(0, 0, 2),
			Body: "居委会实行AB角协作机制。居民可拨打１２３４５热线，也可拨打021-12345678咨询，或发邮件至abc@example.com。"},
	}
}

// towns are the credits of generated stories.
var towns = []string{"长征镇", "佘山镇", "真如镇", "桃浦镇", "石泉路街道", "宜川路街道", "甘泉路街道", "曹杨新村街道", "长风新村街道", "万里街道"}

// goldenBigrams must not occur in generated text except where placed.
var goldenBigrams = []string{"长征", "征镇", "佘山", "山镇", "多格", "格合", "合一", "12345", "火星"}

// vocabulary returns words cut from the sample stories: every Han run of
// the samples split into pieces of one to four characters.
func vocabulary(tb testing.TB) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range sampleDocs(tb) {
		for _, run := range strings.FieldsFunc(d.Title+"。"+d.Kicker+"。"+d.Body, func(r rune) bool { return !isCJK(r) }) {
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

// genCorpus returns n deterministic generated stories of about chars Han
// characters each, dated from 2015 on, five a day.
func genCorpus(tb testing.TB, n, chars int) []Doc {
	vocab := vocabulary(tb)
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
	docs := make([]Doc, n)
	for i := range docs {
		town := towns[r.IntN(len(towns))]
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
		d := Doc{
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

// goldenDocs is the corpus of the golden relevance tests.
func goldenDocs(tb testing.TB) []Doc {
	ds := append(sampleDocs(tb), decoyDocs()...)
	return append(ds, genCorpus(tb, 300, 600)...)
}

// mustOpenIndex returns an index of docs in a temporary directory, closed
// at the end of the test.
func mustOpenIndex(tb testing.TB, docs []Doc) *Index {
	tb.Helper()
	x, err := Open(tb.TempDir() + "/index")
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
