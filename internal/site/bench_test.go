package site

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/benchutil"
	"github.com/banmian/banmian/internal/content"
)

// genSite writes the generated content folder of benchutil.GenSite: n
// stories of about 1,400 Chinese characters, three a daily edition.
func genSite(tb testing.TB, dir string, n int) {
	tb.Helper()
	if err := benchutil.GenSite(dir, n, 1400); err != nil {
		tb.Fatal(err)
	}
}

var (
	benchOnce sync.Once
	benchDir  string
)

// TestMain removes the generated benchmark site after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchSite returns a generated 10,000-story site shared by the benchmarks.
func benchSite(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "banmian-bench-")
		if err != nil {
			b.Fatal(err)
		}
		genSite(b, dir, 10000)
		benchDir = dir
	})
	return benchDir
}

// peakHeap samples the heap in use while f runs and returns the peak.
func peakHeap(f func()) uint64 {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}

// BenchmarkFullBuild builds the 10,000-story site from scratch (no previous
// output, cold caches). Target: ≤ 3 s and ≤ 300 MiB on 2 cores.
func BenchmarkFullBuild(b *testing.B) {
	src := benchSite(b)
	b.ResetTimer()
	var peak uint64
	var rss float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		out := filepath.Join(b.TempDir(), "public")
		// Start each build with no writeback of earlier file churn (the
		// generated site, earlier builds) pending.
		syncFS()
		debug.FreeOSMemory()
		b.StartTimer()
		hwm := benchutil.PeakRSS()
		p := peakHeap(func() {
			st, err := New(Options{Source: os.DirFS(src), OutDir: out}).Build(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if st.Stories != 10000 {
				b.Fatalf("built %d stories", st.Stories)
			}
			b.Logf("phases: %+v", st.Phases)
		})
		peak = max(peak, p)
		rss = max(rss, hwm())
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(rss, "peak-RSS-MiB")
}

// BenchmarkIncrementalRebuild changes one story and rebuilds in the same
// process. Target: ≤ 200 ms.
func BenchmarkIncrementalRebuild(b *testing.B) {
	src := benchSite(b)
	out := filepath.Join(b.TempDir(), "public")
	bl := New(Options{Source: os.DirFS(src), OutDir: out})
	if _, err := bl.Build(context.Background()); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(src, "stories", "2020", "story-05000.md")
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	defer os.WriteFile(file, orig, 0o644)
	b.ResetTimer()
	rendered := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		changed := strings.Replace(string(orig), "群众利益无小事", fmt.Sprintf("群众利益无小事（第%d次修改）", i), 1)
		if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := bl.Build(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		rendered = st.Rendered
		if i == b.N-1 {
			b.Logf("phases: %+v", st.Phases)
		}
	}
	b.ReportMetric(float64(rendered), "pages-rendered")
}

// BenchmarkPageTemplates renders one story page and one edition page of a
// small generated site: the per-page template cost of full builds.
func BenchmarkPageTemplates(b *testing.B) {
	dir := b.TempDir()
	genSite(b, dir, 30)
	bl := New(Options{Source: os.DirFS(dir), OutDir: filepath.Join(b.TempDir(), "public")})
	c, err := content.Load(bl.opt.Source, content.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := bl.loadTheme(c.Site.Theme); err != nil {
		b.Fatal(err)
	}
	m := assemble(c)
	chrome, err := bl.renderChrome(m)
	if err != nil {
		b.Fatal(err)
	}
	pages := bl.plan(m, c, chrome, bl.globalHash(c), nil)
	need := map[*storyView]bool{}
	for _, s := range m.stories {
		need[s] = true
	}
	bl.renderDocs(need, true)
	for s := range need {
		if err := s.loaded(); err != nil {
			b.Fatal(err)
		}
	}
	for _, name := range []string{"stories/story-00010/index.html", "editions/2016-01-04/index.html"} {
		var p *page
		for _, q := range pages {
			if q.path == name {
				p = q
			}
		}
		if p == nil {
			b.Fatalf("no page %s", name)
		}
		b.Run(path.Base(path.Dir(path.Dir(name))), func(b *testing.B) {
			var buf bytes.Buffer
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := p.render(&buf); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
