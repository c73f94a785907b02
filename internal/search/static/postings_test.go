package static

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// TestRunsMergeRoundTrip checks that postings added to an entry, written
// out as runs (in memory or in a file) with a later worker's entry of the
// same gram, merge back as they went in, through the reader's decoder,
// with gaps over one byte and every impact.
func TestRunsMergeRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		ids1, ids2 []int32
	}{
		{"one story", []int32{0}, nil},
		{"close stories", []int32{3, 4, 5}, nil},
		{"long gaps", []int32{1, 200, 70000}, nil},
		{"merged", []int32{2, 9}, []int32{130, 131, 100000}},
		{"merged from the start", []int32{0}, []int32{1}},
		{"one story merged with many", []int32{7}, []int32{8, 300, 301}},
		{"many merged with one story", []int32{7, 8, 9}, []int32{300}},
		{"one story merged with one", []int32{70000}, []int32{70001}},
		{"blocks outgrown", seq(0, 3, 500), seq(2000, 7, 3000)},
		{"blocks in chunks of their own, outgrown", seq(0, 1, 300000), seq(400000, 1, 10)},
	}
	for _, tc := range tests {
		for _, inFile := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/file=%v", tc.name, inFile), func(t *testing.T) {
				const gram = "社区"
				var imps []uint8
				var runs []*run
				for r, ids := range [][]int32{tc.ids1, tc.ids2} {
					if len(ids) == 0 {
						continue
					}
					tb := newPostTable()
					tb.add(tb.entry(1, "别的"), ids[0], 9) // another gram, in another partition or not
					e := tb.entry(0, gram)
					for k, i := range ids {
						imp := uint8(100*r + k + 1)
						tb.add(e, i, imp)
						imps = append(imps, imp)
					}
					runs = append(runs, makeRun(t, tb, inFile))
				}
				want := append(slices.Clone(tc.ids1), tc.ids2...)
				m := newMerger(runs)
				found := 0
				if err := m.part(int(fnv1a32(gram)%parts), func(same []*cursor) error {
					if string(same[0].appendGram(nil)) != gram || same[0].field != 0 {
						return nil
					}
					found++
					if len(same) != len(runs) {
						t.Errorf("%d runs of %q merged, want %d", len(same), gram, len(runs))
					}
					n, size := mergedLen(same)
					payload, _, err := appendMerged([]byte("前缀"), nil, same)
					if err != nil {
						t.Fatal(err)
					}
					if string(payload[:len("前缀")]) != "前缀" {
						t.Fatalf("appendMerged overwrote what was there: %q", payload)
					}
					payload = payload[len("前缀"):]
					if n != len(want) || size != len(payload) {
						t.Errorf("mergedLen = %d, %d; want %d, %d", n, size, len(want), len(payload))
					}
					ids, got, err := decodePostings(payload, n)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(ids, want) || !slices.Equal(got, imps) {
						t.Errorf("got %v %v, want %v %v", ids, got, want, imps)
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if found != 1 {
					t.Errorf("%q merged %d times, want once", gram, found)
				}
			})
		}
	}
}

// makeRun returns the run of tb, in memory or in a file.
func makeRun(t *testing.T, tb *postTable, inFile bool) *run {
	t.Helper()
	w := &runWriter{dir: t.TempDir()}
	t.Cleanup(w.close)
	if inFile { // another run before it, so that it starts past 0
		if _, err := newPostTable().writeRun(w, &runScratch{}, true); err != nil {
			t.Fatal(err)
		}
		w.buf = append(w.buf, "前面的"...)
		if err := w.flush(); err != nil {
			t.Fatal(err)
		}
	}
	r, err := tb.writeRun(w, &runScratch{}, inFile)
	if err != nil {
		t.Fatal(err)
	}
	if inFile != (r.f != nil) {
		t.Fatalf("run in a file: %v, want %v", r.f != nil, inFile)
	}
	return r
}

