package theme

import (
	"strings"
	"testing"
	"time"
)

func TestBreakText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"从“痛点”到“焦点”　推动基层治理“一呼百应”",
			"从<wbr>&#34;痛点&#34;\u2060到<wbr>&#34;焦点&#34;　<wbr>推动基层治理<wbr>&#34;一呼<span class=\"nobr\">百应&#34;</span>"},
		{"普陀区长征镇为“网格”赋能，形成社区治理新格局",
			"普陀区长征镇为<wbr>&#34;网格&#34;\u2060赋能，<wbr>形成社区治理新<span class=\"nobr\">格局</span>"},
		{"荣誉榜", "荣<span class=\"nobr\">誉榜</span>"},
		{"局", "局"},
	} {
		// html/template escapes the curly quotes as themselves; compare
		// with straight quotes standing in for them.
		got := strings.NewReplacer("“", "&#34;", "”", "&#34;").Replace(string(BreakText(tc.in)))
		if got != tc.want {
			t.Errorf("BreakText(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestBreakHeadingsAndShift(t *testing.T) {
	t.Parallel()
	body := `<p>正文，不变。</p>
<h2 id="a">从“痛点”到“焦点”　推动基层治理“一呼百应”</h2>
<h3 id="b">源头<em>预防</em></h3>`
	got := ShiftHeadings(BreakHeadings(body))
	for _, want := range []string{
		`<p>正文，不变。</p>`,
		"<h3 id=\"a\">从<wbr>“痛点”\u2060到<wbr>“焦点”　<wbr>推动基层治理<wbr>“一呼<span class=\"nobr\">百应”</span></h3>",
		`<h4 id="b">源头<em><span class="nobr">预防</span></em></h4>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
}

func TestBreakHTMLLinear(t *testing.T) {
	// 300,000 characters: linear work takes well under a second, a
	// quadratic walk hours; the bound leaves room for -race on a busy
	// machine.
	long := strings.Repeat("社区，", 70000) + strings.Repeat("<em>x</em>", 20000)
	start := time.Now()
	done := make(chan struct{})
	go func() { BreakHeadings("<h2>" + long + "</h2>"); ShiftHeadings(long); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("not linear: still running after %s", time.Since(start))
	}
}
