package importer

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/banmian/banmian/internal/content"
)

const samplePath = "testdata/duowei-page-legacy.txt"

// readSample reads the sample page (a copy of
// ../shared/samples/duowei-page-legacy.txt kept with the tests).
func readSample(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatalf("sample page: %v", err)
	}
	return src
}

func mustParse(t testing.TB, src string) *Page {
	t.Helper()
	p, err := Parse([]byte(src), Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// checkHan asserts the invariant: every Han character of src is in the
// page's output or labels.
func checkHan(t testing.TB, src string, p *Page) {
	t.Helper()
	var out strings.Builder
	out.WriteString(strings.Join(p.Labels, ""))
	m := p.Masthead
	out.WriteString(m.Section + m.Editor + m.Weibo + m.Email + m.Hotline)
	for _, s := range p.Stories {
		out.WriteString(s.Kicker + s.Title + s.Subtitle + s.Credit)
		for _, b := range s.Blocks {
			out.WriteString(b.Text)
		}
	}
	for _, b := range p.Boxes {
		out.WriteString(b.Title)
		for _, r := range b.Rows {
			out.WriteString(r.Company + r.Product + r.Award)
		}
	}
	if missing := missingHan(src, out.String()); missing != "" {
		t.Errorf("Han characters lost: %q", missing)
	}
}

// missingHan returns the Han characters of in that out lacks (as a
// multiset).
func missingHan(in, out string) string {
	have := map[rune]int{}
	for _, r := range out {
		if unicode.Is(unicode.Han, r) {
			have[r]++
		}
	}
	var miss []rune
	for _, r := range in {
		if unicode.Is(unicode.Han, r) {
			if have[r] == 0 {
				miss = append(miss, r)
				continue
			}
			have[r]--
		}
	}
	return string(miss)
}

func storyText(s *Story) string {
	var b strings.Builder
	for _, bl := range s.Blocks {
		b.WriteString(bl.Text)
		b.WriteString("\n")
	}
	return b.String()
}

func TestParseSample(t *testing.T) {
	t.Parallel()
	src := readSample(t)
	p := mustParse(t, string(src))
	want := content.Masthead{Section: "多维世界", Editor: "郭爽", Weibo: "http://t.xinmin.cn/guoguo11", Email: "9773859@qq.com", Hotline: "22897276"}
	if p.Masthead != want {
		t.Errorf("masthead = %+v, want %+v", p.Masthead, want)
	}
	if len(p.Stories) != 2 {
		t.Fatalf("%d stories, want 2", len(p.Stories))
	}
	s1, s2 := p.Stories[0], p.Stories[1]
	if s1.Kicker != "普陀区长征镇为“网格”赋能,形成社区治理新格局" || s1.Title != "小区管道“添堵”,“多格合一”舒心" {
		t.Errorf("story 1 kicker/title = %q / %q", s1.Kicker, s1.Title)
	}
	if s2.Kicker != "" || s2.Title != "佘山镇翠鑫苑三位一体工作机制巧解社区“千千结”" {
		t.Errorf("story 2 kicker/title = %q / %q", s2.Kicker, s2.Title)
	}
	if s1.Credit != "长征镇" || s2.Credit != "佘山镇" {
		t.Errorf("credits = %q, %q", s1.Credit, s2.Credit)
	}
	wantSub1 := []string{"从“痛点”到“焦点”\u3000推动基层治理“一呼百应”", "从“单打”到“共治”\u3000协同治理“一体高效”"}
	if got := s1.Subheads(); !reflect.DeepEqual(got, wantSub1) {
		t.Errorf("story 1 subheads = %q", got)
	}
	wantSub2 := []string{"源头预防,隐患排查精细化", "规范调处,提升纠纷化解质效", "优化服务,高效处置热线工单"}
	if got := s2.Subheads(); !reflect.DeepEqual(got, wantSub2) {
		t.Errorf("story 2 subheads = %q", got)
	}
	if s1.Paragraphs() != 12 || s2.Paragraphs() != 9 {
		t.Errorf("paragraphs = %d, %d; want 12, 9", s1.Paragraphs(), s2.Paragraphs())
	}
	body1, body2 := storyText(s1), storyText(s2)
	for _, want := range []string{
		"这个建于1997年的老小区,作为早期商品房",
		"而小区管网地势低于市政管网的设计“硬伤”",
		"“为民办事效率高,热情服务暖民心!”",
		"一是将管道疏通纳入常态化管理,真源居委",
		"做好治理“大文章”。\n", // the credit is cut off the last paragraph
	} {
		if !strings.Contains(body1, want) {
			t.Errorf("story 1 lacks %q", want)
		}
	}
	for _, want := range []string{
		"建立定期定人巡查制度,每天安排一名居委会工作人员",
		"工作人员会告诉居民“你们遇到困难",
		"调解过程中工作人员始终保持",
		"办结后见面反馈",
	} {
		if !strings.Contains(body2, want) {
			t.Errorf("story 2 lacks %q", want)
		}
	}
	if strings.Contains(body1+body2, "供稿") {
		t.Error("a credit stayed in the text")
	}
	if len(p.Boxes) != 1 || len(p.Boxes[0].Rows) != 8 {
		t.Fatalf("boxes = %+v, want one with 8 rows", p.Boxes)
	}
	b := p.Boxes[0]
	if b.Type != content.BoxHonourRoll || b.Title != "荣誉榜" {
		t.Errorf("box = %s %q", b.Type, b.Title)
	}
	rows := map[int]content.HonourRow{
		0: {Company: "江苏帅因特光电科技开发有限公司", Product: "“帅因特”品牌太阳能热水器", Award: "上海市太阳能热水器产品质量监督抽查合格产品"},
		1: {Company: "广东万家乐厨房科技有限公司", Product: "“万家乐”品牌家用燃气灶具", Award: "上海市家用燃气灶产品质量监督抽查合格产品"},
		4: {Company: "浙江江山金王华府食品有限公司", Product: "“金王华府”、“金王”品牌:黄油肉、五花腊肉", Award: "上海市肉制品监督抽检合格产品"},
		6: {Company: "浙江臻龙能源设备科技有限公司", Product: "“臻龙”品牌超柔型燃气用具连接用不锈钢波纹管、燃气用具连接用金属包覆软管", Award: "上海市燃气用软管产品检测合格产品"},
		7: {Company: "上海柔泰燃气设备安装工程有限公司", Product: "“柔泰”品牌燃气输送用不锈钢波纹管及管件", Award: "上海市燃气用软管产品检测合格产品"},
	}
	for i, want := range rows {
		if b.Rows[i] != want {
			t.Errorf("row %d = %+v, want %+v", i, b.Rows[i], want)
		}
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings on the sample: %v", p.Warnings)
	}
	checkHan(t, string(src), p)
}

// TestParseVariants: the sample in other clothes parses to the same page.
func TestParseVariants(t *testing.T) {
	t.Parallel()
	src := string(readSample(t))
	base := mustParse(t, src)
	variants := map[string]string{
		"CRLF 行尾":    strings.ReplaceAll(src, "\n", "\r\n"),
		"CR 行尾":      strings.ReplaceAll(src, "\n", "\r"),
		"BOM":        "\uFEFF" + src,
		"全角空格缩进":     indent(src, "\u3000\u3000"),
		"全角空格分隔引题":   strings.Replace(src, "新格局 小区管道", "新格局\u3000小区管道", 1),
		"多个空格分隔引题":   strings.Replace(src, "新格局 小区管道", "新格局   小区管道", 1),
		"行尾空格":       strings.ReplaceAll(src, "\n", " \t\n"),
		"多余空行":       strings.ReplaceAll(src, "\n\n", "\n\n\n\n"),
		"没有空行":       regexpBlank(src),
		"版头在一行":      strings.Replace(src, "责任编辑:郭爽\n微博:", "责任编辑:郭爽 微博:", 1),
		"全角冒号版头":     strings.ReplaceAll(src, "热线电话:", "热线电话："),
		"署名另起一行":     strings.Replace(src, "“大文章”。 长征镇 供稿", "“大文章”。\n\n长征镇 供稿", 1),
		"署名紧贴":       strings.Replace(src, "佘山镇 供稿", "佘山镇供稿", 1),
		"GB18030 编码": gb18030(t, src),
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			p := mustParse(t, v)
			if len(p.Warnings) != 0 && name != "GB18030 编码" {
				t.Errorf("warnings: %v", p.Warnings)
			}
			if len(p.Stories) != len(base.Stories) {
				t.Fatalf("%d stories, want %d", len(p.Stories), len(base.Stories))
			}
			for i, s := range p.Stories {
				got, want := *s, *base.Stories[i]
				got.Line, want.Line = 0, 0 // line numbers move
				if !reflect.DeepEqual(got, want) {
					t.Errorf("story %d differs:\n got %q %q %q %d blocks\nwant %q %q %q %d blocks", i,
						got.Kicker, got.Title, got.Credit, len(got.Blocks), want.Kicker, want.Title, want.Credit, len(want.Blocks))
					for k := range min(len(got.Blocks), len(want.Blocks)) {
						if got.Blocks[k] != want.Blocks[k] {
							t.Errorf("block %d: got %+v\nwant %+v", k, got.Blocks[k], want.Blocks[k])
							break
						}
					}
				}
			}
			if !reflect.DeepEqual(p.Boxes, base.Boxes) {
				t.Errorf("boxes differ: %+v", p.Boxes)
			}
			if p.Masthead != base.Masthead {
				t.Errorf("masthead = %+v", p.Masthead)
			}
		})
	}
}

