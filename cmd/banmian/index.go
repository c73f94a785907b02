package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/memlimit"
	"github.com/banmian/banmian/internal/progress"
	"github.com/banmian/banmian/internal/search"
)

// indexOptions are the flags of index and search.
type indexOptions struct {
	source, index string
}

func (o *indexOptions) register(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&o.source, "source", "content", "content folder")
	fs.StringVar(&o.index, "index", "data/index", "search index folder")
}

// loadSearchDocs loads the content folder and converts its published
// stories for search, bodies read and rendered only when the index asks
// (Filler), so that only the stories being indexed hold their text.
func loadSearchDocs(source string) ([]search.Doc, search.Filler, error) {
	st, err := os.Stat(source)
	if err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("content folder %s not found (use -source DIR)", source)
	}
	c, err := content.Load(os.DirFS(source), content.LoadOptions{LazyBodies: true})
	if err != nil {
		return nil, nil, contentError(source, err)
	}
	docs, fill := search.LazyFromContent(c)
	return docs, func(ctx context.Context, docs []search.Doc, which []int) error {
		if err := fill(ctx, docs, which); err != nil {
			return fmt.Errorf("%s/%w", strings.TrimSuffix(source, "/"), err)
		}
		return nil
	}, nil
}

// contentError lists content problems one per line with file and line.
func contentError(source string, err error) error {
	list := content.AsList(err)
	if len(list) == 0 {
		return err
	}
	var b strings.Builder
	for _, e := range list {
		fmt.Fprintf(&b, "%s/%s\n", strings.TrimSuffix(source, "/"), e.Error())
	}
	fmt.Fprintf(&b, "%d problem(s); the search index was left as it was", len(list))
	return &exitError{code: 1, err: fmt.Errorf("%s", b.String())}
}

// refreshIndex brings the index in indexDir up to date with the stories of
// source, re-indexing only changed stories. banmian build may call it to
// keep the index current.
func refreshIndex(ctx context.Context, source, indexDir string, bar *progress.Bar) (search.SyncStats, bool, error) {
	docs, fill, err := loadSearchDocs(source)
	if err != nil {
		return search.SyncStats{}, false, err
	}
	x, err := search.Open(indexDir)
	if err != nil {
		return search.SyncStats{}, false, err
	}
	x.Progress = bar.Func()
	st, err := x.SyncLazy(ctx, docs, fill)
	bar.Done()
	if cerr := x.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return st, x.Rebuilt, fmt.Errorf("updating search index %s: %w", indexDir, err)
	}
	return st, x.Rebuilt, nil
}

func runIndex(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "index", "[-source content] [-index data/index]")
	var o indexOptions
	o.register(fs)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	defer memlimit.StartAt(memlimit.IndexFloor)()
	start := time.Now()
	st, rebuilt, err := refreshIndex(ctx, o.source, o.index, progress.New(env.Stderr, "索引", env.Terminal && !*quiet))
	if err != nil {
		return err
	}
	if *quiet {
		return nil
	}
	if rebuilt {
		fmt.Fprintf(env.Stderr, "search index %s was unreadable or from another version: rebuilt\n", o.index)
	}
	fmt.Fprintf(env.Stdout, "indexed %s into %s: %d added, %d updated, %d removed, %d unchanged in %s\n",
		o.source, o.index, st.Added, st.Updated, st.Removed, st.Unchanged, time.Since(start).Round(time.Millisecond))
	return nil
}
