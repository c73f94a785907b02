package site

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/banmian/banmian/internal/content"
)

// textSpill keeps the plain texts that a builder that builds once hands
// out (Snapshot.TextsOf) in an unlinked file beside the output, so that a
// second index asking for them (banmian build's full-text index, after the
// static one) reads them back instead of rendering every body again: 1.2
// to 1.4 s of CPU on 10,000 stories, while the process holds none of them
// in memory. The file has no name once created, so nothing is left behind
// whatever happens; its pages are dropped, unwritten, when the process
// ends.
//
// It is only a cache: any error turns it off, and texts are rendered
// again. A nil *textSpill keeps nothing.
type textSpill struct {
	dir string // where the file is made

	mu     sync.Mutex
	f      *os.File
	end    int64
	at     map[*content.Story]spillRef
	broken bool
}

// spillRef is where a text is in the file, and the source hash of the
// story it was rendered from.
type spillRef struct {
	off  int64
	n    int
	hash uint64
}

func newTextSpill(dir string) *textSpill {
	return &textSpill{dir: dir, at: map[*content.Story]spillRef{}}
}

// put keeps the text of s.
func (t *textSpill) put(s *content.Story, text string) {
	if t == nil || text == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken {
		return
	}
	if ref, ok := t.at[s]; ok && ref.hash == s.Hash {
		return
	}
	if t.f == nil && !t.open() {
		return
	}
	n, err := t.f.WriteString(text)
	if err != nil {
		t.fail()
		return
	}
	t.at[s] = spillRef{t.end, n, s.Hash}
	t.end += int64(n)
}

// get returns the text of s, if kept.
func (t *textSpill) get(s *content.Story) (string, bool) {
	if t == nil {
		return "", false
	}
	t.mu.Lock()
	ref, ok := t.at[s]
	f := t.f
	t.mu.Unlock()
	if !ok || f == nil || ref.hash != s.Hash {
		return "", false
	}
	buf := make([]byte, ref.n)
	if _, err := f.ReadAt(buf, ref.off); err != nil {
		t.mu.Lock()
		t.fail()
		t.mu.Unlock()
		return "", false
	}
	return string(buf), true
}

// open creates the file and unlinks it at once; where a file that is
// open cannot be removed, the spill is turned off.
func (t *textSpill) open() bool {
	f, err := os.CreateTemp(t.dir, ".banmian-texts-")
	if err != nil {
		t.broken = true
		return false
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		os.Remove(f.Name())
		t.broken = true
		return false
	}
	t.f = f
	return true
}

// fail turns the spill off and lets go of the file (t.mu held).
func (t *textSpill) fail() {
	t.broken = true
	t.at = nil
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

// spillDir is the folder the text spill of a build into out is made in:
// beside the output, on its disk (the system's temporary folder may be
// memory).
func spillDir(out string) string {
	return filepath.Dir(filepath.Clean(out))
}
