package content

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// LoadOptions tune Load.
type LoadOptions struct {
	// Drafts keeps stories marked draft; by default they are left out.
	Drafts bool
}

// IsStoryFile reports whether a content-relative path is a story file.
func IsStoryFile(p string) bool {
	if !strings.HasSuffix(p, ".md") || strings.HasPrefix(p, "editions/") || strings.HasPrefix(p, "boxes/") {
		return false
	}
	base := path.Base(p)
	return base != "_index.md" && !strings.HasPrefix(base, ".")
}

// Load reads and validates a whole content folder. It reports every problem
// as an ErrorList; the returned Content is nil only when there were
// problems.
func Load(fsys fs.FS, opt LoadOptions) (*Content, error) {
	var errs ErrorList
	c := &Content{Site: DefaultSite(), Boxes: map[string]*Box{}}

	var storyPaths, editionPaths, boxPaths []string
	dirFiles := map[string][]string{} // dir -> non-markdown files, for bundles
	sitePath := ""
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs.add(p, 0, "cannot read: %v", err)
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") {
			return nil
		}
		switch {
		case p == "site.yaml" || p == "site.yml" || p == "site.toml":
			if sitePath != "" {
				errs.add(p, 0, "two site configs: %s and %s; keep one", sitePath, p)
			}
			sitePath = p
		case strings.HasPrefix(p, "editions/") && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")):
			editionPaths = append(editionPaths, p)
		case strings.HasPrefix(p, "boxes/") && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")):
			boxPaths = append(boxPaths, p)
		case IsStoryFile(p):
			storyPaths = append(storyPaths, p)
		default:
			dir := path.Dir(p)
			dirFiles[dir] = append(dirFiles[dir], p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading content folder: %w", err)
	}

	if sitePath != "" {
		src, err := fs.ReadFile(fsys, sitePath)
		if err != nil {
			errs.add(sitePath, 0, "cannot read: %v", err)
		} else {
			s, e := ParseSite(sitePath, src)
			errs = append(errs, e...)
			c.Site = s
		}
	}

	stories, serrs := parseStories(fsys, storyPaths)
	errs = append(errs, serrs...)

	// Slugs: explicit ones first, derived ones disambiguated by date.
	bySlug := map[string]*Story{}
	var derived []*Story
	for _, s := range stories {
		if s.Draft && !opt.Drafts {
			continue
		}
		if s.Slug == "" {
			derived = append(derived, s)
			continue
		}
		if prev, ok := bySlug[s.Slug]; ok {
			errs.add(s.Path, 0, "duplicate slug %q: %s has it too", s.Slug, prev.Path)
			continue
		}
		bySlug[s.Slug] = s
	}
	sort.Slice(derived, func(i, j int) bool { return derived[i].Path < derived[j].Path })
	for _, s := range derived {
		slug := Slugify(s.Title)
		if slug == "" {
			slug = Slugify(strings.TrimSuffix(path.Base(s.Path), ".md"))
		}
		if base := path.Base(s.Path); base == "index.md" {
			if d := Slugify(path.Base(path.Dir(s.Path))); d != "" && ValidSlug(d) && bySlug[d] == nil {
				slug = d
			}
		}
		if slug == "" {
			slug = "story"
		}
		if _, taken := bySlug[slug]; taken {
			slug = slug + "-" + s.Date.Format("20060102")
		}
		for n := 2; bySlug[slug] != nil; n++ {
			slug = fmt.Sprintf("%s-%d", strings.TrimSuffix(slug, fmt.Sprintf("-%d", n-1)), n)
		}
		s.Slug = slug
		bySlug[slug] = s
	}
	for _, s := range stories {
		if s.Draft && !opt.Drafts {
			continue
		}
		if path.Base(s.Path) == "index.md" {
			s.Assets = dirFiles[path.Dir(s.Path)]
		}
		c.Stories = append(c.Stories, s)
	}
	sortStories(c.Stories)

	for _, p := range boxPaths {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs.add(p, 0, "cannot read: %v", err)
			continue
		}
		id := strings.TrimSuffix(strings.TrimSuffix(path.Base(p), ".yaml"), ".yml")
		b, e := ParseBox(p, id, src)
		errs = append(errs, e...)
		if b != nil {
			c.Boxes[id] = b
		}
	}

	byDate := map[string]*Edition{}
	for _, p := range editionPaths {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs.add(p, 0, "cannot read: %v", err)
			continue
		}
		e, ee := ParseEdition(p, src)
		errs = append(errs, ee...)
		if e == nil || e.Date.IsZero() {
			continue
		}
		ds := e.DateString()
		if prev, ok := byDate[ds]; ok {
			errs.add(p, 0, "two editions for %s: %s is the other", ds, prev.Path)
			continue
		}
		byDate[ds] = e
		seen := map[string]bool{}
		for _, it := range e.Items {
			switch {
			case it.Story != "":
				s := bySlug[it.Story]
				if s == nil || (s.Draft && !opt.Drafts) {
					errs.add(p, it.Line, "edition names story %q, which does not exist", it.Story)
					continue
				}
				if seen["s:"+it.Story] {
					errs.add(p, it.Line, "story %q is on this edition twice", it.Story)
				}
				seen["s:"+it.Story] = true
				if s.Edition == "" {
					s.Edition = ds
				} else if s.Edition != ds {
					errs.add(p, it.Line, "story %q is on this edition but its front matter says edition %s", it.Story, s.Edition)
				}
			case it.Box != "":
				if c.Boxes[it.Box] == nil {
					errs.add(p, it.Line, "edition names box %q, which does not exist (expected boxes/%s.yaml)", it.Box, it.Box)
				}
			}
		}
		c.Editions = append(c.Editions, e)
	}
	sort.Slice(c.Editions, func(i, j int) bool { return c.Editions[i].Date.After(c.Editions[j].Date) })

	if err := errs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseStories reads and parses story files in parallel, keeping order.
func parseStories(fsys fs.FS, paths []string) ([]*Story, ErrorList) {
	out := make([]*Story, len(paths))
	errLists := make([]ErrorList, len(paths))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				src, err := fs.ReadFile(fsys, paths[i])
				if err != nil {
					errLists[i] = ErrorList{{File: paths[i], Msg: "cannot read: " + err.Error(), Err: err}}
					continue
				}
				s, e := ParseStory(paths[i], src)
				if len(e) == 0 {
					out[i] = s
				}
				errLists[i] = e
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	var errs ErrorList
	stories := out[:0]
	for i, s := range out {
		errs = append(errs, errLists[i]...)
		if s != nil {
			stories = append(stories, s)
		}
	}
	return stories, errs
}

// ErrNotFound is returned by lookups of missing stories, editions or boxes.
var ErrNotFound = errors.New("not found")

// Edition returns the edition of date (YYYY-MM-DD), or nil.
func (c *Content) Edition(date string) *Edition {
	for _, e := range c.Editions {
		if e.DateString() == date {
			return e
		}
	}
	return nil
}
