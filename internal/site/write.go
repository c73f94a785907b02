package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/banmian/banmian/themes"

	"github.com/banmian/banmian/internal/atomicfile"
	"github.com/banmian/banmian/internal/parallel"
)

// fullOut is the fresh folder of a full build. Its folders are created in
// the background (file system time, mostly kernel CPU) while story bodies
// render.
type fullOut struct {
	out, tmp string
	dirs     chan error
	swapped  bool
}

// startFull creates the fresh folder beside OutDir and starts creating the
// folders of pages in it.
func (b *Builder) startFull(pages []*page) (*fullOut, error) {
	out := filepath.Clean(b.opt.OutDir)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".new-")
	if err != nil {
		return nil, fmt.Errorf("creating build folder: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	f := &fullOut{out: out, tmp: tmp, dirs: make(chan error, 1)}
	go func() { f.dirs <- makeDirs(tmp, pages) }()
	return f, nil
}

// close removes the fresh folder unless it was swapped in.
func (f *fullOut) close() {
	if f.dirs != nil {
		<-f.dirs // never remove the folder under makeDirs
		f.dirs = nil
	}
	if !f.swapped {
		os.RemoveAll(f.tmp)
	}
}

// writeFull writes every page into the fresh folder, reusing unchanged
// files of the current output by hard link, runs the emitters, and swaps
// the folder in. On any error OutDir is untouched (close removes the
// fresh folder). With sw, the story bodies pages need are rendered here,
// as their pages are written (see streamWork).
func (b *Builder) writeFull(ctx context.Context, f *fullOut, pages, todo []*page, snap *Snapshot, sw *streamWork) (int, error) {
	out, tmp := f.out, f.tmp
	err := <-f.dirs
	f.dirs = nil
	if err != nil {
		return 0, err
	}
	render := make(map[*page]bool, len(todo))
	for _, p := range todo {
		render[p] = true
	}
	var done atomic.Int64
	errs := make([]error, len(pages))
	total := len(pages)
	write := func(i int) {
		if ctx.Err() != nil {
			return
		}
		p := pages[i]
		dst := filepath.Join(tmp, filepath.FromSlash(p.path))
		if !render[p] {
			if err := os.Link(filepath.Join(out, filepath.FromSlash(p.path)), dst); err == nil {
				b.progress(&done, total)
				return
			}
		}
		buf := bufPool.Get().(*bytes.Buffer)
		defer bufPool.Put(buf)
		buf.Reset()
		if err := p.render(buf); err != nil {
			errs[i] = fmt.Errorf("%s: %w", p.path, err)
			return
		}
		if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
			errs[i] = fmt.Errorf("writing %s: %w", p.path, err)
			return
		}
		b.progress(&done, total)
	}
	if sw == nil {
		parallel.For(len(pages), ioWorkers, write)
	} else if err := b.writeStreamed(ctx, pages, render, sw, write); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	if b.opt.Once {
		b.dropDocs(todo)
	}
	for _, e := range b.opt.Emitters {
		if err := e(ctx, tmp, snap); err != nil {
			return 0, err
		}
	}
	mf, err := snap.deps.MarshalBinary()
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(tmp, manifestName), mf, 0o644); err != nil {
		return 0, fmt.Errorf("writing build manifest: %w", err)
	}
	if err := swapDir(tmp, out); err != nil {
		return 0, err
	}
	f.swapped = true
	return len(pages), nil
}

// streamWork is what a streamed full build renders as it writes: the
// story views whose bodies the pages need, and the count of bodies
// rendered.
type streamWork struct {
	need    map[*storyView]bool
	typeset bool
	bodies  atomic.Int64
}

// storyGroup is the stories of one edition (or one story on no edition)
// and the pages to render that show no other story's body: its story
// pages and its edition page.
type storyGroup struct {
	stories []*storyView
	pages   []int
}

