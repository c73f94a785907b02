package layout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/content"
)

// storyOf makes a story of about n characters of Chinese copy in
// paragraphs of about 150 characters.
func storyOf(slug, title string, n int) *content.Story {
	const sentence = "街道社区联合物业开展管道疏通行动，居民满意度明显提升。"
	var b strings.Builder
	written := 0
	for written < n {
		para := strings.Builder{}
		for para.Len()/3 < 150 && written < n {
			para.WriteString(sentence)
			written += len([]rune(sentence))
		}
		b.WriteString(para.String())
		b.WriteString("\n\n")
	}
	return &content.Story{Slug: slug, Title: title, Credit: "长征镇",
		Date: time.Date(2025, 6, 17, 0, 0, 0, 0, time.UTC), Body: []byte(b.String())}
}

// withStories is the sample edition with extra stories of the given
// lengths after its own items.
func withStories(tb testing.TB, lengths ...int) (*content.Content, *content.Edition) {
	c := mustLoad(tb, "testdata/sample")
	base := mustEdition(tb, c, "2025-06-17")
	cc := *c
	cc.Stories = append([]*content.Story(nil), c.Stories...)
	e := *base
	e.Items = append([]content.Item(nil), base.Items...)
	for i, n := range lengths {
		s := storyOf(fmt.Sprintf("extra-%d", i+1), fmt.Sprintf("社区治理添新招第%d篇", i+1), n)
		cc.Stories = append(cc.Stories, s)
		e.Items = append(e.Items, content.Item{Story: s.Slug})
	}
	return &cc, &e
}

func area(m ModuleReport) int { return m.Columns * m.Lines }

func TestAutoLayoutTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		lengths []int
		fits    bool
	}{
		{"样版", nil, true},
		{"加一篇短稿", []int{300}, true},
		{"加一篇长稿", []int{2000}, true},
		{"加两篇", []int{800, 1200}, true},
		{"加三篇", []int{300, 600, 500}, true},
		{"加四篇短稿", []int{300, 400, 500, 600}, true},
		{"加四篇中稿", []int{400, 300, 300, 400}, true},
		{"加四篇长稿，排不下", []int{2000, 1800, 1500, 2000}, false},
		{"加三篇长稿，排不下", []int{2000, 2000, 2000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, e := withStories(t, tt.lengths...)
			rep, err := Estimate(c, e)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Modules) != 3+len(tt.lengths) {
				t.Fatalf("%d modules, want %d", len(rep.Modules), 3+len(tt.lengths))
			}
			checkGrid(t, rep)
			lead := rep.Modules[0]
			if !lead.Lead || lead.Row != rep.Grid.MastheadLines {
				t.Errorf("first module %s (row %d) is not the lead at the top", lead.Item, lead.Row)
			}
			if !tt.fits {
				if rep.Page.Fit != Overset || len(rep.Page.Cuts) == 0 || rep.Page.Chars <= 0 {
					t.Fatalf("page fit %+v: want overset with cuts", rep.Page)
				}
				total := 0
				for _, cut := range rep.Page.Cuts {
					m := rep.Module(cut.Item)
					if m == nil || m.Status != Overset || cut.Chars != m.Cut || cut.Chars <= 0 {
						t.Errorf("cut %+v does not match its module %+v", cut, m)
					}
					if !strings.Contains(rep.Page.Summary, "《"+cut.Title+"》删约") {
						t.Errorf("summary %q does not name the cut from 《%s》", rep.Page.Summary, cut.Title)
					}
					total += cut.Chars
				}
				if total != rep.Page.Chars {
					t.Errorf("page cut %d, the modules' cuts add to %d", rep.Page.Chars, total)
				}
				return
			}
			for _, m := range rep.Modules {
				if m.Status == Overset {
					t.Errorf("%s overset: %s", m.Item, m.Describe())
				}
				if m.Item != lead.Item && area(m) > area(lead) {
					t.Errorf("%s (%d栏×%d行) is larger than the lead (%d栏×%d行)", m.Item, m.Columns, m.Lines, lead.Columns, lead.Lines)
				}
			}
			if rep.Page.Fit == Overset {
				t.Errorf("page fit %+v, want it to fit", rep.Page)
			}
			// When the copy fills the page, no module is more than about
			// 15% short (the worst this table shows is 17%, on a page of
			// many short stories where the lead must stay the largest).
			if float64(rep.Page.NeedLines) >= 0.85*float64(rep.Page.AvailLines) {
				for _, m := range rep.Modules {
					if u := float64(m.Lines-m.NeedLines) / float64(m.Lines); u > 0.18 {
						t.Errorf("%s is %.0f%% underset (%d lines for %d needed) on a full page", m.Item, u*100, m.Lines, m.NeedLines)
					}
				}
			}
		})
	}
}

