package site

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// Break 1: tags and credits that read like paths ("..", "……") must give
// clean, working folders, never the home page or an escaped folder.
func TestTermsOfPunctuationGetSafeFolders(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// siteHash fingerprints a folder: paths, kinds, modes and file contents.
func siteHash(tb testing.TB, dir string) string {
	tb.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", rel, info.Mode())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// Break 2: an incremental build that fails part way (a page blocked by a
// folder, or an emitter failing after the pages are written) leaves the
// live site byte for byte as it was.
func TestFailedIncrementalBuildLeavesSiteAsItWas(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"blocked page", "emitter"} {
		t.Run(c, func(t *testing.T) {
			s := newTestSite(t, "basic.txtar")
			failing := false
			s.builder = New(Options{Source: os.DirFS(s.src), OutDir: s.out, Emitters: []Emitter{
				func(ctx context.Context, dir string, snap *Snapshot) error {
					if failing {
						return errors.New("emitter failed")
					}
					return nil
				},
			}})
			s.build()
			if c == "blocked page" {
				p := filepath.Join(s.out, "tags", "index.html")
				os.Remove(p)
				os.Mkdir(p, 0o755)
			} else {
				failing = true
			}
			before := siteHash(t, s.out)
			s.write("stories/2025/new.md", "---\ntitle: 新的稿件\nslug: new-story\ncredit: 新单位\ndate: 2025-05-24\ntags: [新标签]\n---\n正文。\n")
			os.Remove(filepath.Join(s.src, "stories", "2025", "older.md"))
			_, err := s.builder.Build(context.Background())
			if err == nil {
				t.Fatal("build succeeded")
			}
			t.Log(err)
			if got := siteHash(t, s.out); got != before {
				t.Error("the live site changed in a failed build")
			}
		})
	}
}
