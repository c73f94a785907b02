package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/benchutil"
)

// BenchmarkDeploy deploys a generated site (10,000 stories, or
// $BANMIAN_DEPLOY_BENCH_STORIES) to SeaweedFS on loopback three times:
// first into an empty bucket, again with nothing changed, and after one
// story's body changed. It reports time, files and bytes of each:
//
//	go test ./internal/deploy -run '^$' -bench Deploy -benchtime 1x
func BenchmarkDeploy(b *testing.B) {
	n := 10000
	if v := os.Getenv("BANMIAN_DEPLOY_BENCH_STORIES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	w := mustS3(b)
	root := b.TempDir()
	s := &testSite{t: b, src: filepath.Join(root, "content"), out: filepath.Join(root, "public")}
	if err := benchutil.GenSite(s.src, n, 1200); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	files := s.build()
	b.Logf("%d stories: %d files built in %s", n, len(files), time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	for range b.N {
		tg := s3Target(b, w.endpoint, w.bucket(b), "site", false)
		o := opts(s, tg)
		phase := func(name string) Stats {
			st, err := Run(ctx, o)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%-20s %s", name+":", st)
			b.ReportMetric(st.Duration.Seconds(), name+"-s")
			b.ReportMetric(float64(st.Uploaded), name+"-files")
			b.ReportMetric(float64(st.Bytes)/(1<<20), name+"-MB")
			return st
		}
		phase("first")
		if st := phase("nochange"); st.Uploaded != 0 {
			b.Fatalf("no-change deploy uploaded %d files", st.Uploaded)
		}
		p := benchutil.StoryFile(s.src, n/2)
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		edited := strings.Replace(string(src), "\n\n", fmt.Sprintf("\n\n改过的一段：第%d篇稿件的更正。\n\n", n/2), 1)
		if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
			b.Fatal(err)
		}
		s.build()
		phase("onestory")
		if err := os.WriteFile(p, src, 0o644); err != nil {
			b.Fatal(err)
		}
		s.build()
	}
}