// TestRunOrder checks that a run's partitions hold every entry once, by
// gram (as text) and then field, grams kept as keys and as text alike,
// and that a reset table starts empty and makes the same run again.
func TestRunOrder(t *testing.T) {
	grams := []string{"社", "社区", "社区食", "社会", "区", "区社", "食堂", "2025", "a社", "社a", "é", "ée", "四个字符", "\uFFFD", "\xff", "\xfe", "一", "一二", "一二三", "丁"}
	tb := newPostTable()
	fill := func() {
		for f := range 3 {
			for k, g := range grams {
				tb.add(tb.entry(2-f, g), int32(k), uint8(f+1))
			}
		}
	}
	fill()
	first := makeRun(t, tb, false)
	full := tb.bytes()
	tb.reset()
	if tb.n != 0 || tb.find(0, "社区") != nil {
		t.Fatal("a reset table still has entries")
	}
	// What reset keeps for reuse does not count toward the run budget, or
	// every story after the first run would make a run of its own.
	if got := tb.bytes(); full == 0 || got != 0 {
		t.Fatalf("bytes() = %d before reset, %d after; want more than 0, then 0", full, got)
	}
	fill()
	second := makeRun(t, tb, false)
	if !bytes.Equal(first.data, second.data) || !slices.Equal(first.bounds, second.bounds) {
		t.Fatal("a reset table made another run")
	}
	seen := 0
	m := newMerger([]*run{first})
	for p := range parts {
		var prev *cursor
		if err := m.part(p, func(same []*cursor) error {
			c := *same[0]
			seen++
			g := c.appendGram(nil)
			if int(fnv1a32(g)%parts) != p || c.gramLen() != len(g) {
				t.Errorf("%q (length %d) in partition %d", g, c.gramLen(), p)
			}
			if prev != nil && !prev.less(&c) {
				t.Errorf("%q/%d after %q/%d", g, c.field, prev.appendGram(nil), prev.field)
			}
			prev = &c
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if seen != 3*len(grams) {
		t.Errorf("%d entries merged, want %d", seen, 3*len(grams))
	}
}

// TestIndexIgnoresRuns checks that the index is the same file for file
// whether each story is a run of its own, written to a temporary file, or
// all are one run in memory.
func TestIndexIgnoresRuns(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	want, err := Build(docs, Options{Title: "多维世界"})
	if err != nil {
		t.Fatal(err)
	}
	defer func(b int) { runBudget = b }(runBudget)
	runBudget = 1
	got, err := Build(docs, Options{Title: "多维世界"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d files, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Name != want[i].Name || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("file %s differs from %s", got[i].Name, want[i].Name)
		}
	}
}

// TestPostTableKeys checks that grams keyed by their runes and grams
// keyed by their text are told apart by gram and by field.
func TestPostTableKeys(t *testing.T) {
	grams := []string{"社区", "社区食", "区", "食堂", "2025", "a社", "社a", "é", "ée", "四个字符", "\uFFFD", "\xff", "\xfe"}
	tb := newPostTable()
	for f := range 3 {
		for k, g := range grams {
			tb.add(tb.entry(f, g), int32(k), uint8(f+1))
		}
	}
	if tb.n != 3*len(grams) {
		t.Fatalf("%d entries, want %d", tb.n, 3*len(grams))
	}
	for f := range 3 {
		for k, g := range grams {
			e := tb.find(f, g)
			if e == nil || tb.gram(e) != g || int(e.field) != f || e.last != int32(k) || e.n != 1 {
				t.Errorf("find(%d, %q) = %+v", f, g, e)
			}
			if e == nil {
				continue
			}
			if got := string(tb.appendGram([]byte("前"), e)); got != "前"+g {
				t.Errorf("gram %q appended as %q", g, got)
			}
		}
	}
	if tb.find(0, "社区堂") != nil || tb.find(3, "社区") != nil {
		t.Error("found an entry never made")
	}
	packed := []string{"社区食", "é", "éé", "一", "一二", "一二三", "一三", "丁", "区", "区社", "社", "社区", "\U0010FFFF"}
	slices.Sort(packed) // as text
	for i, g := range packed {
		k, ok := gramKey(g)
		if !ok {
			t.Errorf("gramKey(%q) is not packed", g)
		}
		if i > 0 {
			if prev, _ := gramKey(packed[i-1]); prev >= k {
				t.Errorf("gramKey(%q) ≥ gramKey(%q): keys do not order as text", packed[i-1], g)
			}
		}
	}
	for _, g := range []string{"", "ab", "社a", "四个字符", "\xff", "\uFFFD"} {
		if _, ok := gramKey(g); ok {
			t.Errorf("gramKey(%q) is packed", g)
		}
	}
}

// appendGram appends the gram of e to b.
func (t *postTable) appendGram(b []byte, e *postEntry) []byte {
	return appendKeyed(b, e.key, t.text(e.key))
}

// gram returns the gram of e.
func (t *postTable) gram(e *postEntry) string { return string(t.appendGram(nil, e)) }

// find returns the entry of gram in field, or nil.
func (t *postTable) find(field int, gram string) *postEntry {
	key, _ := gramKey(gram)
	return t.get(field, key, gram, false)
}

// seq returns n story numbers from first, step apart.
func seq(first, step, n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(first + i*step)
	}
	return out
}

// TestKeyIndexGrows checks that every gram is found again, and no other,
// after the index of a field has grown many times.
func TestKeyIndexGrows(t *testing.T) {
	tb := newPostTable()
	const n = 100000
	gram := func(i int) string { return string([]rune{rune(0x4E00 + i%2000), rune(0x4E00 + i/2000)}) }
	for i := range n {
		tb.add(tb.entry(1, gram(i)), int32(i), 1)
	}
	if tb.n != n || tb.byKey[1].n != n {
		t.Fatalf("%d entries, %d in the index; want %d", tb.n, tb.byKey[1].n, n)
	}
	for i := range n {
		if e := tb.find(1, gram(i)); e == nil || e.last != int32(i) {
			t.Fatalf("find(%q) = %+v", gram(i), e)
		}
	}
	for i := n; i < n+1000; i++ {
		if e := tb.find(1, gram(i)); e != nil {
			t.Fatalf("find(%q) found %+v", gram(i), e)
		}
	}
	if e := tb.find(0, gram(5)); e != nil {
		t.Fatalf("found a gram of field 1 in field 0: %+v", e)
	}
}

// TestWriteHostileBodies writes an index of stories at the body cap in
// shapes that stress the postings tables (every gram new, one gram over
// and over, only word grams, path-like words) and finds each by a gram of
// its body: the tables and the arena take them in time linear in the
// text.
func TestWriteHostileBodies(t *testing.T) {
	const size = 200 << 10 // content.MaxBodyBytes
	var distinct strings.Builder
	for i := 0; distinct.Len() < size; i++ {
		distinct.WriteRune(rune(0x4E00 + i*7919%20000)) // 20,000 characters in a scrambled order
	}
	d := time.Date(2025, 5, 22, 0, 0, 0, 0, time.UTC)
	docs := []search.Doc{
		{ID: "distinct", Title: "每个字都不同", Date: d, Body: distinct.String()},
		{ID: "repeated", Title: "一个字重复", Date: d, Body: strings.Repeat("堵", size/3)},
		{ID: "words", Title: "只有英文", Date: d, Body: strings.Repeat("pipe blocked again ", size/19)},
		{ID: "paths", Title: "像路径", Date: d, Body: strings.Repeat("../../etc/passwd %2e%2e/ ", size/25)},
	}
	for i := range docs {
		docs[i] = docs[i].Normalized()
	}
	// Once in memory, once with every story a run of its own in a file.
	defer func(b int) { runBudget = b }(runBudget)
	for _, budget := range []int{runBudget, 1} {
		runBudget = budget
		done := make(chan *Index, 1)
		go func() {
			_, s := mustWriteStatic(t, docs)
			done <- s
		}()
		var s *Index
		select {
		case s = <-done:
		case <-time.After(60 * time.Second): // a backstop against a hang, not a speed target
			t.Fatalf("budget %d: the index of four capped bodies was not written in 60 s", budget)
		}
		for _, c := range []struct{ query, id string }{
			{string([]rune(distinct.String())[5000:5002]), "distinct"},
			{"堵堵", "repeated"},
			{"blocked", "words"},
			{"passwd", "paths"},
		} {
			r, err := s.Search(search.Query{Text: c.query})
			if err != nil {
				t.Fatalf("budget %d, %q: %v", budget, c.query, err)
			}
			if r.Total != 1 || len(r.Hits) != 1 || r.Hits[0].ID != c.id {
				t.Errorf("budget %d, %q: %d hits, want %s alone", budget, c.query, r.Total, c.id)
			}
		}
	}
}

// TestFailedBuildLeavesNoTemporaryFiles checks that a build whose runs go
// to temporary files removes them when it fails part way (here, when the
// second shard cannot be written) as when it succeeds, and that a failed
// Write leaves the index it was to replace as it was. (How many shards the
// other CPUs write before they see the failure depends on the scheduler,
// so it is not checked.)
func TestFailedBuildLeavesNoTemporaryFiles(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	defer func(b int) { runBudget = b }(runBudget)
	runBudget = 1 // every story a run, in a file
	errFull := errors.New("磁盘已满")
	for _, fail := range []bool{false, true} {
		tmp := t.TempDir()
		var mu sync.Mutex // shards are written from every CPU
		shards := 0
		err := build(context.Background(), docs, nil, Options{bucketBytes: 64}, tmp, func(f File) error {
			mu.Lock()
			defer mu.Unlock()
			if strings.HasPrefix(f.Name, "s/") {
				if shards++; fail && shards == 2 {
					return errFull
				}
			}
			return nil
		})
		if fail != errors.Is(err, errFull) {
			t.Errorf("fail=%v: build returned %v", fail, err)
		}
		if names, _ := os.ReadDir(tmp); len(names) != 0 {
			t.Errorf("fail=%v: left %d temporary files, the first %s", fail, len(names), names[0].Name())
		}
	}

	// A Write that fails (its records cannot be encoded) leaves the old
	// index, and no temporary folder beside it.
	parent := t.TempDir()
	dir := filepath.Join(parent, "search")
	if err := Write(dir, docs, Options{}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(docs)
	bad[len(bad)/2].ID = bad[0].ID
	if err := Write(dir, bad, Options{}); err == nil {
		t.Fatal("Write of two stories with one ID succeeded")
	}
	after, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("a failed Write changed meta.json (%v)", err)
	}
	if names, _ := os.ReadDir(parent); len(names) != 1 {
		t.Errorf("a failed Write left %d entries beside the index, want 1", len(names))
	}
}
