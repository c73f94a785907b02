package markdown

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// hostileShapes are bodies whose rendering time used to grow with the
// square of their size (issue 12). Each returns about n bytes.
var hostileShapes = []struct {
	name string
	gen  func(n int) []byte
}{
	{"> repeated", func(n int) []byte { return bytes.Repeat([]byte(">"), n) }},
	{"> and space repeated", func(n int) []byte { return bytes.Repeat([]byte("> "), n/2) }},
	{"1. repeated", func(n int) []byte { return bytes.Repeat([]byte("1. "), n/3) }},
	{"autolinks", func(n int) []byte { return bytes.Repeat([]byte("<http://a.b/>"), n/13) }},
	{"[a]( repeated", func(n int) []byte { return bytes.Repeat([]byte("[a]("), n/4) }},
	{"[a](< repeated", func(n int) []byte { return bytes.Repeat([]byte("[a](<"), n/5) }},
	{"link reference definitions", func(n int) []byte {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "[r%d]: http://a.b/%d\n", i, i)
		}
		return []byte(b.String())
	}},
	{"reference links on many lines", func(n int) []byte { return bytes.Repeat([]byte("[a][b]\n"), n/7) }},
	{"shortcut links on many lines", func(n int) []byte { return bytes.Repeat([]byte("[a]\n"), n/4) }},
	{"Chinese copy", func(n int) []byte {
		return bytes.Repeat([]byte("自党建引领**“多格合一”**试点工作启动以来，长征镇持续推动[基层治理](https://example.com/a)。\n\n"), n/130)
	}},
}

// renderAll is what the desk's preview does with a body: render it with
// house style and find its protected ranges.
func renderAll(t testing.TB, r *Renderer, src []byte) {
	t.Helper()
	if _, err := r.Render(src); err != nil {
		t.Fatal(err)
	}
	Protected(src)
}

// TestHostileShapesFinish renders each hostile shape at a size where the
// old code took over 10 s (400 KB: goldmark alone takes 20–140 s on the
// nesting and link shapes, and Render+Protected took 13 s on 260 KB of
// autolinks; under the race detector, which slows both old and new code
// 5-10 times, 100 KB). Now each takes well under a second; the bound is
// only a backstop against a hang, generous for a loaded machine.
func TestHostileShapesFinish(t *testing.T) {
	t.Parallel()
	size := 400 << 10
	if raceEnabled {
		size = 100 << 10
	}
	r := New(Options{Typeset: true, Timeout: time.Minute})
	for _, sh := range hostileShapes {
		t.Run(sh.name, func(t *testing.T) {
			src := sh.gen(size)
			done := make(chan error, 1)
			go func() {
				_, err := r.Render(src)
				Protected(src)
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("rendering %d bytes of %s did not finish in 30 s", len(src), sh.name)
			}
		})
	}
}

func BenchmarkHostileShapes(b *testing.B) {
	r := New(Options{Typeset: true})
	for _, sh := range hostileShapes {
		for _, n := range []int{20 << 10, 200 << 10} {
			src := sh.gen(n)
			b.Run(fmt.Sprintf("%s/%dKB", sh.name, n>>10), func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					renderAll(b, r, src)
				}
			})
		}
	}
}

func TestRenderDeadline(t *testing.T) {
	r := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.RenderContext(ctx, bytes.Repeat([]byte("长征镇持续推动基层治理。\n\n"), 1000))
	if !errors.Is(err, ErrDeadline) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrDeadline wrapping context.Canceled", err)
	}
	// A deadline in the middle of a long body stops the block parser: the
	// rendering returns long before the body would be done.
	src := bytes.Repeat([]byte("> 长征镇**持续**推动[基层](http://a.b)治理。\n\n"), 200000)
	tr := New(Options{Timeout: 10 * time.Millisecond})
	start := time.Now()
	_, err = tr.Render(src)
	if !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrDeadline wrapping context.DeadlineExceeded", err)
	}
	t.Logf("a %d-byte body with a 10 ms deadline returned after %v", len(src), time.Since(start))
}

func TestCheckNesting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		line int // 0: no error
	}{
		{"three levels of quote and list", "> - > 引文\n", 0},
		{"sixteen quotes", strings.Repeat(">", 16) + " 引文", 0},
		{"seventeen quotes", "正文\n\n" + strings.Repeat(">", 17) + " 引文", 3},
		{"nested lists on one line", strings.Repeat("- ", 17) + "项", 1},
		{"ordered lists", strings.Repeat("1. ", 17) + "项", 1},
		{"thematic break of dashes", strings.Repeat("- ", 40), 0},
		{"greater-than in text", "甲 " + strings.Repeat(">", 40), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNesting([]byte(tt.src))
			var ne *NestingError
			if tt.line == 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.As(err, &ne) || ne.Line != tt.line || !errors.Is(err, ErrTooDeep) {
				t.Fatalf("err = %v, want a NestingError at line %d", err, tt.line)
			}
		})
	}
}

// TestDeepNestingFlattened: Render and Protected cut nesting at
// MaxNesting (the rest of the line is text), and Protected's offsets still
// point into the original source.
func TestDeepNestingFlattened(t *testing.T) {
	t.Parallel()
	src := strings.Repeat(">", 40) + " 用`a, b`表示"
	d, err := New(Options{}).Render([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(d.HTML), "<blockquote>"); n != MaxNesting {
		t.Errorf("%d block quotes, want %d", n, MaxNesting)
	}
	rs := Protected([]byte(src))
	if len(rs) != 1 || src[rs[0].Start:rs[0].End] != "`a, b`" {
		t.Errorf("Protected = %v", rs)
	}
	if shallow := "> 引文\n"; string(flattenDeep([]byte(shallow))) != shallow {
		t.Error("flattenDeep changed a shallow body")
	}
}

// TestLinkGuard: inline links still parse as CommonMark says, and those
// the guard turns down fall back to text or a shortcut reference.
func TestLinkGuard(t *testing.T) {
	t.Parallel()
	r := New(Options{})
	tests := []struct {
		src, want string
	}{
		{"[甲](http://a.b/c)", `<a href="http://a.b/c">甲</a>`},
		{"[甲](http://a.b/(c)d)", `<a href="http://a.b/(c)d">甲</a>`},
		{"[甲](<http://a.b/c d>)", `<a href="http://a.b/c%20d">甲</a>`},
		{"[甲](<a<1>)", `[甲](&lt;a&lt;1&gt;)`},
		{"[甲](" + strings.Repeat("(", 40) + "x" + strings.Repeat(")", 40) + ")", "[甲]("},
		{"[甲](" + strings.Repeat("(", 30) + "x" + strings.Repeat(")", 30) + ")", `<a href="`},
		{"[甲](\n\n[甲]: http://a.b/", `<a href="http://a.b/">甲</a>(`},
		{"[甲](" + strings.Repeat("[a](", 100), "[甲]("},
		{strings.Repeat("[", 100), strings.Repeat("[", 100)},
		{"![图](a.png)", `<img src="a.png" alt="图"`},
	}
	for _, tt := range tests {
		d, err := r.Render([]byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(d.HTML), tt.want) {
			t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, d.HTML, tt.want)
		}
	}
}
