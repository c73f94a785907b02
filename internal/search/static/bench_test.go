package static

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// The benchmarks measure the static index figures of the search issue on
// searchtest.BenchN generated stories of about 1,400 Chinese characters
// (BenchmarkStaticScale: 2,000).

var (
	benchOnce   sync.Once
	benchDocs   []search.Doc
	benchDir    string // holds the shared static index, under static/
	benchStatic *Index
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchSetup builds the corpus and its static index once.
func benchSetup(b *testing.B) {
	b.Helper()
	benchOnce.Do(func() {
		benchDocs = append(searchtest.SampleDocs(b), searchtest.GenCorpus(b, searchtest.BenchN()-2, 1400)...)
		var err error
		benchDir, err = os.MkdirTemp("", "banmian-static-bench-")
		if err != nil {
			b.Fatal(err)
		}
		if err := Write(filepath.Join(benchDir, "static"), benchDocs, Options{}); err != nil {
			b.Fatal(err)
		}
		benchStatic, err = Open(os.DirFS(filepath.Join(benchDir, "static")))
		if err != nil {
			b.Fatal(err)
		}
	})
	if benchStatic == nil {
		b.Fatal("benchmark setup failed")
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

// BenchmarkStaticBuild writes the static index of the corpus.
func BenchmarkStaticBuild(b *testing.B) {
	benchSetup(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Write(filepath.Join(b.TempDir(), "search"), benchDocs, Options{}); err != nil {
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
	var meta struct{ Docs string }
	if mb, err := os.ReadFile(filepath.Join(benchDir, "static", "meta.json")); err != nil || json.Unmarshal(mb, &meta) != nil {
		b.Fatalf("meta.json: %v", err)
	}
	for _, f := range []string{"meta.json", meta.Docs} { // docs-G.bin, named by its segment
		fi, err := os.Stat(filepath.Join(benchDir, "static", f))
		if err != nil {
			b.Fatal(err)
		}
		metaBytes += int(fi.Size())
	}
	for n := 1; n <= 4; n++ {
		qs := searchtest.BenchQueries(benchDocs, n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			var idx, all []int
			var ds []time.Duration
			for i := 0; i < b.N; i++ {
				for _, q := range qs {
					benchStatic.ResetFetched()
					t := time.Now()
					if _, err := benchStatic.Search(search.Query{Text: q}); err != nil {
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
	docs := append(searchtest.SampleDocs(b), searchtest.GenCorpus(b, searchtest.BenchN()-2, 2000)...)
	if benchDocs == nil {
		benchDocs = docs // for searchtest.BenchQueries
	}
	dir := filepath.Join(b.TempDir(), "search")
	t0 := time.Now()
	if err := Write(dir, docs, Options{}); err != nil {
		b.Fatal(err)
	}
	// Metrics are reported after the loop: ResetTimer deletes them.
	metrics := map[string]float64{"write-s": time.Since(t0).Seconds()}
	var total int64
	files := 0
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			total += fi.Size()
			files++
		}
		return nil
	})
	metrics["total-MB"] = float64(total) / 1e6
	metrics["files"] = float64(files)
	s, err := Open(os.DirFS(dir))
	if err != nil {
		b.Fatal(err)
	}
	var all []int
	for n := 1; n <= 4; n++ {
		for _, q := range searchtest.BenchQueries(benchDocs, n) {
			s.ResetFetched()
			if _, err := s.Search(search.Query{Text: q}); err != nil {
				b.Fatal(err)
			}
			tot, _ := s.Fetched()
			all = append(all, tot)
		}
	}
	sort.Ints(all)
	metrics["query-KB-p50"] = float64(all[len(all)/2]) / 1e3
	metrics["query-KB-p90"] = float64(all[len(all)*9/10]) / 1e3
	metrics["query-KB-max"] = float64(all[len(all)-1]) / 1e3
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		docs[0].Body += "\n又有新的情况。"
		rebuilt, err := Update(dir, docs, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if rebuilt {
			b.Fatal("rebuilt whole")
		}
	}
	b.StopTimer()
	for k, v := range metrics {
		b.ReportMetric(v, k)
	}
}
