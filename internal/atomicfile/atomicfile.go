// Package atomicfile replaces files so that a reader sees either the old
// content or the new, never a part: data goes to a temporary file in the
// same folder, which is then renamed over the target.
//
// One policy for the whole project, by what the file holds:
//
//   - Generated output (site pages, proofs, search shards) uses Write:
//     atomic, but not flushed to disk. A power cut may lose the newest
//     version; the next build writes it again.
//   - What people wrote or decided (content/ files, lint -fix, journals)
//     uses WriteDurable: the file is flushed before the rename and the
//     folder after it, so once it returns the new version survives a
//     crash of the machine.
//
// Both keep the mode of the file they replace (0o644 for a new file, less
// the umask) and write through a symbolic link to its target, so a
// linked file stays linked. Temporary files are named ".NAME.tmp-*" and are
// removed on every error. Safe for concurrent use on different targets.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
)

var seq atomic.Uint64

// Write replaces name with data atomically, without flushing it to disk.
// The folder must exist.
func Write(name string, data []byte) error {
	return write(name, func(w io.Writer) error { _, err := w.Write(data); return err }, false)
}

// WriteWith is Write for data too large to hold in memory at once: fn
// writes the new content to w (buffered). An error from fn leaves name as
// it was.
func WriteWith(name string, fn func(w io.Writer) error) error {
	return write(name, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		if err := fn(bw); err != nil {
			return err
		}
		return bw.Flush()
	}, false)
}

// WriteDurable replaces name with data atomically and durably: the data
// and the folder entry are flushed before it returns. The folder must
// exist.
func WriteDurable(name string, data []byte) error {
	return write(name, func(w io.Writer) error { _, err := w.Write(data); return err }, true)
}

// SyncDir flushes a folder's entries (files created, renamed or removed
// in it) to disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func write(name string, fill func(io.Writer) error, durable bool) error {
	target, mode, existed, err := resolve(name)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	dir := filepath.Dir(target)
	tmp := filepath.Join(dir, "."+filepath.Base(target)+".tmp-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(seq.Add(1), 10))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	err = fill(f)
	if err == nil && existed {
		// OpenFile's mode passed through the umask; a replaced file keeps
		// exactly the mode it had.
		err = f.Chmod(mode)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err == nil && durable {
		err = SyncDir(dir)
		if err != nil {
			return fmt.Errorf("writing %s: flushing folder: %w", name, err)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

// resolve follows a symbolic link at name to the file to replace and
// returns it with the mode to give the new file and whether it exists.
func resolve(name string) (string, fs.FileMode, bool, error) {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return name, 0o644, false, nil
	case err != nil:
		return "", 0, false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := filepath.EvalSymlinks(name)
		if errors.Is(err, fs.ErrNotExist) {
			// A dangling link: create the file it points to.
			dest, rerr := os.Readlink(name)
			if rerr != nil {
				return "", 0, false, rerr
			}
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(filepath.Dir(name), dest)
			}
			return dest, 0o644, false, nil
		}
		if err != nil {
			return "", 0, false, err
		}
		return resolve(target)
	case fi.IsDir():
		return "", 0, false, fmt.Errorf("%s is a folder", name)
	default:
		return name, fi.Mode().Perm(), true, nil
	}
}