func indent(src, with string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = with + l
		}
	}
	return strings.Join(lines, "\n")
}

// regexpBlank removes every blank line.
func regexpBlank(src string) string {
	var out []string
	for _, l := range strings.Split(src, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func gb18030(t *testing.T, s string) string {
	b, err := simplifiedchinese.GB18030.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseThreeStoriesNoBox(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/three-stories.txt")
	if err != nil {
		t.Fatal(err)
	}
	p := mustParse(t, string(src))
	if len(p.Boxes) != 0 {
		t.Errorf("boxes on a page without one: %+v", p.Boxes)
	}
	if p.Masthead.Section != "多维世界" || p.Masthead.Editor != "郭爽" || p.Masthead.Weibo != "http://t.xinmin.cn/guoguo11" {
		t.Errorf("masthead = %+v", p.Masthead)
	}
	type want struct {
		kicker, title, subtitle, credit string
		subheads, paras                 int
	}
	wants := []want{
		{"真如镇开展垃圾分类宣传", "分类有新招,居民齐参与", "", "真如镇 长征镇", 0, 2},
		{"", "桃浦镇举办社区运动会", "", "桃浦镇、真如镇", 1, 2},
		{"", "万里街道老年大学开学", "——今年新增书法、摄影等课程", "万里街道", 0, 2},
	}
	if len(p.Stories) != len(wants) {
		t.Fatalf("%d stories, want %d", len(p.Stories), len(wants))
	}
	for i, w := range wants {
		s := p.Stories[i]
		got := want{s.Kicker, s.Title, s.Subtitle, s.Credit, len(s.Subheads()), s.Paragraphs()}
		if got != w {
			t.Errorf("story %d = %+v, want %+v", i+1, got, w)
		}
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings: %v", p.Warnings)
	}
	checkHan(t, string(src), p)
}

func TestParseHeadlines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src                       string
		kicker, title, subtitle, credit string
	}{
		{"引题主题同行", "长征镇为网格赋能 小区管道不再添堵\n\n居民反映问题,当天解决。\n\n长征镇 供稿\n",
			"长征镇为网格赋能", "小区管道不再添堵", "", "长征镇"},
		{"无引题", "小区管道不再添堵\n\n居民反映问题,当天解决。\n\n长征镇 供稿\n",
			"", "小区管道不再添堵", "", "长征镇"},
		{"引题主题各一行", "长征镇为网格赋能\n小区管道不再添堵\n居民反映问题,当天解决。\n长征镇 供稿\n",
			"长征镇为网格赋能", "小区管道不再添堵", "", "长征镇"},
		{"引题主题副题三行", "", "石泉路街道打造“15分钟生活圈”", "家门口的幸福更近了", "——一个老街区的变化", "石泉路街道"},
		{"主题加副题", "小区管道不再添堵\n——长征镇网格治理见闻\n\n居民反映问题,当天解决。\n长征镇 供稿",
			"", "小区管道不再添堵", "——长征镇网格治理见闻", "长征镇"},
		{"英文词中的空格不分引题", "Hello Kitty主题展开幕\n\n展览在长风公园举行。\n\n长风街道 供稿",
			"", "Hello Kitty主题展开幕", "", "长风街道"},
		{"两个供稿单位", "标题\n\n正文一句。 长征镇 真如镇 供稿", "", "标题", "", "长征镇 真如镇"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if src == "" {
				b, err := os.ReadFile("testdata/kicker-lines.txt")
				if err != nil {
					t.Fatal(err)
				}
				src = string(b)
			}
			p := mustParse(t, src)
			if len(p.Stories) != 1 {
				t.Fatalf("%d stories: %+v", len(p.Stories), p.Stories)
			}
			s := p.Stories[0]
			if s.Kicker != tt.kicker || s.Title != tt.title || s.Subtitle != tt.subtitle || s.Credit != tt.credit {
				t.Errorf("got kicker %q title %q subtitle %q credit %q", s.Kicker, s.Title, s.Subtitle, s.Credit)
			}
			if s.Paragraphs() == 0 {
				t.Error("no paragraphs")
			}
			checkHan(t, src, p)
		})
	}
}

