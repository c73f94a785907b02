package typeset

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// cases is the house-style table. md marks Markdown cases, run through Fix
// with the protected ranges of markdownProtected; the others go through
// Normalize.
var cases = []struct {
	name string
	in   string
	want string
	md   bool
}{
	// T1: ASCII punctuation next to Chinese.
	{name: "T1 masthead editor", in: "责任编辑:郭爽", want: "责任编辑：郭爽"},
	{name: "T1 comma", in: "近日,家住真源小区的居民", want: "近日，家住真源小区的居民"},
	{name: "T1 full stop", in: "物业也束手无策.", want: "物业也束手无策。"},
	{name: "T1 semicolon", in: "早发现、快响应;二是督促", want: "早发现、快响应；二是督促"},
	{name: "T1 exclamation", in: "家里都没法做饭了!", want: "家里都没法做饭了！"},
	{name: "T1 question", in: "还是跟你们反馈呢?", want: "还是跟你们反馈呢？"},
	{name: "T1 after closing quote", in: "“民生小事”,让", want: "“民生小事”，让"},
	{name: "T1 before opening quote", in: "居民反映:“小区地势低”", want: "居民反映：“小区地势低”"},
	{name: "T1 after number before Han", in: "建于1997年,作为早期商品房", want: "建于1997年，作为早期商品房"},
	{name: "T1 number then comma then Han", in: "共3个,4个网格", want: "共3个，4个网格"},
	{name: "T1 digits then comma", in: "在2023,居民", want: "在2023，居民"},
	{name: "T1 full stop after number at line end", in: "达到2600.", want: "达到2600。"},
	{name: "T1 full stop after percentage", in: "同比下降1.5%.", want: "同比下降1.5%。"},
	{name: "T1 full stop after quoted number", in: "拨打“12345”.", want: "拨打“12345”。"},
	{name: "T1 spaces around comma", in: "你好 , 世界", want: "你好，世界"},
	{name: "T1 QQ number colon", in: "联系QQ:9773859", want: "联系QQ：9773859"},
	{name: "T1 English word then exclamation", in: "他喜欢Go!", want: "他喜欢Go！"},
	{name: "T1 Latin before Chinese", in: "iPhone,华为", want: "iPhone，华为"},
	{name: "T1 doubled exclamation", in: "太好了!!", want: "太好了！！"},
	{name: "T1 comma inside emphasis", in: "**责任编辑**:郭爽", want: "**责任编辑**：郭爽", md: true},
	{name: "T1 full stop after emphasis", in: "这是*重点*.", want: "这是*重点*。", md: true},

	// Never-touch pitfalls.
	{name: "email", in: "邮箱:9773859@qq.com", want: "邮箱：9773859@qq.com"},
	{name: "email with dots", in: "联系zhang.san@qq.com,谢谢", want: "联系zhang.san@qq.com，谢谢"},
	{name: "email at sentence end", in: "请发至9773859@qq.com.", want: "请发至9773859@qq.com。"},
	{name: "URL", in: "微博:http://t.xinmin.cn/guoguo11", want: "微博：http://t.xinmin.cn/guoguo11"},
	{name: "URL with commas", in: "见https://example.com/a,b;c?x=1,2,详见", want: "见https://example.com/a,b;c?x=1,2，详见"},
	{name: "URL with parens", in: "见https://en.wikipedia.org/wiki/Go_(language)。", want: "见https://en.wikipedia.org/wiki/Go_(language)。"},
	{name: "URL www", in: "访问www.xinmin.cn,了解", want: "访问www.xinmin.cn，了解"},
	{name: "URL in brackets", in: "(见http://a.cn/x)", want: "（见http://a.cn/x）"},
	{name: "handle", in: "关注@guoguo11,获取", want: "关注@guoguo11，获取"},
	{name: "Chinese handle", in: "@新民晚报:今天", want: "@新民晚报：今天"},
	{name: "time", in: "当天下午3:00,堵塞点全线贯通", want: "当天下午3:00，堵塞点全线贯通"},
	{name: "time alone", in: "下午3:00", want: "下午3:00"},
	{name: "ratio", in: "比例为1:2", want: "比例为1:2"},
	{name: "decimal", in: "增长1.5倍", want: "增长1.5倍"},
	{name: "percentage", in: "占比50%,位居", want: "占比50%，位居"},
	{name: "thousands", in: "共3,000人", want: "共3,000人"},
	{name: "phone", in: "热线电话:021-22897276", want: "热线电话：021-22897276"},
	{name: "hotline plain", in: "热线电话:22897276", want: "热线电话：22897276"},
	{name: "no space between Chinese and digits", in: "承载着2600多户居民", want: "承载着2600多户居民"},
	{name: "no space 12345", in: "“12345热线”工单", want: "“12345热线”工单"},
	{name: "no space date", in: "2023年5月1日", want: "2023年5月1日"},
	{name: "credit line keeps space", in: "长征镇 供稿", want: "长征镇 供稿"},
	{name: "credit after sentence", in: "做好治理“大文章”。 长征镇 供稿", want: "做好治理“大文章”。 长征镇 供稿"},
	{name: "English sentence", in: "He said, \"Hello, world.\" Then he left!", want: "He said, \"Hello, world.\" Then he left!"},
	{name: "English quote in Chinese", in: "他说:\"I'm fine, thanks.\"", want: "他说：“I'm fine, thanks.”"},
	{name: "English words with commas", in: "他说:Hello, world!", want: "他说：Hello, world!"},
	{name: "apostrophe", in: "Xi'an是古都", want: "Xi'an是古都"},
	{name: "HTML entity", in: "中&nbsp;文", want: "中&nbsp;文"},
	{name: "escaped punctuation", in: "中文\\(不是括号\\)", want: "中文\\(不是括号\\)", md: true},
	{name: "ordered list", in: "1. 加强管理\n2. 落实责任", want: "1. 加强管理\n2. 落实责任", md: true},
	{name: "numbered item", in: "第1.第2", want: "第1.第2"},
	{name: "list item quote keeps space", in: "- “网格”赋能", want: "- “网格”赋能", md: true},
	{name: "heading keeps space", in: "# “多格合一”", want: "# “多格合一”", md: true},
	{name: "thematic break", in: "上文\n\n---\n\n下文", want: "上文\n\n---\n\n下文", md: true},
	{name: "table delimiter", in: "| 企业 | 荣誉 |\n|:--|--:|\n| 帅因特 | 合格 |", want: "| 企业 | 荣誉 |\n|:--|--:|\n| 帅因特 | 合格 |", md: true},
	{name: "hard line break", in: "第一行。  \n第二行", want: "第一行。  \n第二行", md: true},
	{name: "indent ideographic space", in: "\u3000\u3000正文,开始", want: "\u3000\u3000正文，开始"},
	{name: "inline code", in: "运行`go build ./...`,然后", want: "运行`go build ./...`，然后", md: true},
	{name: "inline code Chinese", in: "写`中文,逗号`即可", want: "写`中文,逗号`即可", md: true},
	{name: "code block", in: "示例:\n\n```\nfmt.Println(\"你好,世界\")\n```\n\n完", want: "示例：\n\n```\nfmt.Println(\"你好,世界\")\n```\n\n完", md: true},
	{name: "link destination", in: "见[长征镇](http://a.cn/x,y),详见", want: "见[长征镇](http://a.cn/x,y)，详见", md: true},
	{name: "link Chinese destination", in: "见[说明](说明(一).md)", want: "见[说明](说明(一).md)", md: true},
	{name: "image", in: "图片![现场](a.png)", want: "图片![现场](a.png)", md: true},

	// T2: brackets.
	{name: "T2 brackets", in: "城运中心(房办、绿容)", want: "城运中心（房办、绿容）"},
	{name: "T2 Latin inside after Han", in: "浦东(Pudong)新区", want: "浦东（Pudong）新区"},
	{name: "T2 mixed widths", in: "超柔型（燃气用具)", want: "超柔型（燃气用具）"},
	{name: "T2 nested", in: "说明(见附件(一))", want: "说明（见附件（一））"},
	{name: "T2 English", in: "Go (language) is fun", want: "Go (language) is fun"},
	{name: "T2 list number", in: "(1)加强管理", want: "(1)加强管理"},
	{name: "T2 unbalanced stays", in: "说明(见附件", want: "说明(见附件"},
	{name: "T2 then full stop", in: "城运中心(房办).", want: "城运中心（房办）。"},

	// T3: quotes.
	{name: "T3 double", in: "需\"借道\"沿街商铺", want: "需“借道”沿街商铺"},
	{name: "T3 single", in: "打'12345'热线", want: "打‘12345’热线"},
	{name: "T3 nested straight", in: "\"他说'你好'\"", want: "“他说‘你好’”"},
	{name: "T3 straight inside curly", in: "“这种情况是直接打\"12345\",还是”", want: "“这种情况是直接打‘12345’，还是”"},
	{name: "T3 unbalanced stays", in: "他说\"你好", want: "他说\"你好"},
	{name: "T3 two pairs", in: "\"多格合一\"\"疏心\"", want: "“多格合一”“疏心”"},
	{name: "T3 across soft line break", in: "居民说\"小区\n管道\"", want: "居民说“小区\n管道”", md: true},
	{name: "T3 quote then comma", in: "称为\"加速度\",跑出", want: "称为“加速度”，跑出"},

	// T4: ellipsis.
	{name: "T4 three dots", in: "启动动态监测...", want: "启动动态监测……"},
	{name: "T4 six dots", in: "到长效治理蓝图......真源小区", want: "到长效治理蓝图……真源小区"},
	{name: "T4 ideographic stops", in: "等等。。。", want: "等等……"},
	{name: "T4 lone ellipsis", in: "等等…然后", want: "等等……然后"},
	{name: "T4 correct ellipsis", in: "等等……然后", want: "等等……然后"},
	{name: "T4 English ellipsis", in: "Wait... what", want: "Wait... what"},

	// T5: dashes.
	{name: "T5 double hyphen", in: "症结浮出水面--真源小区", want: "症结浮出水面——真源小区"},
	{name: "T5 lone dash", in: "浮出水面—真源小区", want: "浮出水面——真源小区"},
	{name: "T5 horizontal bars", in: "浮出水面――真源小区", want: "浮出水面——真源小区"},
	{name: "T5 correct dash", in: "浮出水面——真源小区", want: "浮出水面——真源小区"},
	{name: "T5 hyphen between Han", in: "“即时发现-快速响应-协同处置”", want: "“即时发现-快速响应-协同处置”"},
	{name: "T5 English dash", in: "word — word", want: "word — word"},

	// T6: full-width digits and letters.
	{name: "T6 digits", in: "拨打１２３４５热线", want: "拨打12345热线"},
	{name: "T6 letters", in: "实行ＡＢ角协作机制", want: "实行AB角协作机制"},
	{name: "T6 then comma", in: "共３个,居民", want: "共3个，居民"},
	{name: "T6 time", in: "下午３:００", want: "下午3:00"},

	// T7: spaces around full-width punctuation.
	{name: "T7 before comma", in: "小区 ，居民", want: "小区，居民"},
	{name: "T7 after full stop", in: "解决了。 居民说", want: "解决了。居民说"},
	{name: "T7 around quotes", in: "他说 “你好” 然后", want: "他说“你好”然后"},
	{name: "T7 English curly quotes", in: "He said “hi” to me", want: "He said “hi” to me"},
	{name: "T7 Latin and comma", in: "AB角 ， 协作", want: "AB角，协作"},
	{name: "T7 keeps space between Chinese", in: "长征镇 真如镇", want: "长征镇 真如镇"},
	{name: "T7 keeps full-width space in heading", in: "## 从“痛点”到“焦点”\u3000推动基层治理“一呼百应”", want: "## 从“痛点”到“焦点”\u3000推动基层治理“一呼百应”", md: true},
	{name: "T7 ASCII space in heading", in: "## 从“痛点”到“焦点” 推动基层治理“一呼百应”", want: "## 从“痛点”到“焦点”推动基层治理“一呼百应”", md: true},

	// Paragraphs from the sample page.
	{name: "sample masthead", in: "责任编辑:郭爽\n微博:http://t.xinmin.cn/guoguo11\n邮箱:9773859@qq.com\n热线电话:22897276",
		want: "责任编辑：郭爽\n微博：http://t.xinmin.cn/guoguo11\n邮箱：9773859@qq.com\n热线电话：22897276"},
	{name: "sample paragraph",
		in:   "“现在管道疏通了,马桶不反水了,心也不堵了,”源恺物业对淤堵居民家进行了回访,居民为处置部门竖起了大拇指,“为民办事效率高,热情服务暖民心!”",
		want: "“现在管道疏通了，马桶不反水了，心也不堵了，”源恺物业对淤堵居民家进行了回访，居民为处置部门竖起了大拇指，“为民办事效率高，热情服务暖民心！”"},
	{name: "sample model",
		in:   "以“1+6+x”模式,即以居委会统筹+6个“微网格”长+x个楼组长”为工作架构",
		want: "以“1+6+x”模式，即以居委会统筹+6个“微网格”长+x个楼组长”为工作架构"},
	{name: "sample honour row", in: "受检产品:“金王华府”、“金王”\n品牌:黄油肉、五花腊肉", want: "受检产品：“金王华府”、“金王”\n品牌：黄油肉、五花腊肉"},
	{name: "sample question", in: "“这种情况是直接打‘12345’,还是跟你们反馈呢?”近期,一位居民", want: "“这种情况是直接打‘12345’，还是跟你们反馈呢？”近期，一位居民"},
	{name: "sample five steps", in: "“五步调解法”:第一步全面调查了解情况;第二步", want: "“五步调解法”：第一步全面调查了解情况；第二步"},

	// Already in house style, or nothing to do.
	{name: "empty", in: "", want: ""},
	{name: "clean", in: "翠鑫苑社区居委会实行AB角协作机制。", want: "翠鑫苑社区居委会实行AB角协作机制。"},
	{name: "pure English", in: "The quick brown fox (a fox). Jumps: yes; really? \"OK\" -- done...", want: "The quick brown fox (a fox). Jumps: yes; really? \"OK\" -- done..."},
}

