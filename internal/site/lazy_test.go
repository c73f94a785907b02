package site

import (
	"errors"
	"html/template"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
)

// TestLazyBodyRendersOnceOnFirstUse: a story view left to render its body
// on first use renders it once, however many pages ask at the same time,
// and only when one of them shows it.
func TestLazyBodyRendersOnceOnFirstUse(t *testing.T) {
	var calls atomic.Int32
	v := &storyView{Story: &content.Story{Path: "stories/2025/a.md"}}
	v.renderLazily(func() (*pageDoc, error) {
		calls.Add(1)
		return &pageDoc{
			HTML:     "<p>长征镇居民</p><h2>小标题</h2>",
			Headings: []markdown.Heading{{Text: "小标题"}},
			Chars:    8,
			Excerpt:  "长征镇居民",
		}, nil
	})
	list := template.Must(template.New("list").Parse(`{{range .}}<li>{{.Title}}</li>{{end}}`))
	var b strings.Builder
	if err := list.Execute(&b, []*storyView{v}); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("a list of titles rendered the body %d times", n)
	}
	page := template.Must(template.New("page").Parse(`{{.Excerpt}}|{{.Chars}}|{{len .Headings}}|{{.HTML}}`))
	var wg sync.WaitGroup
	out := make([]string, 8)
	for i := range out {
		wg.Go(func() {
			var b strings.Builder
			if err := page.Execute(&b, v); err != nil {
				t.Error(err)
			}
			out[i] = b.String()
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("eight pages rendered the body %d times, want once", n)
	}
	// (The story page keeps a subhead's last two characters together.)
	if want := `长征镇居民|8|1|<p>长征镇居民</p><h2>小<span class="nobr">标题</span></h2>`; out[0] != want {
		t.Errorf("page = %q, want %q", out[0], want)
	}
}

// TestLazyBodyErrorNamesTheFile: a body that fails to render when a page
// first shows it fails that page with the story's file and line (and the
// desk's Chinese), through the template's own error.
func TestLazyBodyErrorNamesTheFile(t *testing.T) {
	s := &content.Story{Path: "stories/2025/changzheng.md", BodyLine: 9}
	v := &storyView{Story: s}
	v.renderLazily(func() (*pageDoc, error) {
		return nil, bodyError(s, markdown.ErrDeadline)
	})
	page := template.Must(template.New("page").Parse(`<h1>{{.Title}}</h1>{{.HTML}}`))
	err := page.Execute(&strings.Builder{}, v)
	if !errors.Is(err, markdown.ErrDeadline) {
		t.Fatalf("page error = %v, want the body's", err)
	}
	list := content.AsList(err)
	if len(list) != 1 || !strings.HasPrefix(list[0].Error(), "stories/2025/changzheng.md:9: ") ||
		!strings.Contains(list[0].Zh, "正文无法生成网页") {
		t.Errorf("as the user sees it: %v", list)
	}
	for name, get := range map[string]func() error{
		"Excerpt":  func() error { _, err := v.Excerpt(); return err },
		"Chars":    func() error { _, err := v.Chars(); return err },
		"Headings": func() error { _, err := v.Headings(); return err },
	} {
		if err := get(); !errors.Is(err, markdown.ErrDeadline) {
			t.Errorf("%s error = %v, want the body's", name, err)
		}
	}
}
