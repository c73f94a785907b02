package markdown

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/typeset"
)

func TestRender(t *testing.T) {
	t.Parallel()
	r := New(Options{})
	tests := []struct {
		name   string
		in     string
		want   []string
		unwant []string
	}{
		{"soft break inside Chinese is no space", "长征镇持续推动\n基层治理工作。", []string{"<p>长征镇持续推动基层治理工作。</p>"}, nil},
		{"soft break after full-width punctuation", "居民们看在眼里，\n暖在心里。", []string{"居民们看在眼里，暖在心里。"}, nil},
		{"soft break between Latin words stays a space", "hello\nworld", []string{"hello\nworld"}, nil},
		{"soft break between digit and Han", "建于1997\n年的老小区", []string{"建于1997年的老小区"}, nil},
		{"strong around full-width quotes", "党建引领**“多格合一”**试点", []string{"党建引领<strong>“多格合一”</strong>试点"}, nil},
		{"strong ending in a full stop before Han", "**该星号不会被识别，而是直接显示。**这是因为", []string{"<strong>该星号不会被识别，而是直接显示。</strong>这是因为"}, nil},
		{"emphasis with parentheses", "*（括号）*之后", []string{"<em>（括号）</em>之后"}, nil},
		{"intraword underscore stays literal", "snake_case_name", []string{"snake_case_name"}, []string{"<em>"}},
		{"plain CommonMark emphasis still works", "a *b* c **d**", []string{"a <em>b</em> c <strong>d</strong>"}, nil},
		{"subheads get readable ids", "## 从“痛点”到“焦点”\n\n## 源头预防，隐患排查精细化", []string{`<h2 id="cong-tong-dian-dao-jiao-dian">`, `<h2 id="yuan-tou-yu-fang-yin-huan-pai-cha-jing">`}, nil},
		{"duplicate subheads get unique ids", "## 小结\n\n## 小结", []string{`id="xiao-jie"`, `id="xiao-jie-2"`}, nil},
		{"level-1 heading becomes a subhead", "# 大标题", []string{`<h2 id="da-biao-ti">大标题</h2>`}, []string{"<h1"}},
		{"raw HTML is dropped", "<script>alert(1)</script>\n\n文字<b onclick=x>粗</b>", []string{"<!-- raw HTML omitted -->"}, []string{"<script", "<b onclick"}},
		{"javascript links are dropped", "[点我](javascript:alert(1))", []string{`<a href="">点我</a>`}, []string{"javascript:"}},
		{"GFM tables", "| 企业 | 荣誉 |\n|---|---|\n| 甲公司 | 合格产品 |", []string{"<table>", "<th>企业</th>", "<td>甲公司</td>"}, nil},
		{"code spans are kept", "用`a, b`表示", []string{"<code>a, b</code>"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := r.Render([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			html := string(d.HTML)
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("HTML %q lacks %q", html, w)
				}
			}
			for _, w := range tt.unwant {
				if strings.Contains(html, w) {
					t.Errorf("HTML %q contains %q", html, w)
				}
			}
		})
	}
}

