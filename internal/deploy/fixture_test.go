package deploy

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/static"
	"github.com/banmian/banmian/internal/site"
)

// testSite is a content folder and the site built from it, the way
// banmian build makes it (pages plus the static search index).
type testSite struct {
	t   testing.TB
	src string
	out string
}

var towns = []string{"长征镇", "佘山镇", "曹家渡街道", "石泉路街道"}

// newTestSite writes a content folder of n stories on one edition.
func newTestSite(t testing.TB, n int) *testSite {
	t.Helper()
	root := t.TempDir()
	s := &testSite{t: t, src: filepath.Join(root, "content"), out: filepath.Join(root, "public")}
	s.write("site.yaml", "title: 多维世界\nbaseURL: /\nsection: 多维世界\n")
	var items strings.Builder
	for i := range n {
		s.story(i, fmt.Sprintf("社区治理第%d篇：小区管道“添堵”，“多格合一”舒心", i+1), "自党建引领“多格合一”试点工作启动以来，居民的烦心事有了着落。")
		fmt.Fprintf(&items, "  - story: story-%03d\n", i)
	}
	s.write("editions/2025-05-22.yaml", "date: \"2025-05-22\"\npage: 14\nitems:\n"+items.String())
	return s
}

func (s *testSite) write(name, text string) {
	s.t.Helper()
	p := filepath.Join(s.src, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// story writes story i (slug story-NNN).
func (s *testSite) story(i int, title, body string) {
	s.write(fmt.Sprintf("stories/2025/story-%03d.md", i), fmt.Sprintf(`---
title: %s
credit: %s
date: 2025-05-22
edition: 2025-05-22
tags: [社区治理]
slug: story-%03d
---
%s
`, title, towns[i%len(towns)], i, body))
}

// remove deletes story i and takes it off the edition.
func (s *testSite) remove(i int) {
	s.t.Helper()
	if err := os.Remove(filepath.Join(s.src, fmt.Sprintf("stories/2025/story-%03d.md", i))); err != nil {
		s.t.Fatal(err)
	}
	p := filepath.Join(s.src, "editions", "2025-05-22.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		s.t.Fatal(err)
	}
	s.write("editions/2025-05-22.yaml", strings.Replace(string(b), fmt.Sprintf("  - story: story-%03d\n", i), "", 1))
}

// build builds the site into s.out, as a fresh full build, and returns
// its files with their contents.
func (s *testSite) build() map[string]string {
	s.t.Helper()
	static := func(ctx context.Context, dir string, snap *site.Snapshot) error {
		texts, err := snap.Texts(ctx)
		if err != nil {
			return err
		}
		return static.Write(filepath.Join(dir, "search"), search.FromTexts(snap.Content, texts), static.Options{Title: snap.Content.Site.Title, Home: "/"})
	}
	b := site.New(site.Options{Source: os.DirFS(s.src), OutDir: s.out, Emitters: []site.Emitter{static}})
	if _, err := b.Build(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	return s.files()
}

// files reads the built site (what a deploy sends: no dot files).
func (s *testSite) files() map[string]string {
	s.t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(s.out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.out, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && hidden(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// changed lists the paths whose content differs between two builds or
// that only the second has.
func changed(before, after map[string]string) []string {
	var l []string
	for p, b := range after {
		if a, ok := before[p]; !ok || a != b {
			l = append(l, p)
		}
	}
	return l
}
