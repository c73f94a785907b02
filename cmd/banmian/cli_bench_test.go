package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/benchutil"
)

// BenchmarkCLI times the real banmian binary, as users run it, on a
// generated folder of stories (10,000 of about 2,000 characters; set
// BANMIAN_BENCH_STORIES to change the count), with wall time and peak RSS
// of the process for each row of the build-at-scale table:
//
//   - site: build -index "" into a fresh output folder (site + static search)
//   - all: build into fresh output and index folders (site, static search and bleve)
//   - unchanged: build again with nothing changed
//   - one: build after one story changed, everything current
//   - hugo: Hugo (when on PATH) with a bare three-template theme, same folder
//
// Rows run interleaved, round by round, so a noisy disk hits them alike;
// each figure is the median over b.N rounds. Run it with
//
//	go test ./cmd/banmian -run XXX -bench CLI -benchtime 3x -timeout 60m
func BenchmarkCLI(b *testing.B) {
	n := 10000
	if s := os.Getenv("BANMIAN_BENCH_STORIES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 3 {
			b.Fatalf("BANMIAN_BENCH_STORIES=%q: want a number ≥ 3", s)
		}
		n = v
	}
	work := b.TempDir()
	bin := filepath.Join(work, "banmian")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	src := filepath.Join(work, "content")
	if err := benchutil.GenSite(src, n, 2000); err != nil {
		b.Fatal(err)
	}
	hugo, _ := exec.LookPath("hugo")
	hugoDir := filepath.Join(work, "hugo")
	if hugo != "" {
		writeHugoSite(b, hugoDir, src)
	} else {
		b.Log("hugo not on PATH (apt-get install hugo): its row is left out")
	}
	changed := benchutil.StoryFile(src, n/2)
	orig, err := os.ReadFile(changed)
	if err != nil {
		b.Fatal(err)
	}

	type row struct {
		name                   string
		walls, users, sys, rss []float64
	}
	rows := map[string]*row{}
	record := func(name string, m measured) {
		r := rows[name]
		if r == nil {
			r = &row{name: name}
			rows[name] = r
		}
		r.walls = append(r.walls, m.wall.Seconds())
		r.users = append(r.users, m.user.Seconds())
		r.sys = append(r.sys, m.sys.Seconds())
		r.rss = append(r.rss, m.rss)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		round := filepath.Join(work, fmt.Sprintf("round%d", i))
		if hugo != "" {
			record("hugo", runMeasured(b, hugo, "--source", hugoDir, "--destination", filepath.Join(round, "hugo"), "--quiet"))
		}
		record("site", runMeasured(b, bin, "build", "-quiet", "-source", src, "-out", filepath.Join(round, "site"), "-index", ""))
		out, idx := filepath.Join(round, "public"), filepath.Join(round, "index")
		record("all", runMeasured(b, bin, "build", "-quiet", "-source", src, "-out", out, "-index", idx))
		record("unchanged", runMeasured(b, bin, "build", "-quiet", "-source", src, "-out", out, "-index", idx))
		edit := strings.Replace(string(orig), "群众利益无小事", fmt.Sprintf("群众利益无小事（第%d次修改）", i), 1)
		if err := os.WriteFile(changed, []byte(edit), 0o644); err != nil {
			b.Fatal(err)
		}
		record("one", runMeasured(b, bin, "build", "-quiet", "-source", src, "-out", out, "-index", idx))
		if err := os.WriteFile(changed, orig, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(round)
		b.StartTimer()
	}
	median := func(v []float64) float64 {
		v = slices.Clone(v)
		slices.Sort(v)
		return v[len(v)/2]
	}
	for _, name := range []string{"site", "all", "unchanged", "one", "hugo"} {
		r := rows[name]
		if r == nil {
			continue
		}
		b.ReportMetric(median(r.walls), name+"-wall-s")
		b.ReportMetric(median(r.users), name+"-user-s")
		b.ReportMetric(median(r.sys), name+"-sys-s")
		b.ReportMetric(median(r.rss), name+"-RSS-MiB")
		b.Logf("%-9s wall %.3f s, user %.2f s, sys %.2f s, peak RSS %.0f MiB", name, r.walls, r.users, r.sys, r.rss)
	}
	if h := rows["hugo"]; h != nil {
		b.ReportMetric(median(rows["site"].walls)/median(h.walls), "site/hugo")
		b.ReportMetric(median(rows["all"].walls)/median(h.walls), "all/hugo")
		// The work itself, apart from the disk: user CPU time.
		b.ReportMetric(median(rows["site"].users)/median(h.users), "site/hugo-user")
	}
}

// measured is one run of a command: its wall time, its user and system
// CPU time, and its peak resident set size in MiB, as the kernel accounts
// them. System time is where this VM's noisy disk shows: the same build's
// ranged from 2 to 15 s between runs, while its user time held.
type measured struct {
	wall, user, sys time.Duration
	rss             float64
}

// runMeasured runs a command to completion and measures it.
func runMeasured(b *testing.B, name string, args ...string) measured {
	b.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.Bytes())
	}
	m := measured{wall: time.Since(start), user: cmd.ProcessState.UserTime(), sys: cmd.ProcessState.SystemTime()}
	if ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage); ru != nil {
		m.rss = float64(ru.Maxrss) / 1024 // Linux reports KiB
	}
	return m
}

// writeHugoSite writes a Hugo project whose content folder is src, with a
// bare theme of three templates (home, list, single): the anchor the build
// is measured against.
func writeHugoSite(b *testing.B, dir, src string) {
	b.Helper()
	files := map[string]string{
		"hugo.toml":                    fmt.Sprintf("baseURL = 'https://duowei.example.com/'\nlanguageCode = 'zh-Hans'\ntitle = '多维世界'\ncontentDir = %q\ndisableKinds = ['RSS']\n[taxonomies]\n  tag = 'tags'\n", src),
		"layouts/index.html":           `<!doctype html><html lang="zh-Hans"><title>{{ .Site.Title }}</title><ul>{{ range first 30 .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></html>`,
		"layouts/_default/list.html":   `<!doctype html><html lang="zh-Hans"><title>{{ .Title }}</title><ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul></html>`,
		"layouts/_default/single.html": `<!doctype html><html lang="zh-Hans"><title>{{ .Title }}</title><article><p>{{ .Params.kicker }}</p><h1>{{ .Title }}</h1>{{ .Content }}<p>{{ .Params.credit }} 供稿</p>{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">{{ . }}</a>{{ end }}</article></html>`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
