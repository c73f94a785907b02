package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// txDir is the folder inside content/ where a publish stages new files and
// backs up the ones it replaces. Its name starts with a dot, so the content
// loader never reads it.
const txDir = ".banmian-publish"

// journal records a file change in progress, so a restarted server can
// undo a publish that a crash interrupted.
type journal struct {
	Edition  string   `json:"edition,omitempty"` // the edition being published
	Story    string   `json:"story,omitempty"`   // or the submission being corrected
	Created  []string `json:"created"`           // content paths that did not exist
	Replaced []string `json:"replaced"`          // content paths backed up in backup/
	Dirs     []string `json:"dirs"`              // folders created, deepest last
	Slugs    []string `json:"slugs"`             // stories added to the search index
	Rev      int      `json:"rev,omitempty"`     // the submission's revision before a correction
}

// fileTx writes a set of files into the content folder so that it can be
// undone: new files are staged first, replaced files are kept as hard
// links in a backup folder, and each file is renamed into place atomically.
type fileTx struct {
	root string
	dir  string
	j    journal
}

func newFileTx(root string, j journal) *fileTx {
	return &fileTx{root: root, dir: filepath.Join(root, txDir), j: j}
}

func (t *fileTx) abs(rel string) string { return filepath.Join(t.root, filepath.FromSlash(rel)) }

func (t *fileTx) writeJournal() error {
	data, err := json.Marshal(t.j)
	if err != nil {
		return err
	}
	name := filepath.Join(t.dir, "journal.json")
	f, err := os.Create(name + ".tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(name+".tmp", name)
}

// apply writes files (content path → bytes). On error it undoes what it
// did and returns the error.
func (t *fileTx) apply(files map[string][]byte) (err error) {
	if _, err := os.Stat(t.dir); err == nil {
		return fmt.Errorf("another publish left %s behind; restart the server to recover it: %w", t.dir, ErrInterrupted)
	}
	stage, backup := filepath.Join(t.dir, "stage"), filepath.Join(t.dir, "backup")
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := t.rollback(); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
	}()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		name := filepath.Join(stage, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return fmt.Errorf("staging %s: %w", p, err)
		}
		if err := writeSynced(name, files[p]); err != nil {
			return fmt.Errorf("staging %s: %w", p, err)
		}
		if _, err := os.Lstat(t.abs(p)); err == nil {
			t.j.Replaced = append(t.j.Replaced, p)
		} else {
			t.j.Created = append(t.j.Created, p)
			for d := filepath.Dir(p); d != "." && d != "/"; d = filepath.Dir(d) {
				if _, err := os.Stat(t.abs(d)); errors.Is(err, fs.ErrNotExist) && !slices.Contains(t.j.Dirs, d) {
					t.j.Dirs = append(t.j.Dirs, d)
				}
			}
		}
	}
	slices.SortFunc(t.j.Dirs, func(a, b string) int { return len(a) - len(b) })
	if err := t.writeJournal(); err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	for _, p := range t.j.Replaced {
		b := filepath.Join(backup, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(b), 0o755); err != nil {
			return fmt.Errorf("backing up %s: %w", p, err)
		}
		if err := os.Link(t.abs(p), b); err != nil {
			return fmt.Errorf("backing up %s: %w", p, err)
		}
	}
	for _, d := range t.j.Dirs {
		if err := os.MkdirAll(t.abs(d), 0o755); err != nil {
			return fmt.Errorf("publishing: %w", err)
		}
	}
	for _, p := range paths {
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(p)), t.abs(p)); err != nil {
			return fmt.Errorf("publishing %s: %w", p, err)
		}
	}
	return syncDir(t.root)
}

// rollback puts the content folder back as it was before apply.
func (t *fileTx) rollback() error {
	var errs []error
	backup := filepath.Join(t.dir, "backup")
	for _, p := range t.j.Created {
		if err := os.Remove(t.abs(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, p := range t.j.Replaced {
		b := filepath.Join(backup, filepath.FromSlash(p))
		if _, err := os.Stat(b); err != nil {
			continue // not yet backed up, so not yet replaced
		}
		if err := os.Rename(b, t.abs(p)); err != nil {
			errs = append(errs, err)
		}
	}
	for i := len(t.j.Dirs) - 1; i >= 0; i-- {
		os.Remove(t.abs(t.j.Dirs[i])) // only if empty
	}
	if len(errs) == 0 {
		if err := os.RemoveAll(t.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// commit forgets the backups.
func (t *fileTx) commit() error { return os.RemoveAll(t.dir) }

// readJournal reads an interrupted transaction's journal, if any.
func readJournal(root string) (*fileTx, error) {
	t := newFileTx(root, journal{})
	data, err := os.ReadFile(filepath.Join(t.dir, "journal.json"))
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(t.dir); err == nil {
			// Crashed while staging: nothing was renamed yet.
			return t, nil
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &t.j); err != nil {
		return nil, fmt.Errorf("reading %s: %w", t.dir, err)
	}
	return t, nil
}

func writeSynced(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync()
	return nil
}