// writeStreamed writes pages in two rounds. First, for each group of
// stories, it renders their bodies, writes the group's pages and drops
// the bodies (keeping what lists show: excerpt, length, headings): the
// build holds the HTML of a few groups at a time, not of every story.
// Then it writes the rest (lists, feeds, the sitemap); a page of those
// that shows a whole body renders it again (storyView.body).
func (b *Builder) writeStreamed(ctx context.Context, pages []*page, render map[*page]bool, sw *streamWork, write func(int)) error {
	groupOf := map[*storyView]int{}
	byEdition := map[*editionView]int{}
	var groups []storyGroup
	for v := range sw.need {
		g, ok := byEdition[v.Edition]
		if !ok || v.Edition == nil {
			g = len(groups)
			groups = append(groups, storyGroup{})
			if v.Edition != nil {
				byEdition[v.Edition] = g
			}
		}
		groups[g].stories = append(groups[g].stories, v)
		groupOf[v] = g
	}
	var rest []int
	for i, p := range pages {
		// A page joins a group only when every body it shows is that
		// group's (a story outside sw.need belongs to none).
		g := -1
		if render[p] && len(p.needs) > 0 {
			if first, ok := groupOf[p.needs[0]]; ok {
				g = first
			}
			for _, v := range p.needs[1:] {
				if k, ok := groupOf[v]; !ok || k != g {
					g = -1
					break
				}
			}
		}
		if g < 0 {
			rest = append(rest, i)
			continue
		}
		groups[g].pages = append(groups[g].pages, i)
	}
	reload := func(v *storyView) func() (*pageDoc, error) {
		return func() (*pageDoc, error) {
			md, err := renderStory(b.renderer(sw.typeset), v.Story)
			if err != nil {
				return nil, err
			}
			return pageDocOf(md), nil
		}
	}
	gerrs := make([]error, len(groups))
	parallel.For(len(groups), ioWorkers, func(k int) {
		if ctx.Err() != nil {
			return
		}
		g := groups[k]
		for _, v := range g.stories {
			d, fresh, err := b.doc(v.Story, sw.typeset)
			if err != nil {
				gerrs[k] = err
				return
			}
			if fresh {
				sw.bodies.Add(1)
			}
			v.setDoc(d)
		}
		for _, i := range g.pages {
			write(i)
		}
		for _, v := range g.stories {
			v.dropRaw(reload(v))
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := errors.Join(gerrs...); err != nil {
		return err
	}
	parallel.For(len(rest), ioWorkers, func(k int) { write(rest[k]) })
	return nil
}

// writeIncremental renders the changed pages in memory, then writes each
// atomically into the live output and removes pages that are gone.
func (b *Builder) writeIncremental(ctx context.Context, pages, todo []*page, old map[string]uint64, snap *Snapshot) (int, int, error) {
	out := b.opt.OutDir
	data := make([][]byte, len(todo))
	errs := make([]error, len(todo))
	parallel.For(len(todo), 0, func(i int) {
		var buf bytes.Buffer
		if err := todo[i].render(&buf); err != nil {
			errs[i] = fmt.Errorf("%s: %w", todo[i].path, err)
		}
		data[i] = buf.Bytes()
	})
	if err := errors.Join(errs...); err != nil {
		return 0, 0, err
	}
	current := make(map[string]bool, len(pages))
	for _, p := range pages {
		current[p.path] = true
	}
	var gone []string
	for p := range old {
		if !current[p] {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	manifestChanged := len(todo) > 0 || len(gone) > 0 || snap.StoriesChanged

	// Everything below is undone on error, and after a crash by the next
	// build: the live site stays as it was.
	j, err := newJournal(out)
	if err != nil {
		return 0, 0, err
	}
	fail := func(err error) (int, int, error) {
		if uerr := j.rollback(); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return 0, 0, err
	}
	dirs := j.folders(todo)
	for _, p := range todo {
		if err := j.save(p.path); err != nil {
			return fail(err)
		}
	}
	for _, p := range gone {
		if err := j.save(p); err != nil {
			return fail(err)
		}
	}
	if manifestChanged {
		if err := j.save(manifestName); err != nil {
			return fail(err)
		}
	}
	if err := j.commit(); err != nil {
		return fail(err)
	}
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(out, filepath.FromSlash(d)), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fail(fmt.Errorf("creating %s: %w", d, err))
		}
	}
	var done atomic.Int64
	for i, p := range todo {
		if err := atomicfile.Write(filepath.Join(out, filepath.FromSlash(p.path)), data[i]); err != nil {
			return fail(err)
		}
		b.progress(&done, len(todo))
	}
	for _, p := range gone {
		full := filepath.Join(out, filepath.FromSlash(p))
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(fmt.Errorf("removing %s: %w", p, err))
		}
		// Remove folders left empty (stories/<slug>/).
		for dir := filepath.Dir(full); dir != filepath.Clean(out) && strings.HasPrefix(dir, filepath.Clean(out)); dir = filepath.Dir(dir) {
			if os.Remove(dir) != nil {
				break
			}
		}
	}
	for _, e := range b.opt.Emitters {
		if err := e(ctx, out, snap); err != nil {
			return fail(err)
		}
	}
	if manifestChanged {
		mf, err := snap.deps.MarshalBinary()
		if err != nil {
			return fail(err)
		}
		if err := atomicfile.Write(filepath.Join(out, manifestName), mf); err != nil {
			return fail(err)
		}
	}
	if err := j.done(); err != nil {
		return 0, 0, err
	}
	return len(todo), len(gone), nil
}

// dropDocs forgets the rendered bodies the written pages showed.
func (b *Builder) dropDocs(written []*page) {
	for _, p := range written {
		for _, v := range p.needs {
			v.dropDoc()
		}
	}
}

func (b *Builder) progress(done *atomic.Int64, total int) {
	n := done.Add(1)
	if b.opt.Progress != nil && (n == int64(total) || n%64 == 0) {
		b.opt.Progress(int(n), total)
	}
}

// makeDirs creates the folders of every page under root. It runs on one
// goroutine: most folders share a parent (stories/), and concurrent mkdirs
// in one folder contend for its lock, costing several times the CPU.
func makeDirs(root string, pages []*page) error {
	dirs := map[string]bool{}
	for _, p := range pages {
		dirs[path.Dir(p.path)] = true
	}
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	sort.Strings(list) // parents before children
	for _, d := range list {
		dir := filepath.Join(root, filepath.FromSlash(d))
		err := os.Mkdir(dir, 0o755) // one syscall when the parent exists
		if errors.Is(err, fs.ErrNotExist) {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	return nil
}

// ResolveTheme finds a theme folder: themesDir/name on disk when it exists,
// else the embedded default theme for "default".
func ResolveTheme(themesDir, name string) (fs.FS, error) {
	if name == "" {
		name = "default"
	}
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, fmt.Errorf("theme name %q must be a plain folder name", name)
	}
	if themesDir != "" {
		dir := filepath.Join(themesDir, name)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return os.DirFS(dir), nil
		}
	}
	if name == "default" {
		return themes.Default(), nil
	}
	return nil, fmt.Errorf("theme %q not found in %s (only \"default\" is built in)", name, themesDir)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ioWorkers is how many files are written at once: file system latency,
// not CPU, bounds writing many small files.
const ioWorkers = 16