// markdownProtected marks code spans, fenced code blocks and link
// destinations, the way internal/markdown does, for the table cases.
func markdownProtected(src []byte) []Range {
	var rs []Range
	s := string(src)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "```"):
			end := strings.Index(s[i+3:], "```")
			if end < 0 {
				return append(rs, Range{i, len(s)})
			}
			rs = append(rs, Range{i, i + 3 + end + 3})
			i += 3 + end + 3
		case s[i] == '`':
			end := strings.IndexByte(s[i+1:], '`')
			if end < 0 {
				i++
				continue
			}
			rs = append(rs, Range{i, i + 1 + end + 1})
			i += end + 2
		case strings.HasPrefix(s[i:], "]("):
			end := strings.IndexByte(s[i:], ')')
			if end < 0 {
				return rs
			}
			if strings.Contains(s[i+2:i+end], "(") {
				if more := strings.IndexByte(s[i+end+1:], ')'); more >= 0 {
					end += more + 1
				}
			}
			rs = append(rs, Range{i + 2, i + end})
			i += end
		default:
			i++
		}
	}
	return rs
}

func fixCase(in string, md bool) string {
	if !md {
		return Normalize(in)
	}
	out, _ := Fix([]byte(in), markdownProtected([]byte(in)))
	return string(out)
}