// TestParseSubheadOrFragment: short lines without closing punctuation are
// subheads, unless a print column broke a sentence there.
func TestParseSubheadOrFragment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line, next string
		subhead          bool
	}{
		{"两段式小标题", "源头预防,隐患排查精细化", "化解矛盾,预防是关键。", true},
		{"带空格小标题", "从“痛点”到“焦点” 推动基层治理“一呼百应”", "“这污水三天两头堵。”", true},
		{"短小标题", "多方联动解难题", "接到反映后,街道立即行动。", true},
		{"编号小标题", "一、强化宣传", "街道开展了宣传。", true},
		{"一是开头的断行", "一是将管道疏通纳入常态化管", "理,真源居委加强沟通。", false},
		{"逗号后残句", "建立定期定人巡查制度,每天", "安排一名居委会工作人员开展巡查。", false},
		{"下一行以单字加逗号开头", "为民办事效率", "高,热情服务暖民心。", false},
		{"以数字结尾", "这个建于1997", "年的老小区,作为早期商品房。", false},
		{"以冒号结尾", "居民们说:", "“现在好了。”", false},
		{"太长", "在祥和综合网格多格合一运转专题会的推动下镇社区管理办镇城运中心真源居委", "当天奔赴现场办公。", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "标题\n\n第一段。\n\n" + tt.line + "\n\n" + tt.next + "\n\n长征镇 供稿\n"
			p := mustParse(t, src)
			if len(p.Stories) != 1 {
				t.Fatalf("%d stories", len(p.Stories))
			}
			s := p.Stories[0]
			got := len(s.Subheads()) == 1
			if got != tt.subhead {
				t.Errorf("subhead = %v, want %v (blocks %+v)", got, tt.subhead, s.Blocks)
			}
			if !tt.subhead && s.Paragraphs() != 2 {
				t.Errorf("fragment not rejoined: %+v", s.Blocks)
			}
			checkHan(t, src, p)
		})
	}
}