func TestPlainTextAndHeadings(t *testing.T) {
	t.Parallel()
	src := "自党建引领**“多格合一”**试点工作启动以来，长征镇持续推动\n基层治理。\n\n## 从“痛点”到“焦点”\n\n- 一是疏通\n- 二是过滤\n\n访问<https://example.com/a>。"
	d, err := New(Options{}).Render([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "自党建引领“多格合一”试点工作启动以来，长征镇持续推动基层治理。\n从“痛点”到“焦点”\n一是疏通\n二是过滤\n访问https://example.com/a。"
	if d.Text != want {
		t.Errorf("Text =\n%q\nwant\n%q", d.Text, want)
	}
	if len(d.Headings) != 1 || d.Headings[0].Text != "从“痛点”到“焦点”" || d.Headings[0].ID != "cong-tong-dian-dao-jiao-dian" || d.Headings[0].Level != 2 {
		t.Errorf("Headings = %+v", d.Headings)
	}
	if d.Chars != CountChars(d.Text) || d.Chars < 40 {
		t.Errorf("Chars = %d", d.Chars)
	}
}

// TestTextIsRenderText checks that Text, the search index's path, gives
// Render's Doc.Text for every story of the sample site, typeset or not
// (FuzzRender checks it on any input).
func TestTextIsRenderText(t *testing.T) {
	t.Parallel()
	var srcs [][]byte
	err := fs.WalkDir(os.DirFS("../../content"), "stories", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		b, err := os.ReadFile("../../content/" + p)
		srcs = append(srcs, b)
		return err
	})
	if err != nil || len(srcs) == 0 {
		t.Fatalf("reading the sample stories: %d, %v", len(srcs), err)
	}
	for _, typeset := range []bool{false, true} {
		r := New(Options{Typeset: typeset})
		for _, src := range srcs {
			d, err := r.Render(src)
			if err != nil {
				t.Fatal(err)
			}
			text, err := r.Text(context.Background(), src)
			if err != nil || text != d.Text {
				t.Fatalf("typeset %v: Text = %q, %v; Render's Text is %q", typeset, text, err, d.Text)
			}
		}
	}
}

func TestCountChars(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"长征镇": 3, "2600多户": 2, "“多格合一”。": 7, "hello": 0, "１２３": 3, "": 0,
	} {
		if got := CountChars(in); got != want {
			t.Errorf("CountChars(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestProtected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // each must be covered by a protected range
		free []string // each must not be
	}{
		{"code span", "用`a, b`表示,好", []string{"`a, b`"}, []string{"表示,好"}},
		{"fenced code block", "前言,\n\n```go\nx := f(a, b)\n```\n", []string{"x := f(a, b)", "go"}, []string{"前言,"}},
		{"indented code", "文字,\n\n    a, b := 1, 2\n", []string{"a, b := 1, 2"}, []string{"文字,"}},
		{"link destination", "见[说明,这里](https://example.com/a,b?x=1 \"标题,一\")。", []string{"https://example.com/a,b?x=1", "标题,一"}, []string{"说明,这里"}},
		{"image destination", "![图,一](pic,1.png)", []string{"pic,1.png"}, []string{"图,一"}},
		{"autolink", "访问<https://example.com/a,b>,好", []string{"https://example.com/a,b"}, []string{">,好"}},
		{"raw HTML", "文字<span title=\"a,b\">内,容</span>", []string{`<span title="a,b">`}, []string{"内,容"}},
		{"link reference definition", "见[说明][1],好。\n\n[1]: https://example.com/a,b\n", []string{" https://example.com/a,b"}, []string{"[说明]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := Protected([]byte(tt.src))
			covered := func(start, end int) bool {
				for _, r := range rs {
					if r.Start <= start && end <= r.End {
						return true
					}
				}
				return false
			}
			touches := func(start, end int) bool {
				for _, r := range rs {
					if r.Start < end && start < r.End {
						return true
					}
				}
				return false
			}
			for _, w := range tt.want {
				i := strings.Index(tt.src, w)
				if i < 0 {
					t.Fatalf("bad test: %q not in src", w)
				}
				if !covered(i, i+len(w)) {
					t.Errorf("%q is not protected; ranges %v", w, rs)
				}
			}
			for _, w := range tt.free {
				i := strings.Index(tt.src, w)
				if touches(i, i+len(w)) {
					t.Errorf("%q is protected but is text; ranges %v", w, rs)
				}
			}
			for i := 1; i < len(rs); i++ {
				if rs[i].Start < rs[i-1].End {
					t.Errorf("ranges overlap: %v", rs)
				}
			}
		})
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"**“多格合一”**舒心", "## 小标题\n\n正文，\n续行。", "`a, b`", "[x](y \"z\")", "<a>b</a>", "| a |\n|---|\n| b |", "*_**__", "    code, x", "\tcode", "~~~\nx, y\n~~~", "[a]: http://x.cn/a,b", "<http://x.cn>",
		strings.Repeat(">", 40) + " `x`", strings.Repeat("[a](", 50), strings.Repeat("[a](<", 20) + ">)", strings.Repeat("[", 30),
		strings.Repeat("- ", 20) + "项", strings.Repeat("[r]: /u\n", 70) + "[r]", strings.Repeat("[a][b]\n", 70) + "\n[b]: /x"} {
		f.Add(s)
	}
	r := New(Options{})
	f.Fuzz(func(t *testing.T, src string) {
		d, err := r.Render([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(d.HTML)), "<script") {
			t.Fatalf("script in output of %q", src)
		}
		if text, err := r.Text(context.Background(), []byte(src)); err != nil || text != d.Text {
			t.Fatalf("Text of %q = %q, %v; Render's Text is %q", src, text, err, d.Text)
		}
		if !mayHaveProtected([]byte(src)) {
			if rs := protected([]byte(src)); len(rs) > 0 {
				t.Fatalf("pre-check skipped protected ranges %v of %q", rs, src)
			}
		}
		for _, rg := range Protected([]byte(src)) {
			if rg.Start < 0 || rg.End > len(src) || rg.Start >= rg.End {
				t.Fatalf("bad range %v for %q", rg, src)
			}
		}
	})
}

// FuzzMayNeedFix checks the pre-check never skips a change house style
// would make.
func FuzzMayNeedFix(f *testing.F) {
	for _, s := range []string{"好。。。", "１２３", "ａｂ", "３：００", "你好 ，世界", "你好\u3000。", "（好）", "好...", "好—好", "好--好", "“好”", "好,好", "A ：B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if mayNeedFix([]byte(src)) {
			return
		}
		if out, _ := typeset.Fix([]byte(src), nil); string(out) != src {
			t.Fatalf("pre-check skipped %q, which house style changes to %q", src, out)
		}
	})
}
