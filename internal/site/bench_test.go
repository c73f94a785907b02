package site

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
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

// Sentences in house style, from the sample page, to make a large corpus.
var corpusSentences = strings.Split(strings.ReplaceAll(`自党建引领“多格合一”试点工作启动以来，长征镇持续推动基层治理工作精准化、高效化、全面化，让“民生小事”化作“幸福大事”。
近日，家住真源小区的居民向长征镇祥和综合网格反映家中马桶堵塞严重、污水反溢。
这个建于1997年的老小区，作为早期商品房，承载着2600多户居民的生活记忆。
由于小区建造年代久远，地下排水管道建设标准较低，随着地下管道使用年限增长，管道老化严重，排水不畅。
面对这样的难题，长征镇创新推行的党建引领“多格合一”治理模式成为破局的关键。
厘清问题后，次日凌晨，新长征集团立即调动专业资源力量，对堵塞管道进行疏通。
当天下午3点，堵塞点全线贯通。管道一通，居民家中的马桶反水问题得以解决。
群众利益无小事，一枝一叶总关情。
翠鑫苑社区居委会积极打造资源整合、力量协同的矛盾、纠纷多元化解阵地。
稳步推进矛盾、纠纷化解与“12345热线”工单处置工作，努力为居民营造一个和谐、稳定的生活环境。
按片区将管辖3个小区划分为6个“微网格”，以“1+6+x”模式常态化走访。
推行“接诉即办”响应机制，严格做好第一时间先行回复工作，让居民感受到居委会对诉求的重视度。
下一步，将持续推动党建引领工作走深走实，以“小网格”撬动服务民生“大格局”。`, "\n", "|"), "|")

var (
	offices = []string{"长征镇", "佘山镇", "曹杨新村街道", "真如镇街道", "甘泉路街道", "石泉路街道", "宜川路街道", "万里街道", "桃浦镇", "长风新村街道", "江宁路街道"}
	tagPool = []string{"社区治理", "网格", "12345热线", "为民服务", "垃圾分类", "老旧小区", "党建引领", "志愿服务", "文化活动", "平安建设"}
)

// genSite writes a content folder of n stories of about 1,400 Chinese
// characters each, two subheads, a credit and two tags, three stories per
// daily edition. It is deterministic.
func genSite(tb testing.TB, dir string, n int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "editions"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "site.yaml"), []byte("title: 多维世界\npaper: 新民晚报\nsection: 多维世界\nbaseURL: https://duowei.example.com/\nmasthead:\n  editor: 郭爽\n"), 0o644))
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	var ed strings.Builder
	for i := 0; i < n; i++ {
		day := start.AddDate(0, 0, i/3)
		date := day.Format("2006-01-02")
		slug := fmt.Sprintf("story-%05d", i)
		var body strings.Builder
		para := func(chars int) {
			for body.Len() < chars*3 {
				body.WriteString(corpusSentences[rng.IntN(len(corpusSentences))])
			}
			body.WriteString("\n\n")
		}
		target := 0
		for part := 0; part < 3; part++ {
			if part > 0 {
				fmt.Fprintf(&body, "## 第%d部分：%s\n\n", part, offices[rng.IntN(len(offices))])
			}
			for p := 0; p < 3; p++ {
				target += 155
				para(target)
			}
		}
		credit := offices[rng.IntN(len(offices))]
		t1, t2 := tagPool[rng.IntN(len(tagPool))], tagPool[rng.IntN(len(tagPool))]
		src := fmt.Sprintf("---\ntitle: %s推进社区治理第%d篇\nkicker: %s为“网格”赋能\ncredit: %s\ndate: %s\nslug: %s\ntags: [%s, %s]\n---\n%s",
			credit, i, credit, credit, date, slug, t1, t2, body.String())
		sub := filepath.Join(dir, "stories", day.Format("2006"))
		must(os.MkdirAll(sub, 0o755))
		must(os.WriteFile(filepath.Join(sub, slug+".md"), []byte(src), 0o644))
		if i%3 == 0 {
			ed.Reset()
			fmt.Fprintf(&ed, "date: %s\npage: 14\nitems:\n", date)
		}
		fmt.Fprintf(&ed, "  - story: %s\n", slug)
		if i%3 == 2 || i == n-1 {
			must(os.WriteFile(filepath.Join(dir, "editions", date+".yaml"), []byte(ed.String()), 0o644))
		}
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
	pages := bl.plan(m, c, chrome)
	need := map[*storyView]bool{}
	for _, s := range m.stories {
		need[s] = true
	}
	if err := bl.renderDocs(context.Background(), need, true); err != nil {
		b.Fatal(err)
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
