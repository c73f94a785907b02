package content

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// manyKeys is YAML front matter with n keys ("k0: 值0" …).
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("---\ntitle: 多键稿件\ndate: 2025-05-22\n")
	for i := range n {
		fmt.Fprintf(&b, "k%d: 值%d\n", i, i)
	}
	b.WriteString("---\n正文。\n")
	return b.String()
}

// TestFrontMatterCap: 100,000 keys (1.4 MB) took the YAML parser over a
// minute; the cap refuses them before parsing. The 10 s bound is a
// backstop against a hang, not a speed target.
func TestFrontMatterCap(t *testing.T) {
	t.Parallel()
	src := []byte(manyKeys(100_000))
	type result struct {
		st   *Story
		errs ErrorList
	}
	done := make(chan result, 1)
	go func() {
		st, errs := ParseStory("stories/keys.md", src)
		done <- result{st, errs}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("parsing %d bytes of front matter took over 10 s", len(src))
	}
	if r.st != nil || len(r.errs) != 1 {
		t.Fatalf("ParseStory = %v, %v; want one error", r.st, r.errs)
	}
	var le *LimitError
	if !errors.As(r.errs[0], &le) || le.Part != PartFrontMatter || le.Limit != MaxFrontMatterBytes || le.Size <= MaxFrontMatterBytes {
		t.Fatalf("error = %v, want a front matter LimitError", r.errs[0])
	}
	if r.errs[0].Line != 2 {
		t.Errorf("error at line %d, want 2 (where the front matter starts)", r.errs[0].Line)
	}
}

func TestStoryLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		part Part // "" means the story parses
	}{
		{"many keys under the cap", manyKeys(1000), ""},
		{"front matter just over the cap", "---\ntitle: 标题\ndate: 2025-05-22\nsummary: " + strings.Repeat("长", MaxFrontMatterBytes/3) + "\n---\n正文。\n", PartFrontMatter},
		{"TOML front matter over the cap", "+++\ntitle = \"标题\"\ndate = 2025-05-22\nsummary = \"" + strings.Repeat("长", MaxFrontMatterBytes/3) + "\"\n+++\n正文。\n", PartFrontMatter},
		{"body at the cap", "---\ntitle: 标题\ndate: 2025-05-22\n---\n" + strings.Repeat("a", MaxBodyBytes), ""},
		{"body over the cap", "---\ntitle: 标题\ndate: 2025-05-22\n---\n" + strings.Repeat("正文", MaxBodyBytes/6+1), PartBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, errs := ParseStory("stories/a.md", []byte(tt.src))
			if tt.part == "" {
				if st == nil {
					t.Fatalf("errors: %v", errs)
				}
				return
			}
			var le *LimitError
			if st != nil || len(errs) != 1 || !errors.As(errs[0], &le) || le.Part != tt.part || !errors.Is(errs[0], ErrTooLarge) {
				t.Fatalf("ParseStory = %v, %v; want a %s LimitError", st, errs, tt.part)
			}
		})
	}
	if err := CheckBody(strings.Repeat("字", MaxBodyBytes/3)); err != nil {
		t.Errorf("CheckBody of a body under the cap: %v", err)
	}
}

// The body cap counts text, not the blank lines between paragraphs: the
// same copy typed one paragraph a line or stored as Markdown counts alike.
func TestBodySizeIgnoresBlankLines(t *testing.T) {
	t.Parallel()
	typed := strings.Repeat("居民反映问题。\n", 10000)
	stored := strings.ReplaceAll(typed, "\n", "\n\n")
	if a, b := BodySize(typed), BodySize(stored); a != b || a != len(typed) {
		t.Errorf("typed %d, stored %d, want both %d", a, b, len(typed))
	}
	over := strings.Repeat("长", MaxBodyBytes/3+1)
	if err := CheckBody(over + strings.Repeat("\n", 1000)); err == nil {
		t.Error("a body over the cap passed")
	}
}
