package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/benchutil"
)

// The benchmarks measure the figures of the search issue on 10,000
// generated stories of about 1,400 Chinese characters (BANMIAN_BENCH_N
// overrides the count). Corpora are deterministic.

func benchN() int {
	if s := os.Getenv("BANMIAN_BENCH_N"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 10000
}

var (
	benchOnce   sync.Once
	benchDocs   []Doc
	benchDir    string // holds the shared index and static index
	benchIndex  *Index
	benchStatic *StaticIndex
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

// benchSetup builds the corpus, its index and its static index once.
func benchSetup(b *testing.B) {
	b.Helper()
	benchOnce.Do(func() {
		benchDocs = append(sampleDocs(b), genCorpus(b, benchN()-2, 1400)...)
		var err error
		benchDir, err = os.MkdirTemp("", "banmian-search-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchIndex, err = Open(filepath.Join(benchDir, "index"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := benchIndex.Sync(context.Background(), benchDocs); err != nil {
			b.Fatal(err)
		}
		if err := WriteStatic(filepath.Join(benchDir, "static"), benchDocs, StaticOptions{}); err != nil {
			b.Fatal(err)
		}
		benchStatic, err = OpenStatic(os.DirFS(filepath.Join(benchDir, "static")))
		if err != nil {
			b.Fatal(err)
		}
	})
	if benchIndex == nil {
		b.Fatal("benchmark setup failed")
	}
}

// BenchmarkIndexFull indexes the whole corpus into an empty index.
func BenchmarkIndexFull(b *testing.B) {
	docs := append(sampleDocs(b), genCorpus(b, benchN()-2, 1400)...)
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
		x, err := Open(dir)
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
	docs := append([]Doc(nil), benchDocs...)
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

// benchQueries returns deterministic queries of n characters: substrings
// of the corpus (so most find stories) and a few fixed ones.
func benchQueries(n int) []string {
	fixed := map[int][]string{
		1: {"镇", "区", "佘", "网"},
		2: {"社区", "居民", "网格", "热线", "长征"},
		3: {"长征镇", "居委会", "佘山镇", "服务好"},
		4: {"多格合一", "社区治理", "矛盾纠纷", "三位一体"},
	}
	qs := append([]string(nil), fixed[n]...)
	r := rand.New(rand.NewPCG(7, uint64(n)))
	for len(qs) < 40 {
		rs := []rune(benchDocs[r.IntN(len(benchDocs))].Body)
		i := r.IntN(len(rs) - n)
		q := string(rs[i : i+n])
		if len(units(q)) == n && len(parseQuery(q)) == 1 {
			qs = append(qs, q)
		}
	}
	return qs
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
		qs := benchQueries(n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			ctx := context.Background()
			var ds []time.Duration
			hits := 0
			// Each iteration runs every query five times: 200 samples.
			for i := 0; i < b.N; i++ {
				for rep := 0; rep < 5; rep++ {
					for _, q := range qs {
						t := time.Now()
						r, err := benchIndex.Search(ctx, Query{Text: q})
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

// BenchmarkStaticBuild writes the static index of the corpus.
func BenchmarkStaticBuild(b *testing.B) {
	benchSetup(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteStatic(filepath.Join(b.TempDir(), "search"), benchDocs, StaticOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var total int64
	files := 0
	filepath.Walk(filepath.Join(benchDir, "static"), func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			total += fi.Size()
			files++
		}
		return nil
	})
	b.ReportMetric(float64(total)/(1<<20), "total-MiB")
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(benchStatic.meta.Segments[0].Shards), "shards")
}

// BenchmarkStaticQueryBytes reports the bytes a browser fetches for a
// query on the static index, with an empty cache: postings shards
// (index), and index plus the stories of the first page (with docs);
// meta.json and docs.bin, fetched once per page load, are reported apart.
func BenchmarkStaticQueryBytes(b *testing.B) {
	benchSetup(b)
	metaBytes := 0
	for _, f := range []string{"meta.json", "docs.bin"} {
		fi, err := os.Stat(filepath.Join(benchDir, "static", f))
		if err != nil {
			b.Fatal(err)
		}
		metaBytes += int(fi.Size())
	}
	for n := 1; n <= 4; n++ {
		qs := benchQueries(n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			var idx, all []int
			var ds []time.Duration
			for i := 0; i < b.N; i++ {
				for _, q := range qs {
					benchStatic.ResetFetched()
					t := time.Now()
					if _, err := benchStatic.Search(Query{Text: q}); err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(t))
					tot, sh := benchStatic.Fetched()
					idx, all = append(idx, sh), append(all, tot)
				}
			}
			sort.Ints(idx)
			sort.Ints(all)
			b.ReportMetric(float64(idx[len(idx)/2])/1024, "index-KB-p50")
			b.ReportMetric(float64(idx[len(idx)-1])/1024, "index-KB-max")
			b.ReportMetric(float64(all[len(all)/2])/1024, "with-docs-KB-p50")
			b.ReportMetric(float64(metaBytes)/1024, "meta+docs.bin-KB")
			b.ReportMetric(percentile(ds, 0.5), "go-p50-ms")
		})
	}
}

// BenchmarkStaticScale writes the static index of benchN stories of about
// 2,000 characters (without the server index), reports its files, size
// and the bytes a query fetches, then times UpdateStatic after one story
// changes (ns/op).
func BenchmarkStaticScale(b *testing.B) {
	docs := append(sampleDocs(b), genCorpus(b, benchN()-2, 2000)...)
	if benchDocs == nil {
		benchDocs = docs // for benchQueries
	}
	dir := filepath.Join(b.TempDir(), "search")
	t0 := time.Now()
	if err := WriteStatic(dir, docs, StaticOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(t0).Seconds(), "write-s")
	var total int64
	files := 0
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			total += fi.Size()
			files++
		}
		return nil
	})
	b.ReportMetric(float64(total)/1e6, "total-MB")
	b.ReportMetric(float64(files), "files")
	s, err := OpenStatic(os.DirFS(dir))
	if err != nil {
		b.Fatal(err)
	}
	var all []int
	for n := 1; n <= 4; n++ {
		for _, q := range benchQueries(n) {
			s.ResetFetched()
			if _, err := s.Search(Query{Text: q}); err != nil {
				b.Fatal(err)
			}
			tot, _ := s.Fetched()
			all = append(all, tot)
		}
	}
	sort.Ints(all)
	b.ReportMetric(float64(all[len(all)/2])/1e3, "query-KB-p50")
	b.ReportMetric(float64(all[len(all)*9/10])/1e3, "query-KB-p90")
	b.ReportMetric(float64(all[len(all)-1])/1e3, "query-KB-max")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		docs[0].Body += "\n又有新的情况。"
		rebuilt, err := UpdateStatic(dir, docs, StaticOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rebuilt {
			b.Fatal("rebuilt whole")
		}
	}
}
