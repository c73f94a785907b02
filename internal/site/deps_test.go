package site

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/benchutil"
	"github.com/banmian/banmian/internal/content"
)

// planBoth plans the content of b's source twice, with the plan b's last
// build recorded (deltaPlan) and from scratch, and returns both with
// whether the first took any fingerprint from the record.
func planBoth(t *testing.T, b *Builder) (delta, full []*page, reused bool) {
	t.Helper()
	c, err := content.Load(b.opt.Source, content.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.loadTheme(c.Site.Theme); err != nil {
		t.Fatal(err)
	}
	plan := func(withDeps bool) []*page {
		m := assemble(c)
		chrome, err := b.renderChrome(m)
		if err != nil {
			t.Fatal(err)
		}
		global := b.globalHash(c)
		var reuse map[string]*depPage
		if withDeps {
			reuse = b.deps.deltaPlan(planContext(global, chrome, c), depStories(m))
			reused = reuse != nil
		}
		return b.plan(m, c, chrome, global, reuse)
	}
	return plan(true), plan(false), reused
}

// samePlans fails unless two plans list the same pages with the same
// fingerprints and the same stories.
func samePlans(t *testing.T, what string, a, b []*page) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d pages against %d", what, len(a), len(b))
	}
	for i := range a {
		if a[i].path != b[i].path || a[i].fp != b[i].fp || !slices.Equal(a[i].reach(), b[i].reach()) {
			t.Errorf("%s: page %s: fingerprint %x, stories %v; planned afresh %s: %x, %v",
				what, a[i].path, a[i].fp, a[i].reach(), b[i].path, b[i].fp, b[i].reach())
		}
	}
}

// TestDeltaPlanMatchesFullPlan: after changes to story bodies only, a
// plan that takes the recorded fingerprints of the pages reaching no
// changed story equals a plan that fingerprints every page; after any
// other change it takes none.
func TestDeltaPlanMatchesFullPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	const n = 240
	if err := benchutil.GenSite(src, n, 300); err != nil {
		t.Fatal(err)
	}
	b := New(Options{Source: os.DirFS(src), OutDir: out})
	build := func() {
		t.Helper()
		if _, err := b.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	build()
	edit := func(i int, from, to string) {
		t.Helper()
		p := benchutil.StoryFile(src, i)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), from) {
			t.Fatalf("story %d has no %q", i, from)
		}
		// A new modification time, for the content cache.
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), from, to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Duration(rand.IntN(1000)+1) * time.Second)
		os.Chtimes(p, later, later)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 6 {
		// Bodies of a few stories, the newest among them (on the
		// home page and in the feed) in some rounds.
		for k := range 1 + round%3 {
			i := rng.IntN(n)
			if k == 0 && round%2 == 0 {
				i = n - 1
			}
			edit(i, "## 第1部分：", fmt.Sprintf("第%d轮修改。\n\n## 第1部分：", round))
		}
		delta, full, reused := planBoth(t, b)
		if !reused {
			t.Fatalf("round %d: bodies changed, and the plan took no recorded fingerprint", round)
		}
		samePlans(t, fmt.Sprintf("round %d", round), delta, full)
		build()
	}
	for _, c := range []struct {
		name string
		do   func()
	}{
		{"title", func() { edit(7, "推进社区治理第7篇", "推进社区治理第七篇") }},
		{"date", func() { edit(9, "date: 2016-01-04", "date: 2016-01-05") }},
		{"tags", func() { edit(11, "tags: [", "tags: [新标签, ") }},
		{"edition", func() {
			p := filepath.Join(src, "editions", "2016-01-02.yaml")
			data, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(data), "page: 14", "page: 15", 1)), 0o644)
		}},
		{"story added", func() {
			os.WriteFile(filepath.Join(src, "stories", "added.md"), []byte("---\ntitle: 新加的稿件\nslug: added\ncredit: 长征镇\ndate: 2016-02-01\n---\n新的一篇。\n"), 0o644)
		}},
		{"story removed", func() { os.Remove(filepath.Join(src, "stories", "added.md")) }},
		{"site", func() {
			p := filepath.Join(src, "site.yaml")
			data, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(data), "郭爽", "郭爽爽", 1)), 0o644)
		}},
	} {
		c.do()
		delta, full, reused := planBoth(t, b)
		if reused {
			t.Errorf("%s changed, and the plan took recorded fingerprints", c.name)
		}
		samePlans(t, c.name, delta, full)
		build()
	}
}

// TestBuildDepsRoundTrip: the manifest reads back as written, and a
// damaged or foreign one is refused whole.
func TestBuildDepsRoundTrip(t *testing.T) {
	t.Parallel()
	d := &buildDeps{context: 7, storiesFP: 9,
		stories: []depStory{{"stories/a.md", 1, 2}, {"stories/长征.md", 3, 4}},
		pages:   []depPage{{"index.html", 5, []int32{0, 1}}, {"stories/a/index.html", 6, []int32{1}}, {"robots.txt", 8, nil}}}
	data, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got buildDeps
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(*d) {
		t.Errorf("read back %+v, wrote %+v", got, *d)
	}
	for i := range len(data) - 1 {
		var x buildDeps
		if x.UnmarshalBinary(data[:i]) == nil {
			t.Errorf("a manifest cut to %d of %d bytes was read", i, len(data))
		}
	}
	bad := slices.Clone(data)
	bad[len(bad)-1] = 5 // a page's story beyond the story list
	var x buildDeps
	if x.UnmarshalBinary(bad) == nil && slices.ContainsFunc(x.pages, func(p depPage) bool { return slices.Contains(p.needs, 5) }) {
		t.Error("a manifest naming a story it does not list was read")
	}
}

// FuzzBuildDeps: any bytes are read without a panic, and what is read
// writes back the same.
func FuzzBuildDeps(f *testing.F) {
	d := &buildDeps{stories: []depStory{{"a", 1, 2}}, pages: []depPage{{"p", 3, []int32{0}}}}
	data, _ := d.MarshalBinary()
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		var d buildDeps
		if d.UnmarshalBinary(data) != nil {
			return
		}
		again, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var e buildDeps
		if err := e.UnmarshalBinary(again); err != nil || fmt.Sprint(d) != fmt.Sprint(e) {
			t.Fatalf("read %+v, wrote and read %+v (%v)", d, e, err)
		}
	})
}
