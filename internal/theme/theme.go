// Package theme loads a site theme: html/template layouts, partials and
// static files, read through an fs.FS so a theme can live on disk
// (themes/<name>/) or be the one embedded in the binary. The site builder
// and the editorial server's preview share it.
//
// A theme folder holds:
//
//	layouts/_base.html      the page skeleton; defines blocks "title" and "main"
//	layouts/<kind>.html     one per page kind (home, edition, story, list,
//	                        terms, archive, month, notfound)
//	partials/*.html         shared snippets, callable with {{template "name.html" .}}
//	partials/site*.html     the parts every page shares (sitehead.html,
//	                        siteheader.html, sitefooter.html): the builder
//	                        renders them once per build, with the site and
//	                        root of every page, and gives them to layouts as
//	                        .Chrome.Head, .Chrome.Header and .Chrome.Footer
//	static/**               copied to the site root as is (CSS, fonts, images)
//
// A loaded Theme is immutable and safe for concurrent use.
package theme

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

// Kinds are the page kinds every theme must provide.
var Kinds = []string{"home", "edition", "story", "list", "terms", "archive", "month", "notfound"}

// Theme is a parsed theme.
type Theme struct {
	Name     string
	pages    map[string]*template.Template
	partials *template.Template // _base and the partials, for Partial
	static   fs.FS
	pool     sync.Pool
}

// Load parses the theme in fsys (the theme folder itself).
func Load(name string, fsys fs.FS) (*Theme, error) {
	base, err := fs.ReadFile(fsys, "layouts/_base.html")
	if err != nil {
		return nil, fmt.Errorf("theme %s: %w", name, err)
	}
	root := template.New("_base.html").Funcs(Funcs())
	if _, err := root.Parse(string(base)); err != nil {
		return nil, fmt.Errorf("theme %s: layouts/_base.html: %w", name, err)
	}
	partials, _ := fs.Glob(fsys, "partials/*.html")
	sort.Strings(partials)
	for _, p := range partials {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("theme %s: %w", name, err)
		}
		if _, err := root.New(path.Base(p)).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme %s: %s: %w", name, p, err)
		}
	}
	t := &Theme{Name: name, pages: map[string]*template.Template{}}
	if t.partials, err = root.Clone(); err != nil {
		return nil, fmt.Errorf("theme %s: %w", name, err)
	}
	for _, kind := range Kinds {
		file := "layouts/" + kind + ".html"
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("theme %s: missing %s: %w", name, file, err)
		}
		clone, err := root.Clone()
		if err != nil {
			return nil, fmt.Errorf("theme %s: %w", name, err)
		}
		if _, err := clone.New(kind + ".html").Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme %s: %s: %w", name, file, err)
		}
		t.pages[kind] = clone
	}
	if sub, err := fs.Sub(fsys, "static"); err == nil {
		t.static = sub
	}
	t.pool.New = func() any { return new(bytes.Buffer) }
	return t, nil
}

// Execute renders the page kind with data to w.
func (t *Theme) Execute(w io.Writer, kind string, data any) error {
	tpl := t.pages[kind]
	if tpl == nil {
		return fmt.Errorf("theme %s has no layout for %q", t.Name, kind)
	}
	if err := tpl.ExecuteTemplate(w, "_base.html", data); err != nil {
		return fmt.Errorf("theme %s: rendering %s: %w", t.Name, kind, err)
	}
	return nil
}

// Partial renders the partial file name (for example "siteheader.html")
// with data; a theme without that partial gives "".
func (t *Theme) Partial(name string, data any) (template.HTML, error) {
	if t.partials.Lookup(name) == nil {
		return "", nil
	}
	var buf bytes.Buffer
	if err := t.partials.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("theme %s: rendering partials/%s: %w", t.Name, name, err)
	}
	return template.HTML(buf.String()), nil
}

// Render renders the page kind with data and returns the bytes.
func (t *Theme) Render(kind string, data any) ([]byte, error) {
	buf := t.pool.Get().(*bytes.Buffer)
	buf.Reset()
	defer t.pool.Put(buf)
	if err := t.Execute(buf, kind, data); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// Static returns the theme's static files (may be empty).
func (t *Theme) Static() fs.FS {
	if t.static == nil {
		return emptyFS{}
	}
	return t.static
}

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Funcs are the template functions every theme can use.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"join": strings.Join,
		"add":  func(a, b int) int { return a + b },
		// breaks marks where a headline, kicker, subtitle or table
		// cell may break (see BreakText).
		"breaks": BreakText,
	}
}