// TestParseLeftovers: text that fits no structure stays in the nearest
// story, with a warning.
func TestParseLeftovers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		stories   int
		warn      string
	}{
		{"供稿后残行", "标题\n\n正文。\n\n长征镇 供稿\n\n残留一行\n", 1, "heads no story"},
		{"供稿后无标题段落", "标题\n\n正文。\n\n长征镇 供稿\n\n没有标题的一段文字。\n", 1, "without a headline"},
		{"缺供稿", "标题\n\n正文。\n", 1, "no credit"},
		{"荣誉榜缺荣获", "标题\n\n正文。\n\n长征镇 供稿\n\n荣誉榜\n\n某某有限公司\n\n受检产品:某品牌热水器\n", 1, "no award"},
		{"只有荣誉榜标题", "标题\n\n正文。\n\n长征镇 供稿\n\n荣誉榜\n", 1, "heads no story"},
		{"开头就是正文", "没有标题的一段文字。\n", 1, "无题"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.src)
			if len(p.Stories) != tt.stories {
				t.Errorf("%d stories, want %d", len(p.Stories), tt.stories)
			}
			var ws []string
			for _, w := range p.Warnings {
				ws = append(ws, w.String())
			}
			if !strings.Contains(strings.Join(ws, "\n"), tt.warn) {
				t.Errorf("warnings %q lack %q", ws, tt.warn)
			}
			checkHan(t, tt.src, p)
		})
	}
}

func TestParseBoxWithoutBlankLines(t *testing.T) {
	t.Parallel()
	src := "荣誉榜\n甲公司\n受检产品:“甲”品牌\n热水器\n荣获\n上海市热水器产品质量\n监督抽查合格产品\n乙公司\n受检产品:“乙”品牌灶具\n荣获:上海市燃气灶产品检测合格产品\n"
	p := mustParse(t, src)
	if len(p.Boxes) != 1 || len(p.Stories) != 0 {
		t.Fatalf("boxes %+v stories %+v", p.Boxes, p.Stories)
	}
	want := []content.HonourRow{
		{Company: "甲公司", Product: "“甲”品牌热水器", Award: "上海市热水器产品质量监督抽查合格产品"},
		{Company: "乙公司", Product: "“乙”品牌灶具", Award: "上海市燃气灶产品检测合格产品"},
	}
	if !reflect.DeepEqual(p.Boxes[0].Rows, want) {
		t.Errorf("rows = %+v", p.Boxes[0].Rows)
	}
	checkHan(t, src, p)
}

func TestParseNormalizes(t *testing.T) {
	t.Parallel()
	calls := 0
	fake := func(s string) string {
		calls++
		return strings.NewReplacer(",", "，", ":", "：", "!", "！").Replace(s)
	}
	p, err := Parse([]byte("为网格赋能,形成新格局 管道不堵\n\n源头预防,隐患排查\n\n正文,一句!\n\n长征镇 供稿"), Options{Normalize: fake})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Stories[0]
	if s.Kicker != "为网格赋能，形成新格局" || s.Blocks[len(s.Blocks)-1].Text != "正文，一句！" {
		t.Errorf("not normalised: %+v", s)
	}
	if calls == 0 {
		t.Error("Normalize never called")
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	if _, err := Parse([]byte(" \n\u3000\n\r\n"), Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("blank page: err = %v", err)
	}
	if _, err := Parse([]byte("标题\n\xff\xfe\xfd\x80\n"), Options{}); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad bytes: err = %v", err)
	}
}
