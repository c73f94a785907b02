package content

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/parallel"
)

// hashBytes is the FNV-1a hash of b, used to tell changed sources apart.
func hashBytes(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// LoadOptions tune Load.
type LoadOptions struct {
	// Drafts keeps stories marked draft; by default they are left out.
	Drafts bool
	// Cache, when set, keeps parsed stories between loads: a story or
	// edition file whose size, times and inode are unchanged is not read
	// again.
	Cache *Cache
	// LazyBodies keeps no story body once its file is parsed: LoadBody
	// reads it from the file again when asked. For a caller that goes
	// through the stories a few at a time (banmian index), so that a
	// large site's text is not all held at once.
	LazyBodies bool
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
	opt.Cache.begin()

	var storyPaths, editionPaths, boxPaths []string
	// The entries of story and edition files, for their stamps: each
	// Info is a system call (an lstat), made by the parsers in parallel
	// rather than here, one after another (10,000 of them took 60 ms).
	entries := map[string]fs.DirEntry{}
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
			if opt.Cache != nil {
				entries[p] = d
			}
		case strings.HasPrefix(p, "boxes/") && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")):
			boxPaths = append(boxPaths, p)
		case IsStoryFile(p):
			storyPaths = append(storyPaths, p)
			if opt.Cache != nil {
				entries[p] = d
			}
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
			c.SiteHash = hashBytes(src)
		}
	}

	stories, serrs := parseStories(fsys, storyPaths, opt, entries)
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
			errs.zh("网址（slug）“%s”与 %s 重复", s.Slug, prev.Path)
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
	for _, s := range c.Stories {
		c.Warnings = append(c.Warnings, s.Warnings...)
	}

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
			b.Hash = hashBytes(src)
			c.Boxes[id] = b
		}
	}

	byDate := map[string]*Edition{}
	editions, eerrs := parseEditions(fsys, editionPaths, opt.Cache, entries)
	for i, p := range editionPaths {
		errs = append(errs, eerrs[i]...)
		e := editions[i]
		if e == nil || e.Date.IsZero() {
			continue
		}
		ds := e.DateString()
		if prev, ok := byDate[ds]; ok {
			errs.add(p, 0, "two editions for %s: %s is the other", ds, prev.Path)
			errs.zh("%s 有两个版面文件，另一个是 %s", ds, prev.Path)
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
					errs.zh("版面上的稿件“%s”不存在", it.Story)
					continue
				}
				if seen["s:"+it.Story] {
					errs.add(p, it.Line, "story %q is on this edition twice", it.Story)
					errs.zh("稿件“%s”在版面上出现了两次", it.Story)
				}
				seen["s:"+it.Story] = true
				if s.Edition == "" {
					s.Edition = ds
				} else if s.Edition != ds {
					errs.add(p, it.Line, "story %q is on this edition but its front matter says edition %s", it.Story, s.Edition)
					errs.zh("稿件“%s”已属于 %s 的版面", it.Story, s.Edition)
				}
			case it.Box != "":
				if c.Boxes[it.Box] == nil {
					errs.add(p, it.Line, "edition names box %q, which does not exist (expected boxes/%s.yaml)", it.Box, it.Box)
					errs.zh("版面上的栏目“%s”不存在（应有 boxes/%s.yaml）", it.Box, it.Box)
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

// infoOf is d's file info, or nil (without a cache, or on an error: the
// file is then parsed afresh and not cached).
func infoOf(d fs.DirEntry) fs.FileInfo {
	if d == nil {
		return nil
	}
	info, err := d.Info()
	if err != nil {
		return nil
	}
	return info
}

// parseStories reads and parses story files in parallel, keeping order.
func parseStories(fsys fs.FS, paths []string, opt LoadOptions, entries map[string]fs.DirEntry) ([]*Story, ErrorList) {
	cache := opt.Cache
	out := make([]*Story, len(paths))
	errLists := make([]ErrorList, len(paths))
	parallel.For(len(paths), 0, func(i int) {
		info := infoOf(entries[paths[i]])
		if s, ok := cache.get(fsys, paths[i], info); ok {
			out[i] = s
			return
		}
		read := time.Now()
		src, err := fs.ReadFile(fsys, paths[i])
		if err != nil {
			errLists[i] = ErrorList{{File: paths[i], Msg: "cannot read: " + err.Error(), Err: err}}
			return
		}
		s, e := ParseStory(paths[i], src)
		if len(e) == 0 {
			s.Hash = hashBytes(src)
			s.lazy = &lazyBody{fsys: fsys, path: paths[i], hash: s.Hash} // for ReleaseBody
			cache.put(paths[i], info, read, s)
			if opt.LazyBodies {
				s.ReleaseBody()
			}
			out[i] = s
		}
		errLists[i] = e
	})
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

// parseEditions reads and parses edition files in parallel, keeping order.
// Editions from the cache are copies, so Load may set fields on them.
func parseEditions(fsys fs.FS, paths []string, cache *Cache, entries map[string]fs.DirEntry) ([]*Edition, []ErrorList) {
	out := make([]*Edition, len(paths))
	errs := make([]ErrorList, len(paths))
	parallel.For(len(paths), 0, func(i int) {
		p := paths[i]
		info := infoOf(entries[p])
		if e, ee, ok := cache.getEdition(p, info); ok {
			if e != nil {
				cp := *e
				out[i] = &cp
			}
			errs[i] = ee
			return
		}
		read := time.Now()
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs[i] = ErrorList{{File: p, Msg: "cannot read: " + err.Error(), Err: err}}
			return
		}
		e, ee := ParseEdition(p, src)
		if e != nil {
			e.Hash = hashBytes(src)
		}
		cache.putEdition(p, info, read, e, ee)
		if e != nil {
			cp := *e
			out[i] = &cp
		}
		errs[i] = ee
	})
	return out, errs
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
