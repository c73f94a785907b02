package benchutil

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Sentences in house style, from the sample page, to make a large corpus.
var corpusSentences = strings.Split(`自党建引领“多格合一”试点工作启动以来，长征镇持续推动基层治理工作精准化、高效化、全面化，让“民生小事”化作“幸福大事”。
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
下一步，将持续推动党建引领工作走深走实，以“小网格”撬动服务民生“大格局”。`, "\n")

// Offices and Tags are the credits and tags generated stories draw from.
var (
	Offices = []string{"长征镇", "佘山镇", "曹杨新村街道", "真如镇街道", "甘泉路街道", "石泉路街道", "宜川路街道", "万里街道", "桃浦镇", "长风新村街道", "江宁路街道"}
	Tags    = []string{"社区治理", "网格", "12345热线", "为民服务", "垃圾分类", "老旧小区", "党建引领", "志愿服务", "文化活动", "平安建设"}
)

// GenSite writes a content folder of n stories of about chars Chinese
// characters each (nine paragraphs under two subheads), a credit and two
// tags, three stories per daily edition from 2016-01-01. Story i is
// stories/YYYY/story-NNNNN.md. It is deterministic.
//
// The text has the vocabulary of real text, which is what a search index
// pays for: nine sentences in ten are words drawn from a lexicon
// (lexicon), the tenth a sentence of the sample page. 10,000 stories of
// 2,000 characters hold about 5,700 distinct characters, 1.5 million
// distinct bigrams and 5.8 million trigrams, and DEFLATE to about half,
// as news text does. (Built of the sample sentences alone, they held 340
// bigrams, which no index notices.)
func GenSite(dir string, n, chars int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	if err := os.MkdirAll(filepath.Join(dir, "editions"), 0o755); err != nil {
		return err
	}
	cfg := "title: 多维世界\npaper: 新民晚报\nsection: 多维世界\nbaseURL: https://duowei.example.com/\nmasthead:\n  editor: 郭爽\n"
	if err := os.WriteFile(filepath.Join(dir, "site.yaml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	perPara := max(chars/9, 10)
	words := newLexicon(rng)
	var ed, body strings.Builder
	made := map[string]bool{}
	for i := 0; i < n; i++ {
		day := start.AddDate(0, 0, i/3)
		date := day.Format("2006-01-02")
		slug := fmt.Sprintf("story-%05d", i)
		body.Reset()
		target := 0
		for part := 0; part < 3; part++ {
			if part > 0 {
				fmt.Fprintf(&body, "## 第%d部分：%s\n\n", part, Offices[rng.IntN(len(Offices))])
			}
			for p := 0; p < 3; p++ {
				target += perPara * 3 // bytes: three per Han character
				for body.Len() < target {
					if rng.IntN(10) == 0 {
						body.WriteString(corpusSentences[rng.IntN(len(corpusSentences))])
					} else {
						words.sentence(&body, rng)
					}
				}
				body.WriteString("\n\n")
			}
		}
		credit := Offices[rng.IntN(len(Offices))]
		k := rng.IntN(len(Tags))
		t1, t2 := Tags[k], Tags[(k+1+rng.IntN(len(Tags)-1))%len(Tags)] // two different tags
		src := fmt.Sprintf("---\ntitle: %s推进社区治理第%d篇\nkicker: %s为“网格”赋能\ncredit: %s\ndate: %s\nslug: %s\ntags: [%s, %s]\n---\n%s",
			credit, i, credit, credit, date, slug, t1, t2, body.String())
		sub := filepath.Join(dir, "stories", day.Format("2006"))
		if !made[sub] {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
			made[sub] = true
		}
		if err := os.WriteFile(filepath.Join(sub, slug+".md"), []byte(src), 0o644); err != nil {
			return err
		}
		if i%3 == 0 {
			ed.Reset()
			fmt.Fprintf(&ed, "date: %s\npage: 14\nitems:\n", date)
		}
		fmt.Fprintf(&ed, "  - story: %s\n", slug)
		if i%3 == 2 || i == n-1 {
			if err := os.WriteFile(filepath.Join(dir, "editions", date+".yaml"), []byte(ed.String()), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// StoryFile is the path, under a folder made by GenSite, of story i.
func StoryFile(dir string, i int) string {
	day := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/3)
	return filepath.Join(dir, "stories", day.Format("2006"), fmt.Sprintf("story-%05d.md", i))
}

// lexicon is a synthetic Chinese vocabulary: 40,000 words of one to three
// characters drawn from 6,000 Han characters, both with Zipf frequencies
// (a few common, many rare), as in real text.
type lexicon struct {
	words []string
	zipf  *rand.Zipf
	punct []string
}

func newLexicon(rng *rand.Rand) *lexicon {
	perm := rng.Perm(0x9FA5 - 0x4E00 + 1)
	chars := make([]rune, 6000)
	for i := range chars {
		chars[i] = rune(0x4E00 + perm[i])
	}
	cz := rand.NewZipf(rng, 1.05, 20, uint64(len(chars)-1))
	l := &lexicon{words: make([]string, 40000), punct: []string{"，", "，", "，", "、", "；"}}
	var b strings.Builder
	for i := range l.words {
		n := 1 + rng.IntN(3)
		b.Reset()
		for range n {
			b.WriteRune(chars[cz.Uint64()])
		}
		l.words[i] = b.String()
	}
	l.zipf = rand.NewZipf(rng, 1.1, 5, uint64(len(l.words)-1))
	return l
}

// sentence writes a sentence of 12 to 40 characters to b, with inner
// punctuation, ending in 。.
func (l *lexicon) sentence(b *strings.Builder, rng *rand.Rand) {
	want, n := 12+rng.IntN(29), 0
	for n < want {
		if n > 0 && rng.IntN(7) == 0 {
			b.WriteString(l.punct[rng.IntN(len(l.punct))])
			n++
		}
		w := l.words[l.zipf.Uint64()]
		b.WriteString(w)
		n += len(w) / 3 // three bytes a character
	}
	b.WriteString("。")
}
