package content

import (
	"strings"
	"sync"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// maxSlugLen bounds derived slugs; they are cut at a hyphen.
const maxSlugLen = 64

// ValidSlug reports whether s is a usable slug: lower-case ASCII letters,
// digits and single inner hyphens.
func ValidSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Fallback = func(r rune, a pinyin.Args) []string { return nil }
	return a
}()

// readings caches the toneless reading of each Han character: go-pinyin
// runs regular expressions for every call, which dominated slug and
// heading-id time in large builds.
var readings sync.Map // rune → string

// readingOf returns the first toneless pinyin reading of r, or "".
func readingOf(r rune) string {
	if v, ok := readings.Load(r); ok {
		return v.(string)
	}
	py := ""
	if list := pinyin.SinglePinyin(r, pinyinArgs); len(list) > 0 {
		py = list[0]
	}
	readings.Store(r, py)
	return py
}

// Slugify derives a readable ASCII slug from Chinese (or any) text: Han
// characters become toneless pinyin syllables, Latin letters and digits are
// kept, everything else separates words. The result is at most 64 bytes,
// cut at a hyphen, and the same for the same text in every build.
func Slugify(text string) string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	runes := []rune(text)
	for i, r := range runes {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			if py := readingInPhrase(runes, i); py != "" {
				words = append(words, py)
			} else if py := readingOf(r); py != "" {
				words = append(words, py)
			}
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			cur.WriteRune(unicode.ToLower(r))
		case r >= 0xFF10 && r <= 0xFF19: // full-width digits
			cur.WriteRune(r - 0xFF10 + '0')
		case r >= 0xFF21 && r <= 0xFF3A:
			cur.WriteRune(r - 0xFF21 + 'a')
		case r >= 0xFF41 && r <= 0xFF5A:
			cur.WriteRune(r - 0xFF41 + 'a')
		default:
			flush()
		}
	}
	flush()
	var b strings.Builder
	for _, w := range words {
		if b.Len() > 0 && b.Len()+1+len(w) > maxSlugLen {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		if len(w) > maxSlugLen {
			w = w[:maxSlugLen]
		}
		b.WriteString(w)
	}
	return b.String()
}

// phraseReadings fixes the reading of polyphonic characters in words common
// in district news, where the single-character dictionary's first reading
// is wrong (长征镇 is changzheng, not zhangzheng). Keys are two-character
// words; the value is the reading of each character.
var phraseReadings = map[string][2]string{
	"长征": {"chang", "zheng"}, "长宁": {"chang", "ning"}, "长江": {"chang", "jiang"},
	"长效": {"chang", "xiao"}, "长期": {"chang", "qi"}, "长治": {"chang", "zhi"},
	"长久": {"chang", "jiu"}, "长者": {"zhang", "zhe"}, "行政": {"xing", "zheng"},
	"银行": {"yin", "hang"}, "行业": {"hang", "ye"}, "重庆": {"chong", "qing"},
	"重阳": {"chong", "yang"}, "调解": {"tiao", "jie"}, "调处": {"tiao", "chu"},
	"协调": {"xie", "tiao"}, "音乐": {"yin", "yue"}, "乐团": {"yue", "tuan"},
	"便民": {"bian", "min"}, "曲阳": {"qu", "yang"}, "还是": {"hai", "shi"},
	"都市": {"du", "shi"}, "首都": {"shou", "du"}, "传统": {"chuan", "tong"},
	"朝阳": {"chao", "yang"}, "单位": {"dan", "wei"}, "发展": {"fa", "zhan"},
	"头发": {"tou", "fa"}, "供稿": {"gong", "gao"}, "提供": {"ti", "gong"},
	"处置": {"chu", "zhi"}, "处理": {"chu", "li"}, "为民": {"wei", "min"},
	"为了": {"wei", "le"}, "觉得": {"jue", "de"}, "睡觉": {"shui", "jiao"},
	"数据": {"shu", "ju"}, "会计": {"kuai", "ji"}, "佘山": {"she", "shan"},
	"莘庄": {"xin", "zhuang"}, "七宝": {"qi", "bao"}, "泗泾": {"si", "jing"},
}

// readingInPhrase returns the reading of runes[i] when it starts or ends a
// word of phraseReadings, or "".
func readingInPhrase(runes []rune, i int) string {
	if i+1 < len(runes) {
		if r, ok := phraseReadings[string(runes[i:i+2])]; ok {
			return r[0]
		}
	}
	if i > 0 {
		if r, ok := phraseReadings[string(runes[i-1:i+1])]; ok {
			return r[1]
		}
	}
	return ""
}
