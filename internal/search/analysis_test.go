package search

import (
	"html/template"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestIsPlainEveryRune checks isPlain's fast path for common ideographs
// against the rule it shortcuts, on every rune.
func TestIsPlainEveryRune(t *testing.T) {
	t.Parallel()
	rule := func(r rune) bool {
		return r < 0x80 || keepPunct(r) ||
			unicode.Is(unicode.Han, r) && (r < 0xF900 || r > 0xFAFF) && r < 0x2F800
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // not encodable in UTF-8
		}
		if got, want := isPlain(string(r)), rule(r); got != want {
			t.Fatalf("isPlain(%U) = %v, want %v", r, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"１２３４５热线", "12345热线"},
		{"ＡＢ角协作", "AB角协作"},
		{"长征镇，供稿。", "长征镇，供稿。"},
		{"（网格）“多格合一”——好……", "（网格）“多格合一”——好……"},
		{"①号楼", "1号楼"},
		{"甲\u3000乙", "甲 乙"},
		{"ｶﾀｶﾅ", "カタカナ"},
		{"plain ascii", "plain ascii"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGrams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		g1, g2, g3 []string
	}{
		{"12345热线", []string{"12345", "热", "线"}, []string{"12345热", "热线"}, []string{"12345热线"}},
		{"长征镇", []string{"长", "征", "镇"}, []string{"长征", "征镇"}, []string{"长征镇"}},
		{"镇。AB", []string{"镇", "ab"}, []string{"镇", "ab"}, nil},
		{"拨打021-123", []string{"拨", "打", "021", "123"}, []string{"拨打", "打021", "123"}, []string{"拨打021"}},
	}
	for _, tt := range tests {
		for n, want := range [][]string{tt.g1, tt.g2, tt.g3} {
			if got := grams(Normalize(tt.in), n+1); !reflect.DeepEqual(got, want) {
				t.Errorf("grams(%q, %d) = %q, want %q", tt.in, n+1, got, want)
			}
		}
	}
}

// TestHighlightOffsets: marks land on the right characters in mixed
// Chinese, Latin and digits, including astral characters.
func TestHighlightOffsets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, query string
		want        template.HTML
	}{
		{"拨打12345热线反映", "12345热线", "拨打<mark>12345热线</mark>反映"},
		{"拨打１２３４５热线", "12345", "拨打<mark>12345</mark>热线"},
		{"实行AB角协作，ab都行", "ab", "实行<mark>AB</mark>角协作，<mark>ab</mark>都行"},
		{"号码123456不算，123算", "123", "号码123456不算，<mark>123</mark>算"},
		{"𠮷野家在长征镇", "长征镇", "𠮷野家在<mark>长征镇</mark>"},
		{"长征镇长征镇", "长征镇", "<mark>长征镇长征镇</mark>"},
		{"红军长征，征镇一带", "长征镇", "红军<mark>长征</mark>，<mark>征镇</mark>一带"},
		{"a<b & \"c\"镇", "镇", "a&lt;b &amp; &#34;c&#34;<mark>镇</mark>"},
	}
	for _, tt := range tests {
		p := planQuery(tt.query, false)
		if got := snippet(Normalize(tt.body), p.Needles, p.Backup); got != tt.want {
			t.Errorf("snippet(%q, %q) = %s, want %s", tt.body, tt.query, got, tt.want)
		}
	}
}

func TestSnippetLength(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("社区治理工作持续推进，", 30) + "长征镇" + strings.Repeat("居民生活更加便利。", 30)
	p := planQuery("长征镇", false)
	s := string(snippet(body, p.Needles, p.Backup))
	plain := strings.NewReplacer("<mark>", "", "</mark>", "", "…", "").Replace(s)
	if n := utf8.RuneCountInString(plain); n < 80 || n > 100 {
		t.Errorf("snippet has %d characters: %s", n, s)
	}
	if !strings.Contains(s, "<mark>长征镇</mark>") || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
		t.Errorf("snippet %s", s)
	}
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []queryRun
	}{
		{"长征镇 多格合一", []queryRun{{[]string{"长", "征", "镇"}, false}, {[]string{"多", "格", "合", "一"}, false}}},
		{"\"长征镇\"", []queryRun{{[]string{"长", "征", "镇"}, true}}},
		{"“多格合一”12345", []queryRun{{[]string{"多", "格", "合", "一"}, true}, {[]string{"12345"}, false}}},
		{"「佘山", []queryRun{{[]string{"佘", "山"}, true}}},
		{"，。", nil},
	}
	for _, tt := range tests {
		if got := parseQuery(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseQuery(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzAnalysis: Normalize is idempotent, units cover valid rune offsets
// in order, and planning and highlighting never panic.
func FuzzAnalysis(f *testing.F) {
	for _, s := range []string{"长征镇", "１２３４５热线", "\"多格合一\" 12345", "“佘山", "a\u0301b", "𠮷", "\xff镇", "ｶﾀ", "①②"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("Normalize not idempotent on %q: %q then %q", s, n, Normalize(n))
		}
		us := units(n)
		total := utf8.RuneCountInString(n)
		last := 0
		for _, u := range us {
			if u.Start < last || u.End <= u.Start || u.End > total {
				t.Fatalf("bad unit %+v in %q", u, n)
			}
			last = u.End
		}
		for _, relaxed := range []bool{false, true} {
			p := planQuery(s, relaxed)
			_ = snippet(n, p.Needles, p.Backup)
			_ = highlightTitle(n, p.Needles, p.Backup)
		}
	})
}

// TestPinyinNeedles: a pinyin word marks exactly the Han runs whose
// indexed readings (full pinyin or initials) spell it.
func TestPinyinNeedles(t *testing.T) {
	t.Parallel()
	d := Doc{Title: "重温長征精神", Credit: "长征镇", Tags: []string{"社区治理"}}
	rs := PinyinReadings(d)
	if got := rs["长"]; !reflect.DeepEqual(got, []string{"zhang", "chang"}) && !reflect.DeepEqual(got, []string{"chang", "zhang"}) {
		t.Errorf("readings of 长: %v", got)
	}
	tests := []struct {
		words []string
		want  [][]string
	}{
		{[]string{"changzheng"}, [][]string{{"长", "征"}}},
		{[]string{"czz"}, [][]string{{"长", "征", "镇"}}},
		{[]string{"zhangzhengzhen"}, [][]string{{"长", "征", "镇"}}},
		{[]string{"sqzl", "jingshen"}, [][]string{{"精", "神"}, {"社", "区", "治", "理"}}},
		{[]string{"changzhen"}, nil},
		{[]string{"cz"}, [][]string{{"长", "征"}}},
	}
	for _, tt := range tests {
		if got := pinyinNeedles(d, tt.words, rs); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("pinyinNeedles(%v) = %v, want %v", tt.words, got, tt.want)
		}
	}
}
