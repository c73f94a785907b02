package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// BenchmarkPublish measures publishing one edition of three stories on a
// site of BANMIAN_BENCH_STORIES stories (default 2000; the target
// is 10000): files, incremental build, index update and store.
func BenchmarkPublish(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BANMIAN_BENCH_STORIES")); err == nil && v > 0 {
		n = v
	}
	e := newEnv(b, func(c *Config) {
		for i := range n {
			writeFile(b, filepath.Join(c.Source, "stories", fmt.Sprintf("s%05d.md", i)),
				fmt.Sprintf("---\ntitle: 存档稿件%d\ncredit: 长征镇\ndate: 2024-%02d-%02d\nslug: s%05d\n---\n长征镇居民积极参与垃圾分类，社区环境明显改善。第%d篇。\n", i, i%12+1, i%28+1, i, i))
		}
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		date := time.Date(2025, 7, 1, 0, 0, 0, 0, cst).AddDate(0, 0, i).Format("2006-01-02")
		var items string
		for j := range 3 {
			id := e.mustSubmission("changzheng", "长征镇", fmt.Sprintf("新稿%d-%d", i, j), "长征镇居民积极参与垃圾分类。", store.StatusAccepted)
			if j > 0 {
				items += ","
			}
			items += `{"submission":"` + id + `"}`
		}
		if resp, body := e.api("editor", "PUT", "/api/editions/"+date, "application/json", `{"page":1,"items":[`+items+`]}`); resp.StatusCode != 200 {
			b.Fatalf("%d %s", resp.StatusCode, body)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := e.srv.Publish(b.Context(), date, "editor"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/publish")
	}
}