// checkGrid checks that the modules tile inside the type area without
// overlapping.
func checkGrid(t *testing.T, rep *Report) {
	t.Helper()
	cells := map[[2]int]string{}
	for _, m := range rep.Modules {
		if m.Column < 1 || m.Column+m.Columns-1 > rep.Grid.Columns || m.Row < rep.Grid.MastheadLines || m.Row+m.Lines > rep.Grid.Lines || m.Lines < 1 {
			t.Errorf("%s off the grid: column %d+%d, row %d+%d", m.Item, m.Column, m.Columns, m.Row, m.Lines)
		}
		for r := m.Row; r < m.Row+m.Lines; r++ {
			for c := m.Column; c < m.Column+m.Columns; c++ {
				if o := cells[[2]int{r, c}]; o != "" {
					t.Fatalf("%s overlaps %s at row %d column %d", m.Item, o, r, c)
				}
				cells[[2]int{r, c}] = m.Item
			}
		}
	}
}

func TestAutoLayoutMoveSuggestion(t *testing.T) {
	t.Parallel()
	// One long story too many: moving it lets the rest fit.
	c, e := withStories(t, 2000, 1500)
	rep, err := Estimate(c, e)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Page.Fit != Overset || len(rep.Page.Move) != 1 {
		t.Fatalf("page %+v: want overset with one story to move", rep.Page)
	}
	if !strings.Contains(rep.Page.Summary, "移到其他版面") {
		t.Errorf("summary %q does not say which story to move", rep.Page.Summary)
	}
	// Moving it does let the rest fit.
	var items []content.Item
	for _, it := range e.Items {
		if it.Story != rep.Page.Move[0] {
			items = append(items, it)
		}
	}
	e.Items = items
	rep2, err := Estimate(c, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.Page.Cuts) != 0 {
		t.Errorf("without %s the page still has cuts: %s", rep.Page.Move[0], rep2.Page.Summary)
	}
}

func TestAutoLayoutOverrides(t *testing.T) {
	t.Parallel()
	c, e := withStories(t, 800, 1200)
	e.Items[1].Module = &content.ItemModule{Columns: 3, Lines: 40, Locked: true}
	e.Items[2].Module = &content.ItemModule{Columns: 4}
	rep, err := Estimate(c, e)
	if err != nil {
		t.Fatal(err)
	}
	checkGrid(t, rep)
	m := rep.Module(e.Items[1].Story)
	if m.Columns != 3 || m.Lines != 40 || !m.Locked {
		t.Errorf("locked module %s is %d栏×%d行 (locked %v), want 3栏×40行 locked", m.Item, m.Columns, m.Lines, m.Locked)
	}
	if b := rep.Module("honour-roll"); b.Columns != 4 {
		t.Errorf("box has %d columns, want the 4 the editor set", b.Columns)
	}
}

func BenchmarkAutoLayout8(b *testing.B) {
	c, e := withStories(b, 300, 600, 900, 1200, 500)
	g, err := NewGrid(ResolveGeometry(c.Site.Geometry, e.Geometry))
	if err != nil {
		b.Fatal(err)
	}
	ps, err := pieces(c, e, newRenderer(c), nil)
	if err != nil {
		b.Fatal(err)
	}
	if len(ps) != 8 {
		b.Fatalf("%d modules, want 8", len(ps))
	}
	b.ResetTimer()
	for b.Loop() {
		for _, p := range ps {
			p.bodyN = 0 // count the copy again, as a fresh layout does
		}
		if mods := g.autoLayout(ps); len(mods) != 8 {
			b.Fatalf("%d modules placed", len(mods))
		}
	}
}

// BenchmarkEstimate8 is the work behind one live update of the desk's
// builder: markdown, copyfit and automatic layout of an eight-module page.
func BenchmarkEstimate8(b *testing.B) {
	c, e := withStories(b, 300, 600, 900, 1200, 500)
	for b.Loop() {
		if _, err := Estimate(c, e); err != nil {
			b.Fatal(err)
		}
	}
}
