package static

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/search"
)

// TestPostEntryRoundTrip checks that postings added to an entry, joined
// from a second worker's entry, come back from the reader's decoder as
// they went in, with gaps over one byte and every impact.
func TestPostEntryRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		ids1, ids2 []int32
	}{
		{"one story", []int32{0}, nil},
		{"close stories", []int32{3, 4, 5}, nil},
		{"long gaps", []int32{1, 200, 70000}, nil},
		{"joined", []int32{2, 9}, []int32{130, 131, 100000}},
		{"joined from the start", []int32{0}, []int32{1}},
		{"one story joined to many", []int32{7}, []int32{8, 300, 301}},
		{"many joined to one story", []int32{7, 8, 9}, []int32{300}},
		{"one story joined to one", []int32{70000}, []int32{70001}},
		{"blocks outgrown", seq(0, 3, 500), seq(2000, 7, 3000)},
		{"blocks in chunks of their own, outgrown", seq(0, 1, 300000), seq(400000, 1, 10)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ta, tb := newPostTable(), newPostTable()
			a, b := ta.entry(0, "社区"), tb.entry(0, "社区")
			var imps []uint8
			for k, i := range tc.ids1 {
				ta.add(a, i, uint8(k+1))
				imps = append(imps, uint8(k+1))
			}
			for k, i := range tc.ids2 {
				tb.add(b, i, uint8(200+k))
				imps = append(imps, uint8(200+k))
			}
			if len(tc.ids2) > 0 {
				ta.join(a, tb, b)
			}
			want := append(slices.Clone(tc.ids1), tc.ids2...)
			payload := ta.appendPayload([]byte("前缀"), a)
			if string(payload[:len("前缀")]) != "前缀" {
				t.Fatalf("appendPayload overwrote what was there: %q", payload)
			}
			ids, got, err := decodePostings(payload[len("前缀"):], int(a.n))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, want) || !slices.Equal(got, imps) {
				t.Errorf("got %v %v, want %v %v", ids, got, want, imps)
			}
			if a.first != want[0] || a.last != want[len(want)-1] {
				t.Errorf("first, last = %d, %d; want %d, %d", a.first, a.last, want[0], want[len(want)-1])
			}
		})
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
			if e == nil || tb.gram(e) != g || int(e.field) != f || e.first != int32(k) || e.n != 1 {
				t.Errorf("find(%d, %q) = %+v", f, g, e)
			}
			if e == nil {
				continue
			}
			if got := string(tb.appendGram([]byte("前"), e)); got != "前"+g {
				t.Errorf("gram %q appended as %q", g, got)
			}
			// One posting, inline: gram length and gram, field, n, the
			// payload's length and kind, and the payload.
			want := uvarintLen(uint64(len(g))) + len(g) + 1 + 1 + 2 + uvarintLen(uint64(k)) + 1
			if size, head := tb.sizes(e); size != want || head != want {
				t.Errorf("sizes of %q = %d, %d; want %d", g, size, head, want)
			}
		}
	}
	if tb.find(0, "社区堂") != nil || tb.find(3, "社区") != nil {
		t.Error("found an entry never made")
	}
	for _, g := range []string{"社区", "区社", "é"} {
		if _, ok := gramKey(g); !ok {
			t.Errorf("gramKey(%q) is not packed", g)
		}
	}
	for _, g := range []string{"", "ab", "社a", "四个字符", "\xff", "\uFFFD"} {
		if _, ok := gramKey(g); ok {
			t.Errorf("gramKey(%q) is packed", g)
		}
	}
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
		if e := tb.find(1, gram(i)); e == nil || e.first != int32(i) {
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
	done := make(chan *Index, 1)
	go func() {
		_, s := mustWriteStatic(t, docs)
		done <- s
	}()
	var s *Index
	select {
	case s = <-done:
	case <-time.After(60 * time.Second): // a backstop against a hang, not a speed target
		t.Fatal("the index of four capped bodies was not written in 60 s")
	}
	for _, c := range []struct{ query, id string }{
		{string([]rune(distinct.String())[5000:5002]), "distinct"},
		{"堵堵", "repeated"},
		{"blocked", "words"},
		{"passwd", "paths"},
	} {
		r, err := s.Search(search.Query{Text: c.query})
		if err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		if r.Total != 1 || len(r.Hits) != 1 || r.Hits[0].ID != c.id {
			t.Errorf("%q: %d hits, want %s alone", c.query, r.Total, c.id)
		}
	}
}
