package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/benchutil"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// The benchmarks measure the figures of the search issue on 10,000
// generated stories of about 1,400 Chinese characters (BANMIAN_BENCH_N
// overrides the count). Corpora are deterministic.

var (
	benchOnce  sync.Once
	benchDocs  []search.Doc
	benchDir   string // holds the shared index
	benchIndex *search.Index
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchIndex != nil {
		benchIndex.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchSetup builds the corpus and its index once.
func benchSetup(b *testing.B) {
	b.Helper()
	benchOnce.Do(func() {
		benchDocs = append(searchtest.SampleDocs(b), searchtest.GenCorpus(b, searchtest.BenchN()-2, 1400)...)
		var err error
		benchDir, err = os.MkdirTemp("", "banmian-search-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchIndex, err = search.Open(filepath.Join(benchDir, "index"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := benchIndex.Sync(context.Background(), benchDocs); err != nil {
			b.Fatal(err)
		}
	})
	if benchIndex == nil {
		b.Fatal("benchmark setup failed")
	}
}

// BenchmarkIndexFull indexes the whole corpus into an empty index.
func BenchmarkIndexFull(b *testing.B) {
	docs := append(searchtest.SampleDocs(b), searchtest.GenCorpus(b, searchtest.BenchN()-2, 1400)...)
	chars := 0
	for _, d := range docs {
		chars += len([]rune(d.Body))
	}
	b.ReportMetric(float64(chars)/1e6, "Mchars")
	runtime.GC()
	peak := benchutil.PeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(b.TempDir(), "index")
		x, err := search.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.Sync(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peak(), "peak-RSS-MiB")
}

// BenchmarkIndexUpdateOne re-indexes one changed story in the full index.
func BenchmarkIndexUpdateOne(b *testing.B) {
	benchSetup(b)
	d := benchDocs[len(benchDocs)/2]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Body = d.Body + "\n更正：" + strconv.Itoa(i)
		if err := benchIndex.Put(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexSyncUnchanged is `banmian index` with nothing to do
// (hashing every story; content loading not included).
func BenchmarkIndexSyncUnchanged(b *testing.B) {
	benchSetup(b)
	docs := append([]search.Doc(nil), benchDocs...)
	if _, err := benchIndex.Sync(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := benchIndex.Sync(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
	}
}

func percentile(ds []time.Duration, p float64) float64 {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(p*float64(len(ds)) + 0.5)
	if i >= len(ds) {
		i = len(ds) - 1
	}
	return float64(ds[i]) / 1e6
}

// BenchmarkQuery runs 1- to 4-character queries (first page, highlighted
// snippets, facets) and reports p50 and p99 latency.
func BenchmarkQuery(b *testing.B) {
	benchSetup(b)
	for n := 1; n <= 4; n++ {
		qs := searchtest.BenchQueries(benchDocs, n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			ctx := context.Background()
			var ds []time.Duration
			hits := 0
			// Each iteration runs every query five times: 200 samples.
			for i := 0; i < b.N; i++ {
				for rep := 0; rep < 5; rep++ {
					for _, q := range qs {
						t := time.Now()
						r, err := benchIndex.Search(ctx, search.Query{Text: q})
						ds = append(ds, time.Since(t))
						if err != nil {
							b.Fatal(err)
						}
						hits += r.Total
					}
				}
			}
			b.ReportMetric(percentile(ds, 0.5), "p50-ms")
			b.ReportMetric(percentile(ds, 0.99), "p99-ms")
			b.ReportMetric(float64(hits)/float64(len(ds)), "hits/query")
		})
	}
}

// benchAnalysis runs analyse over 1,000 generated stories of about 2,000
// characters, normalised beforehand.
func benchAnalysis[T any](b *testing.B, analyse func(search.Doc) T) {
	docs := searchtest.GenCorpus(b, 1000, 2000)
	for i := range docs {
		docs[i] = docs[i].Normalized()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			analyse(d)
		}
	}
}

// BenchmarkGramTerms analyses stories into their postings: the term
// analysis of `banmian index` and of the static index build.
func BenchmarkGramTerms(b *testing.B) { benchAnalysis(b, search.GramTerms) }

// BenchmarkBleveDoc analyses stories into analysed bleve documents: the
// term analysis of the server index (banmian index), bleve's share
// included.
func BenchmarkBleveDoc(b *testing.B) { benchAnalysis(b, search.AnalyseForIndex) }

// BenchmarkGramTermsReference is BenchmarkGramTerms with the former
// analysis (refGramTerms), to compare the two in one run on a shared
// machine.
func BenchmarkGramTermsReference(b *testing.B) { benchAnalysis(b, search.RefGramTerms) }

// BenchmarkPinyinTerms is the pinyin part of BenchmarkGramTerms.
func BenchmarkPinyinTerms(b *testing.B) { benchAnalysis(b, search.PinyinTerms) }

// BenchmarkPinyinTermsReference is BenchmarkPinyinTerms with the former
// pinyinTerms (refPinyinTerms).
func BenchmarkPinyinTermsReference(b *testing.B) { benchAnalysis(b, search.RefPinyinTerms) }
