package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/site"
)

// siteEmitters are the extra outputs of a site build: the static search
// index under /search/.
func siteEmitters(o *siteOptions) []site.Emitter {
	return []site.Emitter{staticSearchEmitter(o.out)}
}

// staticSearchFingerprint is the file in the static index folder that
// records which stories it was made from.
const staticSearchFingerprint = ".stories"

// staticSearchEmitter writes the sharded static search index and its page
// into <site>/search/. It is rebuilt only when stories changed; a full
// build of unchanged stories reuses the previous index by hard links.
func staticSearchEmitter(liveOut string) site.Emitter {
	return func(ctx context.Context, dir string, snap *site.Snapshot) error {
		if !snap.Full && !snap.StoriesChanged {
			return nil
		}
		c := snap.Content
		h := fnv.New64a()
		// The hash of an empty Doc changes with the search package's
		// analysis version.
		fmt.Fprintf(h, "%s|%v|%s|%d\n", c.Site.BaseURL, c.Site.TypesetOn(), c.Site.Title, search.Doc{}.Hash())
		for _, s := range c.Stories {
			fmt.Fprintf(h, "%s|%d|%s\n", s.Slug, s.Hash, s.Edition)
		}
		fp := strconv.FormatUint(h.Sum64(), 16)
		target := filepath.Join(dir, "search")
		if snap.Full {
			prev := filepath.Join(liveOut, "search")
			if old, err := os.ReadFile(filepath.Join(prev, staticSearchFingerprint)); err == nil && string(old) == fp {
				if err := linkTree(prev, target); err == nil {
					return nil
				}
				os.RemoveAll(target)
			}
		}
		texts, err := snap.Texts(ctx)
		if err != nil {
			return err
		}
		docs := make([]search.Doc, len(c.Stories))
		for i, s := range c.Stories {
			docs[i] = search.FromStory(s, texts[i], search.StoryURL(c.Site.BaseURL, s.Slug))
		}
		root := strings.TrimSuffix(search.StoryURL(c.Site.BaseURL, "x"), "stories/x/")
		opt := search.StaticOptions{Title: c.Site.Title, Home: root, Stylesheet: root + "assets/site.css"}
		if err := search.WriteStatic(target, docs, opt); err != nil {
			return fmt.Errorf("static search index: %w", err)
		}
		if err := os.WriteFile(filepath.Join(target, staticSearchFingerprint), []byte(fp), 0o644); err != nil {
			return fmt.Errorf("static search index: %w", err)
		}
		return nil
	}
}

// linkTree recreates the files of src under dst as hard links.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if !d.Type().IsRegular() {
			return errors.New("not a regular file: " + p)
		}
		return os.Link(p, to)
	})
}
