package markdown

import (
	"strings"
	"testing"
	"time"
)

func TestLinesToParagraphs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"one line", "长征镇社区食堂开张。", "长征镇社区食堂开张。"},
		{"single breaks", "第一段。\n第二段。\n第三段。", "第一段。\n\n第二段。\n\n第三段。"},
		{"windows breaks", "第一段。\r\n第二段。", "第一段。\n\n第二段。"},
		{"already blank", "第一段。\n\n第二段。", "第一段。\n\n第二段。"},
		{"subhead", "## 一、概况\n居民排起长队。", "## 一、概况\n\n居民排起长队。"},
		{"fence", "```\n代码一\n代码二\n```\n正文。", "```\n代码一\n代码二\n```\n\n正文。"},
		{"table", "| 企业 | 产品 |\n| --- | --- |\n| 甲 | 乙 |", "| 企业 | 产品 |\n| --- | --- |\n| 甲 | 乙 |"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := LinesToParagraphs(tt.in)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if again := LinesToParagraphs(got); again != got {
				t.Errorf("not idempotent: %q", again)
			}
			if back := LinesToParagraphs(ParagraphsToLines(got)); back != got {
				t.Errorf("round trip through ParagraphsToLines: %q", back)
			}
		})
	}
}

func TestLinesToParagraphsRendersParagraphs(t *testing.T) {
	t.Parallel()
	doc, err := New(Options{}).Render([]byte(LinesToParagraphs("第一段。\n第二段。")))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(doc.HTML), "<p>"); n != 2 {
		t.Errorf("%d paragraphs: %s", n, doc.HTML)
	}
}

func TestLinesToParagraphsLinear(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("一行字。\n", 200000)
	done := make(chan string)
	go func() { done <- LinesToParagraphs(body) }()
	select {
	case out := <-done:
		if n := strings.Count(out, "。\n\n一"); n != 199999 {
			t.Errorf("%d paragraph breaks, want 199999", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LinesToParagraphs took more than 10 s on 200,000 lines")
	}
}

func TestParagraphsToLines(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"第一段。\n\n第二段。", "第一段。\n第二段。"},
		{"## 一、概况\n\n居民排起长队。\n\n\n第三段。", "## 一、概况\n居民排起长队。\n\n\n第三段。"},
		{"```\n代码\n\n代码\n```\n\n正文。", "```\n代码\n\n代码\n```\n正文。"},
	} {
		if got := ParagraphsToLines(tt.in); got != tt.want {
			t.Errorf("ParagraphsToLines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
