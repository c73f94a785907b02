package importer

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/banmian/banmian/internal/atomicfile"
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
	return atomicfile.WriteDurable(target, data)
}
