package importer

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes files into the content folder dir, creating folders as
// needed. A file whose bytes are already there is not touched; any other is
// replaced atomically (written beside it, then renamed), so a reader never
// sees half a file. It returns what it did with each file.
func Write(dir string, files []File) ([]Written, error) {
	out := make([]Written, 0, len(files))
	fsys := os.DirFS(dir)
	for _, f := range files {
		if !pathOK(f.Path) {
			return out, fmt.Errorf("refusing to write %q outside the content folder", f.Path)
		}
		st := Status(fsys, f)
		if st == Unchanged {
			out = append(out, st)
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := writeAtomic(target, f.Data); err != nil {
			return out, err
		}
		out = append(out, st)
	}
	return out, nil
}

func writeAtomic(target string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", target, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), target)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", target, werr)
	}
	return nil
}
