package site

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/banmian/banmian/internal/theme"
)

// dumpTemplate writes a template that prints every exported field of t
// (the type of dot), following pointers as deep as page fingerprints do.
func dumpTemplate(b *strings.Builder, t reflect.Type, depth int) {
	switch t.Kind() {
	case reflect.Pointer:
		if depth >= viewDepth {
			return
		}
		b.WriteString("{{with .}}")
		dumpTemplate(b, t.Elem(), depth+1)
		b.WriteString("{{end}}")
	case reflect.Struct:
		if t == timeType {
			b.WriteString("{{.}}")
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fmt.Fprintf(b, "%s=", f.Name)
			d := depth
			if f.Anonymous && f.Type.Kind() == reflect.Pointer {
				d-- // promoted fields read as the view's own
			}
			fmt.Fprintf(b, "{{with .%s}}", f.Name)
			dumpTemplate(b, f.Type, d)
			b.WriteString("{{end}};")
		}
	case reflect.Slice, reflect.Array:
		b.WriteString("[{{range .}}")
		dumpTemplate(b, t.Elem(), depth)
		b.WriteString(",{{end}}]")
	case reflect.Map:
		b.WriteString("{{range $k, $v := .}}{{$k}}:{{with $v}}")
		dumpTemplate(b, t.Elem(), depth)
		b.WriteString("{{end}},{{end}}")
	default:
		b.WriteString("{{.}}")
	}
}

// dumpTheme is a theme whose every page prints every field of every view
// it is given.
func dumpTheme(t *testing.T) fs.FS {
	var b strings.Builder
	dumpTemplate(&b, reflect.TypeFor[pageData](), 0)
	body := b.String()
	fsys := fstest.MapFS{"layouts/_base.html": {Data: []byte(`{{block "main" .}}{{end}}`)}}
	for _, kind := range theme.Kinds {
		fsys["layouts/"+kind+".html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}` + kind + "\n" + body + `{{end}}`)}
	}
	if _, err := theme.Load("dump", fsys); err != nil {
		t.Fatal(err)
	}
	return fsys
}

// Break 6: page fingerprints came from hand-kept field lists (and
// fmt.Sprint of the site config, which prints the address of its *bool),
// so with typeset set every change re-rendered almost every page, and a
// field left off a list could leave a page stale. With a theme that prints
// every field of every view, an incremental build after each kind of
// change must equal a clean build byte for byte, and with typeset set a
// change of one story must not re-render everything.
func TestIncrementalEqualsCleanWithEveryField(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	dump := dumpTheme(t)
	themes := func(string) (fs.FS, error) { return dump, nil }
	newB := func(out string) *Builder {
		return New(Options{Source: os.DirFS(s.src), OutDir: out, Themes: themes})
	}
	s.builder = newB(s.out)
	site := mustRead(t, filepath.Join(s.src, "site.yaml"))
	s.write("site.yaml", site+"typeset: true\n")
	s.build()
	story := func(name string) string { return mustRead(t, filepath.Join(s.src, "stories/2025", name)) }
	changes := []struct {
		name string
		do   func()
	}{
		{"nothing", func() {}},
		{"story body", func() {
			s.write("stories/2025/sheshan.md", strings.Replace(story("sheshan.md"), "群众利益无小事", "群众利益无小事（改）", 1))
		}},
		{"story title", func() {
			s.write("stories/2025/sheshan.md", strings.Replace(story("sheshan.md"), "title: 佘山镇", "title: 松江区佘山镇", 1))
		}},
		{"story tags and credit", func() {
			s.write("stories/2025/older.md", strings.Replace(story("older.md"), "credit: 长征镇", "tags: [新标签]\ncredit: 新单位", 1))
		}},
		{"correction", func() {
			s.write("stories/2025/sheshan.md", strings.Replace(story("sheshan.md"), "\ntitle:", "\ncorrections:\n  - date: 2025-05-25\n    note: 更正了一处错字\ntitle:", 1))
		}},
		{"story added", func() {
			s.write("stories/2025/added.md", "---\ntitle: 新加的稿件\nslug: added\ncredit: 长征镇\ndate: 2025-05-26\ntags: [网格]\n---\n新的一篇。\n")
		}},
		{"story removed", func() { os.Remove(filepath.Join(s.src, "stories/2025/added.md")) }},
		{"edition page", func() {
			p := filepath.Join(s.src, "editions/2025-05-22.yaml")
			s.write("editions/2025-05-22.yaml", strings.Replace(mustRead(t, p), "page: ", "page: 1", 1))
		}},
		{"box", func() {
			p := filepath.Join(s.src, "boxes/rongyubang-2025-05-22.yaml")
			s.write("boxes/rongyubang-2025-05-22.yaml", mustRead(t, p)+"note: 排名不分先后\n")
		}},
		{"site title", func() {
			s.write("site.yaml", strings.Replace(site, "title: 多维世界", "title: 多维世界（新）", 1)+"typeset: true\n")
		}},
		{"typeset off", func() { s.write("site.yaml", site+"typeset: false\n") }},
		{"masthead", func() {
			s.write("site.yaml", strings.Replace(site, "editor: 郭爽", "editor: 郭爽爽", 1)+"typeset: false\n")
		}},
	}
	for _, c := range changes {
		c.do()
		// Let the content cache see a new modification time.
		now := time.Now().Add(time.Duration(len(c.name)) * time.Second)
		filepath.Walk(s.src, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				os.Chtimes(p, now, now)
			}
			return nil
		})
		st := s.build()
		clean := filepath.Join(t.TempDir(), "clean")
		if _, err := newB(clean).Build(context.Background()); err != nil {
			t.Fatal(err)
		}
		a, b := tree(t, clean), tree(t, s.out)
		for p, want := range a {
			if b[p] != want {
				t.Errorf("%s: incremental %s differs from a clean build", c.name, p)
			}
		}
		for p := range b {
			if _, ok := a[p]; !ok {
				t.Errorf("%s: incremental build has %s, a clean build does not", c.name, p)
			}
		}
		if c.name == "nothing" && st.Rendered != 0 {
			t.Errorf("typeset on, nothing changed: %d pages rendered", st.Rendered)
		}
		if c.name == "story body" && st.Rendered >= st.Pages-3 {
			t.Errorf("typeset on, one story changed: %d of %d pages rendered", st.Rendered, st.Pages)
		}
	}
}
