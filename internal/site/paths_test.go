package site

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// Break 1: tags and credits that read like paths ("..", "……") must give
// clean, working folders, never the home page or an escaped folder.
func TestTermsOfPunctuationGetSafeFolders(t *testing.T) {
	s := newTestSite(t, "basic.txtar")
	s.write("stories/2025/dots.md", "---\ntitle: 标签穿越测试\nslug: dots\ncredit: ..\ndate: 2025-05-23\ntags: [\"..\", \"……\", \"/\", \"./..\"]\n---\n正文。\n")
	s.build()
	if home := s.read("index.html"); strings.Contains(home, "标签：") || strings.Contains(home, "供稿</title>") {
		t.Errorf("the home page became a list page: %.200s", home)
	}
	var dirs []string
	filepath.Walk(s.out, func(p string, info os.FileInfo, err error) error {
		rel, _ := filepath.Rel(s.out, p)
		rel = filepath.ToSlash(rel)
		if strings.ContainsAny(rel, "%") || path.Clean(rel) != rel {
			t.Errorf("unclean output path %q", rel)
		}
		if info.IsDir() && (strings.HasPrefix(rel, "tags/t-") || strings.HasPrefix(rel, "credits/t-")) {
			dirs = append(dirs, rel)
		}
		return nil
	})
	// "..", "……", "/" and "./.." as tags, ".." as a credit.
	if len(dirs) != 5 {
		t.Errorf("safe t-<hash> folders: %v, want 4 tags and 1 credit", dirs)
	}
	story := s.read("stories/dots/index.html")
	for _, d := range dirs {
		if !strings.Contains(story, "/"+d+"/") {
			t.Errorf("story page does not link %s", d)
		}
	}
}

func TestTermSlugIsStable(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"长征镇", "chang-zheng-zhen"},
		{"..", "t-"},
		{"……", "t-"},
		{"！？", "t-"},
	} {
		got := termSlug(c.name)
		if !strings.HasPrefix(got, c.want) || got != termSlug(c.name) || !cleanPath(got) {
			t.Errorf("termSlug(%q) = %q, want prefix %q", c.name, got, c.want)
		}
	}
	if termSlug("..") == termSlug("……") {
		t.Error("different names share a fallback slug")
	}
}

// The builder refuses a plan with an unclean or shared path, naming the
// story.
func TestBuilderRefusesUncleanOrCollidingPaths(t *testing.T) {
	for _, c := range []struct {
		name  string
		pages []*page
		want  []string
	}{
		{"dotdot", []*page{{path: "tags/../index.html", from: "stories/a.md"}}, []string{"stories/a.md", "tags/../index.html"}},
		{"escaped", []*page{{path: "tags/%E2%80%A6/index.html", from: "stories/b.md"}}, []string{"stories/b.md", "不安全"}},
		{"empty segment", []*page{{path: "tags//index.html", from: "stories/c.md"}}, []string{"stories/c.md"}},
		{"absolute", []*page{{path: "/index.html", from: "stories/d.md"}}, []string{"stories/d.md"}},
		{"collision", []*page{{path: "index.html"}, {path: "index.html", from: "stories/e.md"}}, []string{"stories/e.md", "重复"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkPaths(c.pages)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if err := checkPaths([]*page{{path: "index.html"}, {path: "stories/x/index.html"}, {path: "stories/x/photo.jpg"}}); err != nil {
		t.Errorf("clean plan refused: %v", err)
	}
}
