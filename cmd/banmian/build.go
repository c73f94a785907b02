package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/memlimit"
	"github.com/banmian/banmian/internal/progress"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/site"
)

// siteOptions are the flags shared by commands that build the site.
type siteOptions struct {
	source, out, themes string
	drafts              bool
	// origin replaces the scheme and host of the base URL (serve and
	// preview use their own address); emitters are added to the build.
	origin   string
	baseURL  string
	emitters []site.Emitter
	once     bool // build once (banmian build): no caches for later builds
	spill    bool // a full-text index follows the build: keep its texts
}

// registerBaseURL adds the -baseURL flag of serve and preview.
func (o *siteOptions) registerBaseURL(fsFlags interface {
	StringVar(*string, string, string, string)
}) {
	fsFlags.StringVar(&o.baseURL, "baseURL", "", "the reader site's public `URL` (behind a reverse proxy, e.g. https://example.org/duowei/); default this server's own address with the path of site.yaml's baseURL")
}

// checkBaseURL refuses a -baseURL that is not an absolute http(s) URL.
func (o *siteOptions) checkBaseURL() error {
	if o.baseURL != "" && site.BaseURLProblem(o.baseURL) != "" {
		return usageError("-baseURL %q: want an absolute http(s) URL such as https://example.org/duowei/", o.baseURL)
	}
	return nil
}

func (o *siteOptions) register(fsFlags interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fsFlags.StringVar(&o.source, "source", "content", "content folder")
	fsFlags.StringVar(&o.out, "out", "public", "output folder of the built site")
	fsFlags.StringVar(&o.themes, "themes", "themes", "folder of themes (the default theme is built in)")
	fsFlags.BoolVar(&o.drafts, "drafts", false, "include stories marked draft")
}

// builder wires a site.Builder from the options. bar, when not nil, shows
// pages written; docs, when not nil, keeps the search docs of each build.
func (o *siteOptions) builder(bar *progress.Bar, docs *snapshotDocs) (*site.Builder, error) {
	st, err := os.Stat(o.source)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("content folder %s not found (use -source DIR)", o.source)
	}
	opt := site.Options{
		Source: os.DirFS(o.source),
		OutDir: o.out,
		Drafts: o.drafts,
		Themes: func(name string) (fs.FS, error) { return site.ResolveTheme(o.themes, name) },
	}
	opt.Progress = bar.Func()
	opt.Origin, opt.BaseURL, opt.Once, opt.SpillTexts = o.origin, o.baseURL, o.once, o.spill
	opt.Emitters = append(append(opt.Emitters, siteEmitters(o, docs)...), o.emitters...)
	return site.New(opt), nil
}

func runBuild(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "build", "[-source content] [-out public] [-index data/index] [-drafts] [-themes themes]")
	var o siteOptions
	o.register(fs)
	index := fs.String("index", "data/index", "search index `DIR` to keep current (\"\" for none)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	stopLimit := memlimit.Start()
	defer func() { stopLimit() }()
	docs := &snapshotDocs{}
	bar := progress.New(env.Stderr, "构建", env.Terminal && !*quiet)
	o.once, o.spill = true, *index != ""
	b, err := o.builder(bar, docs)
	if err != nil {
		return err
	}
	stats, err := b.Build(ctx)
	bar.Done()
	if err != nil {
		return buildError(o.source, err)
	}
	if !*quiet {
		fmt.Fprintf(env.Stdout, "built %s into %s: %s\n", o.source, o.out, stats)
		printWarnings(env, stats.Warnings)
	}
	if *index == "" || docs.snap == nil {
		return nil
	}
	// After a full build the site's working set is garbage, and the
	// index's is another, smaller one: hand the free memory back before
	// the index grows its own, or the process's peak is the two stacked
	// (banmian build on 10,000 stories: 348-350 MiB without, 312-324 with;
	// about 0.1 s), and keep the index to its own floor. An incremental
	// build's heap is small: there a forced collection only costs time
	// (30-40 ms of a one-story rebuild).
	stopLimit()
	if stats.Full {
		debug.FreeOSMemory()
	}
	stopLimit = memlimit.StartAt(memlimit.IndexFloor)
	return syncBuildIndex(ctx, env, *index, docs, *quiet)
}

// printWarnings prints the warnings of a build, one a line.
func printWarnings(env *Env, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
}

// syncBuildIndex brings the search index up to date with the stories just
// built. When banmian serve holds the index it keeps the index current
// itself, so that is only noted.
func syncBuildIndex(ctx context.Context, env *Env, dir string, docs *snapshotDocs, quiet bool) error {
	start := time.Now()
	list, fill := docs.get()
	x, err := search.Open(dir)
	if errors.Is(err, search.ErrLocked) {
		if !quiet {
			fmt.Fprintf(env.Stderr, "search index %s is in use (banmian serve keeps it current); not updated\n", dir)
		}
		return nil
	}
	if err != nil {
		return err
	}
	bar := progress.New(env.Stderr, "索引", env.Terminal && !quiet)
	x.Progress = bar.Func()
	st, err := x.SyncLazy(ctx, list, fill)
	bar.Done()
	if cerr := x.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("updating search index %s (the site was built): %w", dir, err)
	}
	if !quiet {
		fmt.Fprintf(env.Stdout, "search index %s: %d added, %d updated, %d removed, %d unchanged in %s\n",
			dir, st.Added, st.Updated, st.Removed, st.Unchanged, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// buildError formats content problems one per line, prefixed with the
// content folder, and says the previous site is untouched.
func buildError(source string, err error) error {
	if list := content.AsList(err); len(list) > 0 {
		var b strings.Builder
		for _, e := range list {
			fmt.Fprintf(&b, "%s/%s\n", strings.TrimSuffix(source, "/"), e.Error())
		}
		fmt.Fprintf(&b, "%d problem(s); the previous site was left as it was", len(list))
		return &exitError{code: 1, err: fmt.Errorf("%s", b.String())}
	}
	return fmt.Errorf("%w (the previous site was left as it was)", err)
}