func TestHouseStyle(t *testing.T) {
	t.Parallel()
	if len(cases) < 80 {
		t.Fatalf("only %d cases, want at least 80", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fixCase(c.in, c.md); got != c.want {
				t.Errorf("\n in: %q\ngot: %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

func TestIdempotent(t *testing.T) {
	t.Parallel()
	for _, c := range cases {
		once := fixCase(c.in, c.md)
		if twice := fixCase(once, c.md); twice != once {
			t.Errorf("%s: not idempotent\nonce:  %q\ntwice: %q", c.name, once, twice)
		}
		// The wanted text is already in house style.
		if got := fixCase(c.want, c.md); got != c.want {
			t.Errorf("%s: wanted text changes\nwant: %q\ngot:  %q", c.name, c.want, got)
		}
	}
}

// TestFindings checks that Fix and Lint report the same findings, that
// each points at its original text, and that Fix changes text exactly when
// it reports a fixable finding.
func TestFindings(t *testing.T) {
	t.Parallel()
	for _, c := range cases {
		if strings.Contains(c.in, "\n") {
			continue
		}
		var prot []Range
		if c.md {
			prot = markdownProtected([]byte(c.in))
		}
		out, fs := Fix([]byte(c.in), prot)
		ls := Lint([]byte(c.in), prot)
		if len(fs) != len(ls) {
			t.Errorf("%s: Fix reports %d findings, Lint %d", c.name, len(fs), len(ls))
		}
		changed := !bytes.Equal(out, []byte(c.in))
		fixable := 0
		for _, f := range fs {
			if f.Fixable {
				fixable++
				if !strings.HasPrefix(c.in[f.Offset:], f.Original) {
					t.Errorf("%s: finding %+v: original not at offset", c.name, f)
				}
			}
			if f.Line != 1 || f.Col != utf8.RuneCountInString(c.in[:f.Offset])+1 {
				t.Errorf("%s: finding %+v: wrong position", c.name, f)
			}
			if f.Message == "" || f.Rule == "" {
				t.Errorf("%s: finding %+v without rule or message", c.name, f)
			}
		}
		if changed != (fixable > 0) {
			t.Errorf("%s: changed=%v but %d fixable findings", c.name, changed, fixable)
		}
	}
}
