package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/banmian/banmian/internal/content"
)

// Meta is what the text of a page does not say.
type Meta struct {
	Date time.Time // the edition's date; required
	Page int       // 版次; 0 when unknown
	// Note is the editor's note on the edition; empty keeps the note of an
	// edition already in the folder.
	Note string
}

// File is one content file to write, its path relative to the content
// folder, slash-separated.
type File struct {
	Path string
	Data []byte
}

// Existing indexes what a content folder already holds, so that Plan
// reuses the files of an earlier import of the same page and never takes a
// slug or edition that belongs to something else. The zero value is an
// empty folder.
type Existing struct {
	fsys     fs.FS
	site     bool
	stories  map[string]existingStory // slug → story
	editions map[string]string        // date → path
}

type existingStory struct {
	path, edition string
}

// Scan indexes the content folder fsys. A nil fsys is an empty folder.
// Story and edition files that do not parse are skipped: Plan does not
// need them, and the build reports them.
func Scan(fsys fs.FS) (*Existing, error) {
	ex := &Existing{fsys: fsys, stories: map[string]existingStory{}, editions: map[string]string{}}
	if fsys == nil {
		return ex, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == "." {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case p == "site.yaml" || p == "site.yml" || p == "site.toml":
			ex.site = true
		case strings.HasPrefix(p, "editions/") && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")):
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			if e, _ := content.ParseEdition(p, src); e != nil && !e.Date.IsZero() {
				ex.editions[e.DateString()] = p
			}
		case content.IsStoryFile(p):
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			s, _ := content.ParseStory(p, src)
			if s == nil {
				return nil
			}
			slug := s.Slug
			if slug == "" {
				slug = content.Slugify(s.Title)
			}
			if slug != "" {
				ex.stories[slug] = existingStory{path: p, edition: s.Edition}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the content folder: %w", err)
	}
	return ex, nil
}

// HasSite reports whether the folder has a site configuration.
func (ex *Existing) HasSite() bool { return ex.site }

// Plan is the set of files one page becomes.
type Plan struct {
	Files   []File   // edition, stories, boxes
	Edition string   // path of the edition file
	Stories []string // path of each story file, in Page.Stories order
	Boxes   []string // path of each box file, in Page.Boxes order
	// Warnings are problems with the folder (stale stories of an earlier
	// import of the same edition).
	Warnings []Warning
}

// Plan turns a page into content files. Names depend only on the page,
// m.Date and ex: planning the same page again against a folder that holds
// the result of the first plan gives the same files. Plan records its
// files in ex, so the pages of a batch see each other.
func (p *Page) Plan(m Meta, ex *Existing) (*Plan, error) {
	if m.Date.IsZero() {
		return nil, errors.New("the page needs a date")
	}
	if ex == nil {
		ex = &Existing{}
	}
	if ex.stories == nil {
		ex.stories = map[string]existingStory{}
		ex.editions = map[string]string{}
	}
	date := m.Date.Format(content.DateLayout)
	compact := m.Date.Format("20060102")
	plan := &Plan{}
	taken := map[string]bool{}

	slugs := make([]string, len(p.Stories))
	for k, s := range p.Stories {
		base := content.Slugify(s.Title)
		if base == "" {
			base = "story"
		}
		slug, file := "", ""
		for n := 1; ; n++ {
			cand := base
			if n > 1 {
				cand = base + "-" + compact
			}
			if n > 2 {
				cand = fmt.Sprintf("%s-%s-%d", base, compact, n-1)
			}
			if taken[cand] {
				continue
			}
			if e, ok := ex.stories[cand]; ok {
				if e.edition != date {
					continue
				}
				slug, file = cand, e.path
				break
			}
			slug, file = cand, "stories/"+m.Date.Format("2006")+"/"+cand+".md"
			break
		}
		taken[slug] = true
		slugs[k] = slug
		st := &content.Story{
			Title: s.Title, Kicker: s.Kicker, Subtitle: s.Subtitle, Credit: s.Credit,
			Date: m.Date, Edition: date, Slug: slug, Body: s.Markdown(),
		}
		data, err := content.MarshalStory(st)
		if err != nil {
			return nil, fmt.Errorf("story %q: %w", s.Title, err)
		}
		plan.Files = append(plan.Files, File{Path: file, Data: data})
		plan.Stories = append(plan.Stories, file)
	}

	ids := make([]string, len(p.Boxes))
	for k, b := range p.Boxes {
		base := content.Slugify(b.Title)
		if base == "" {
			base = "box"
		}
		id := base + "-" + compact
		for n := 2; taken["box:"+id]; n++ {
			id = fmt.Sprintf("%s-%s-%d", base, compact, n)
		}
		taken["box:"+id] = true
		ids[k] = id
		data, err := content.MarshalBox(b)
		if err != nil {
			return nil, err
		}
		file := "boxes/" + id + ".yaml"
		plan.Files = append(plan.Files, File{Path: file, Data: data})
		plan.Boxes = append(plan.Boxes, file)
	}

	ed := &content.Edition{Date: m.Date, Page: m.Page, Note: m.Note, Masthead: p.Masthead}
	for _, r := range p.order {
		if r.box {
			ed.Items = append(ed.Items, content.Item{Box: ids[r.i]})
		} else {
			ed.Items = append(ed.Items, content.Item{Story: slugs[r.i], Lead: r.i == 0})
		}
	}
	edPath := "editions/" + date + ".yaml"
	if old, ok := ex.editions[date]; ok {
		edPath = old
		keepEditorsWork(ed, ex, old)
	}
	data, err := content.MarshalEdition(ed)
	if err != nil {
		return nil, err
	}
	plan.Files = append([]File{{Path: edPath, Data: data}}, plan.Files...)
	plan.Edition = edPath

	// Stories an earlier import put on this edition that this one does not
	// produce: say so, delete nothing.
	var stale []string
	for slug, e := range ex.stories {
		if e.edition == date && !taken[slug] {
			stale = append(stale, e.path)
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		plan.Warnings = append(plan.Warnings, Warning{Msg: fmt.Sprintf("%s is on edition %s but not on this page; remove it if it is stale", s, date)})
	}

	for k, s := range slugs {
		ex.stories[s] = existingStory{path: plan.Stories[k], edition: date}
	}
	ex.editions[date] = edPath
	return plan, nil
}

// keepEditorsWork carries over what an editor added to an edition the text
// cannot say: title, geometry, the print layout of items still on the page,
// and the note when none is given.
func keepEditorsWork(ed *content.Edition, ex *Existing, p string) {
	if ex.fsys == nil {
		return
	}
	src, err := fs.ReadFile(ex.fsys, p)
	if err != nil {
		return
	}
	old, _ := content.ParseEdition(p, src)
	if old == nil {
		return
	}
	if ed.Note == "" {
		ed.Note = old.Note
	}
	ed.Title = old.Title
	ed.Geometry = old.Geometry
	on := map[string]bool{}
	for _, it := range ed.Items {
		on[it.Story+it.Box] = true
	}
	for _, mod := range old.Layout {
		if on[mod.Item] {
			ed.Layout = append(ed.Layout, mod)
		}
	}
}

// siteFile is the written form of a bootstrap site.yaml.
type siteFile struct {
	Title    string           `yaml:"title"`
	BaseURL  string           `yaml:"baseURL"`
	Paper    string           `yaml:"paper,omitempty"`
	Section  string           `yaml:"section"`
	Language string           `yaml:"language"`
	Theme    string           `yaml:"theme"`
	Masthead content.Masthead `yaml:"masthead"`
}

// SiteConfig is a site.yaml for a new content folder: the section and
// masthead of the first imported page become the site's defaults. Geometry
// is left out, so the defaults apply.
func SiteConfig(m content.Masthead, paper string) File {
	def := content.DefaultSite()
	f := siteFile{Title: def.Title, BaseURL: def.BaseURL, Paper: paper, Section: def.Section,
		Language: def.Language, Theme: def.Theme, Masthead: m}
	if m.Section != "" {
		f.Title, f.Section = m.Section, m.Section
	} else {
		f.Masthead.Section = def.Section
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		panic(err) // a struct of strings always encodes
	}
	enc.Close()
	return File{Path: "site.yaml", Data: buf.Bytes()}
}

// Markdown is the story body: paragraphs and "## " subheads separated by
// blank lines, with the characters Markdown would read as markup escaped.
func (s *Story) Markdown() []byte {
	var b strings.Builder
	for k, bl := range s.Blocks {
		if k > 0 {
			b.WriteString("\n")
		}
		if bl.Subhead {
			b.WriteString("## ")
			b.WriteString(escapeInline(bl.Text))
		} else {
			b.WriteString(escapeBlock(bl.Text))
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// escapeInline escapes characters that start inline markup.
func escapeInline(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '|':
			b.WriteByte('\\')
		case '&':
			if i+1 < len(rs) && (rs[i+1] == '#' || rs[i+1] < 128 && (rs[i+1]|0x20) >= 'a' && (rs[i+1]|0x20) <= 'z') {
				b.WriteByte('\\')
			}
		case '#':
			if i == len(rs)-1 || rs[i+1] == ' ' {
				b.WriteByte('\\') // a closing sequence of a heading
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// escapeBlock escapes a paragraph: inline markup, and what would start a
// block at the beginning of the line (#, >, list markers, fences).
func escapeBlock(s string) string {
	out := escapeInline(s)
	if out == "" {
		return out
	}
	switch out[0] {
	case '#', '>', '~', '=':
		return `\` + out
	case '-', '+':
		if len(out) == 1 || out[1] == ' ' || out[1] == out[0] {
			return `\` + out
		}
	}
	// "1. " or "1) " would start an ordered list.
	d := 0
	for d < len(out) && d < 10 && out[d] >= '0' && out[d] <= '9' {
		d++
	}
	if d > 0 && d < len(out) && (out[d] == '.' || out[d] == ')') && (d+1 == len(out) || out[d+1] == ' ') {
		return out[:d] + `\` + out[d:]
	}
	return out
}

// Written says what Write did with a file.
type Written int

// What Write did with a file.
const (
	Unchanged Written = iota // same bytes already there
	Created
	Updated
)

func (w Written) String() string {
	return [...]string{"unchanged", "created", "updated"}[w]
}

// Status reports, without writing, what Write would do with f in the
// folder fsys (nil: an empty folder).
func Status(fsys fs.FS, f File) Written {
	if fsys == nil {
		return Created
	}
	old, err := fs.ReadFile(fsys, f.Path)
	switch {
	case err != nil:
		return Created
	case string(old) == string(f.Data):
		return Unchanged
	}
	return Updated
}

// pathOK rejects paths that would leave the content folder.
func pathOK(p string) bool {
	return fs.ValidPath(p) && p != "." && !strings.Contains(p, `\`) && path.Clean(p) == p
}
