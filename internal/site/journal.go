package site

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/banmian/banmian/internal/atomicfile"
)

// journalName is the folder of the rollback journal inside the output
// folder while an update in place runs. Deploys skip dot files.
const journalName = ".banmian-journal"

// journal makes an update of the live output folder in place undoable,
// even across a crash. Before anything changes, it hard-links the current
// version of every file the update replaces or removes into the journal
// folder (a replaced file is a new inode, so the link keeps the old
// bytes), and lists those files, the files it creates and the folders it
// creates in a list file that is synced to disk. Rollback puts every
// listed file back and removes what was created; it runs on failure, and
// at the start of the next build if a crash left a journal behind. A
// successful update removes the journal. Files must be replaced by a new
// file renamed into place (atomicfile.Write), never rewritten in place,
// or the saved link would change with them.
type journal struct {
	root    string // the output folder
	dir     string // root/journalName
	entries []journalEntry
	seen    map[string]bool
}

// journalEntry is one line of the list: a file saved as number n
// ("f n rel"), a file that did not exist ("n rel"), or a folder created
// ("d rel"), rel slash-separated and relative to the output folder.
type journalEntry struct {
	kind byte // 'f', 'n' or 'd'
	n    int
	rel  string
}

const journalList = "list"

// newJournal starts a journal for root, rolling back any left by a crash.
func newJournal(root string) (*journal, error) {
	if err := recoverJournal(root); err != nil {
		return nil, err
	}
	j := &journal{root: root, dir: filepath.Join(root, journalName), seen: map[string]bool{}}
	if err := os.Mkdir(j.dir, 0o755); err != nil {
		return nil, fmt.Errorf("starting the update journal: %w", err)
	}
	return j, nil
}

// save records the file rel (slash-separated) as it is now, once.
func (j *journal) save(rel string) error {
	if j.seen[rel] {
		return nil
	}
	j.seen[rel] = true
	name := filepath.Join(j.root, filepath.FromSlash(rel))
	info, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		j.entries = append(j.entries, journalEntry{kind: 'n', rel: rel})
		return nil
	case err != nil:
		return err
	case !info.Mode().IsRegular():
		// Not a file we wrote (a folder in the way): the write will fail
		// and leave it alone.
		return nil
	}
	n := len(j.entries)
	if err := os.Link(name, filepath.Join(j.dir, strconv.Itoa(n))); err != nil {
		return fmt.Errorf("saving %s in the update journal: %w", rel, err)
	}
	j.entries = append(j.entries, journalEntry{kind: 'f', n: n, rel: rel})
	return nil
}

// folders records the folders of pages that do not exist yet (parents
// first), to be created after commit.
func (j *journal) folders(pages []*page) []string {
	var made []string
	seen := map[string]bool{}
	for _, p := range pages {
		var chain []string
		for d := filepath.ToSlash(filepath.Dir(p.path)); d != "." && d != "/" && !seen[d]; d = filepath.ToSlash(filepath.Dir(d)) {
			seen[d] = true
			chain = append(chain, d)
		}
		for i := len(chain) - 1; i >= 0; i-- {
			if _, err := os.Lstat(filepath.Join(j.root, filepath.FromSlash(chain[i]))); errors.Is(err, fs.ErrNotExist) {
				j.entries = append(j.entries, journalEntry{kind: 'd', rel: chain[i]})
				made = append(made, chain[i])
			}
		}
	}
	return made
}

// commit writes the list durably: from here on, a crash is rolled back.
func (j *journal) commit() error {
	var b bytes.Buffer
	for _, e := range j.entries {
		switch e.kind {
		case 'f':
			fmt.Fprintf(&b, "f %d %s\n", e.n, e.rel)
		default:
			fmt.Fprintf(&b, "%c %s\n", e.kind, e.rel)
		}
	}
	if err := atomicfile.WriteDurable(filepath.Join(j.dir, journalList), b.Bytes()); err != nil {
		return fmt.Errorf("writing the update journal: %w", err)
	}
	return nil
}

// done removes the journal after a successful update.
func (j *journal) done() error {
	if err := os.RemoveAll(j.dir); err != nil {
		return fmt.Errorf("removing the update journal: %w", err)
	}
	return nil
}

// rollback puts the output folder back as it was and removes the journal.
func (j *journal) rollback() error {
	return recoverJournal(j.root)
}

// recoverJournal rolls back the update a journal in root describes, if
// any, and removes the journal. Without a list, nothing was changed yet.
func recoverJournal(root string) error {
	dir := filepath.Join(root, journalName)
	list, err := os.ReadFile(filepath.Join(dir, journalList))
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("removing an unused update journal: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the update journal: %w", err)
	}
	var entries []journalEntry
	sc := bufio.NewScanner(bytes.NewReader(list))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		kind, rest, ok := strings.Cut(line, " ")
		if !ok || len(kind) != 1 {
			return fmt.Errorf("update journal %s: bad line %q", dir, line)
		}
		e := journalEntry{kind: kind[0], rel: rest}
		if e.kind == 'f' {
			num, rel, ok := strings.Cut(rest, " ")
			n, err := strconv.Atoi(num)
			if !ok || err != nil {
				return fmt.Errorf("update journal %s: bad line %q", dir, line)
			}
			e.n, e.rel = n, rel
		}
		if !fs.ValidPath(e.rel) {
			return fmt.Errorf("update journal %s: bad path %q", dir, e.rel)
		}
		entries = append(entries, e)
	}
	var errs []error
	for _, e := range entries {
		name := filepath.Join(root, filepath.FromSlash(e.rel))
		switch e.kind {
		case 'f':
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				errs = append(errs, err)
				continue
			}
			saved := filepath.Join(dir, strconv.Itoa(e.n))
			if err := os.Rename(saved, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		case 'n':
			if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	for i := len(entries) - 1; i >= 0; i-- { // children before parents
		if entries[i].kind == 'd' {
			os.Remove(filepath.Join(root, filepath.FromSlash(entries[i].rel))) // only when empty again
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("restoring the previous site from the update journal: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing the update journal: %w", err)
	}
	return nil
}
