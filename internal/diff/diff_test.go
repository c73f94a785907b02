package diff

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRunes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want []Edit
	}{
		{"both empty", "", "", nil},
		{"equal", "长征镇", "长征镇", []Edit{{Equal, "长征镇"}}},
		{"insert all", "", "多维世界", []Edit{{Insert, "多维世界"}}},
		{"delete all", "多维世界", "", []Edit{{Delete, "多维世界"}}},
		{"one character replaced", "长征镇召开会议", "长征镇举行会议",
			[]Edit{{Equal, "长征镇"}, {Delete, "召开"}, {Insert, "举行"}, {Equal, "会议"}}},
		{"punctuation fixed", "今天,天气好", "今天，天气好",
			[]Edit{{Equal, "今天"}, {Delete, ","}, {Insert, "，"}, {Equal, "天气好"}}},
		{"insertion in the middle", "普陀区企业获奖", "普陀区三家企业获奖",
			[]Edit{{Equal, "普陀区"}, {Insert, "三家"}, {Equal, "企业获奖"}}},
		{"deletion at the end", "质量月活动圆满结束。。", "质量月活动圆满结束。",
			[]Edit{{Equal, "质量月活动圆满结束。"}, {Delete, "。"}}},
		{"mixed scripts", "GB/T 19001标准", "GB/T 19001—2016标准",
			[]Edit{{Equal, "GB/T 19001"}, {Insert, "—2016"}, {Equal, "标准"}}},
		{"nothing in common", "甲乙", "丙丁", []Edit{{Delete, "甲乙"}, {Insert, "丙丁"}}},
		{"two regions", "上海市普陀区长征镇", "上海普陀区长征镇人民政府",
			[]Edit{{Equal, "上海"}, {Delete, "市"}, {Equal, "普陀区长征镇"}, {Insert, "人民政府"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Runes(tt.a, tt.b)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Runes(%q, %q)\n got %q\nwant %q", tt.a, tt.b, got, tt.want)
			}
			checkEdits(t, tt.a, tt.b, got)
		})
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	del, ins := Count(Runes("长征镇召开会议", "长征镇举行了会议"))
	if del != 2 || ins != 3 {
		t.Errorf("Count = %d, %d; want 2, 3", del, ins)
	}
}

func TestApplyMismatch(t *testing.T) {
	t.Parallel()
	edits := Runes("长征镇", "真如镇")
	if _, err := Apply("桃浦镇", edits); err == nil {
		t.Fatal("Apply to the wrong text: no error")
	}
	if _, err := Apply("长征镇镇", edits); err == nil {
		t.Fatal("Apply with text left over: no error")
	}
}

// TestMinimal compares the number of changed characters with the edit
// distance computed by dynamic programming over the longest common
// subsequence.
func TestMinimal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("长征镇真如多维世界，。的")
	gen := func() string {
		n := r.IntN(30)
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(rs)
	}
	for i := 0; i < 2000; i++ {
		a, b := gen(), gen()
		edits := Runes(a, b)
		checkEdits(t, a, b, edits)
		del, ins := Count(edits)
		want := utf8.RuneCountInString(a) + utf8.RuneCountInString(b) - 2*lcs([]rune(a), []rune(b))
		if del+ins != want {
			t.Fatalf("Runes(%q, %q) changes %d characters, minimum is %d: %q", a, b, del+ins, want, edits)
		}
	}
}

func lcs(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkEdits asserts the package guarantees for edits from a to b.
func checkEdits(t *testing.T, a, b string, edits []Edit) {
	t.Helper()
	got, err := Apply(a, edits)
	if err != nil {
		t.Fatalf("Apply(%q, Runes(%q, %q)): %v", a, a, b, err)
	}
	if got != b {
		t.Fatalf("Apply(%q, Runes(…)) = %q, want %q", a, got, b)
	}
	if Old(edits) != a || New(edits) != b {
		t.Fatalf("Old/New = %q/%q, want %q/%q", Old(edits), New(edits), a, b)
	}
	for i, e := range edits {
		if e.Text == "" {
			t.Fatalf("edit %d is empty: %q", i, edits)
		}
		if i > 0 && edits[i-1].Op == e.Op {
			t.Fatalf("edits %d and %d share an operation: %q", i-1, i, edits)
		}
		if i > 0 && edits[i-1].Op == Insert && e.Op == Delete {
			t.Fatalf("insertion before deletion at %d: %q", i, edits)
		}
	}
}

func FuzzRunes(f *testing.F) {
	seeds := [][2]string{
		{"", ""},
		{"长征镇召开会议", "长征镇举行会议"},
		{"今天,天气好", "今天，天气好"},
		{"abcabba", "cbabac"},
		{"多维世界\n第二段", "多维世界\n\n第二段，补充"},
		{"荣誉榜：上海某某有限公司", "荣誉榜: 上海某某股份有限公司"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		// Invalid UTF-8 compares as U+FFFD by design; make the inputs what
		// the diff sees.
		a = strings.ToValidUTF8(a, "\uFFFD")
		b = strings.ToValidUTF8(b, "\uFFFD")
		checkEdits(t, a, b, Runes(a, b))
	})
}

func BenchmarkRunes(b *testing.B) {
	base := strings.Repeat("长征镇开展质量月活动，企业代表参加会议并交流经验。", 80) // ~2,000 characters
	rs := []rune(base)
	for i := 0; i < len(rs); i += 37 {
		rs[i] = '改'
	}
	changed := string(rs)
	b.ReportAllocs()
	for b.Loop() {
		Runes(base, changed)
	}
}
