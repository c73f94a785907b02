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
// fresh folder).
func (b *Builder) writeFull(ctx context.Context, f *fullOut, pages, todo []*page, snap *Snapshot) (int, error) {
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
	parallel.For(len(pages), ioWorkers, func(i int) {
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
	})
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
	mf, err := manifestBytes(pages, snap.storyFP)
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
	var done atomic.Int64
	// Everything below is undone on error: the live site stays as it was.
	u := &undoLog{root: out}
	fail := func(err error) (int, int, error) {
		if uerr := u.undo(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("restoring the previous site: %w", uerr))
		}
		return 0, 0, err
	}
	if err := u.makeDirs(todo); err != nil {
		return fail(err)
	}
	for i, p := range todo {
		name := filepath.Join(out, filepath.FromSlash(p.path))
		if err := u.save(name); err != nil {
			return fail(err)
		}
		if err := atomicfile.Write(name, data[i]); err != nil {
			return fail(err)
		}
		b.progress(&done, len(todo))
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
	for _, p := range gone {
		full := filepath.Join(out, filepath.FromSlash(p))
		if err := u.save(full); err != nil {
			return fail(err)
		}
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(fmt.Errorf("removing %s: %w", p, err))
		}
		// Remove folders left empty (stories/<slug>/).
		for dir := filepath.Dir(full); dir != filepath.Clean(out) && strings.HasPrefix(dir, filepath.Clean(out)); dir = filepath.Dir(dir) {
			if os.Remove(dir) != nil {
				break
			}
			u.removedDirs = append(u.removedDirs, dir)
		}
	}
	for _, e := range b.opt.Emitters {
		if err := e(ctx, out, snap); err != nil {
			return fail(err)
		}
	}
	if len(todo) == 0 && len(gone) == 0 && !snap.StoriesChanged {
		return 0, 0, nil // the manifest is as it was
	}
	mf, err := manifestBytes(pages, snap.storyFP)
	if err != nil {
		return fail(err)
	}
	if err := atomicfile.Write(filepath.Join(out, manifestName), mf); err != nil {
		return fail(err)
	}
	return len(todo), len(gone), nil
}

// undoLog records what an incremental write changed in the live site, so
// that a failure can put it back byte for byte: the previous content of
// every file replaced or removed, the files and folders created.
type undoLog struct {
	root        string
	saved       []savedFile // in the order first touched
	seen        map[string]bool
	createdDirs []string // parents before children
	removedDirs []string // children before parents
}

type savedFile struct {
	name   string
	data   []byte // nil: the file did not exist
	mode   fs.FileMode
	exists bool
}

// save remembers name as it is now, once.
func (u *undoLog) save(name string) error {
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	if u.seen[name] {
		return nil
	}
	u.seen[name] = true
	info, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		u.saved = append(u.saved, savedFile{name: name})
		return nil
	}
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		// Not a file we wrote (a folder in the way): the write will fail
		// and leave it alone.
		u.saved = append(u.saved, savedFile{name: name, exists: true, mode: info.Mode()})
		return nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	u.saved = append(u.saved, savedFile{name: name, data: data, mode: info.Mode().Perm(), exists: true})
	return nil
}

// makeDirs creates the folders of pages under root, remembering the new
// ones.
func (u *undoLog) makeDirs(pages []*page) error {
	dirs := map[string]bool{}
	for _, p := range pages {
		for d := path.Dir(p.path); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	sort.Strings(list) // parents before children
	for _, d := range list {
		dir := filepath.Join(u.root, filepath.FromSlash(d))
		if err := os.Mkdir(dir, 0o755); err == nil {
			u.createdDirs = append(u.createdDirs, dir)
		} else if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	return nil
}

// undo puts back every saved file and removes the folders created.
func (u *undoLog) undo() error {
	var errs []error
	for i := len(u.removedDirs) - 1; i >= 0; i-- {
		if err := os.Mkdir(u.removedDirs[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			errs = append(errs, err)
		}
	}
	for _, f := range u.saved {
		switch {
		case !f.exists:
			if err := os.Remove(f.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		case f.mode.IsRegular() || f.data != nil:
			if err := atomicfile.Write(f.name, f.data); err != nil {
				errs = append(errs, err)
			} else if err := os.Chmod(f.name, f.mode.Perm()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for i := len(u.createdDirs) - 1; i >= 0; i-- {
		os.Remove(u.createdDirs[i]) // only when empty again
	}
	return errors.Join(errs...)
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
