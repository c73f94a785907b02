// Package diff computes character-level differences between two texts, so an
// editor's changes to a Chinese story show character by character (Chinese
// has no spaces, so word or line diffs are too coarse).
//
// The algorithm is Myers' O(ND) difference algorithm in its linear-space
// form: common prefix and suffix are trimmed, then the middle snake is found
// by searching forward and backward at once and each half is diffed
// recursively. Time is O((N+M)·D) and memory O(N+M), where D is the number of
// changed characters.
//
// Guarantees: Runes is deterministic and safe for concurrent use. Its result
// is minimal (no shorter edit script exists), adjacent edits never share an
// operation, and within each changed region deletions come before
// insertions. Apply(a, Runes(a, b)) returns b for every valid UTF-8 a and b;
// invalid UTF-8 bytes are compared as U+FFFD. The package uses only the
// standard library.
package diff

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Op is what an edit does to the text.
type Op int8

const (
	Equal  Op = iota // text present in both
	Delete           // text only in the old version
	Insert           // text only in the new version
)

func (o Op) String() string {
	switch o {
	case Equal:
		return "equal"
	case Delete:
		return "delete"
	case Insert:
		return "insert"
	}
	return fmt.Sprintf("Op(%d)", int8(o))
}

// Edit is one run of characters with the same operation.
type Edit struct {
	Op   Op
	Text string
}

// Runes returns the edits that turn a into b, compared rune by rune.
func Runes(a, b string) []Edit {
	var out []Edit
	emit := func(op Op, r []rune) {
		if len(r) == 0 {
			return
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += string(r)
			return
		}
		out = append(out, Edit{Op: op, Text: string(r)})
	}
	d := differ{emit: emit}
	d.diff([]rune(a), []rune(b))
	return normalize(out)
}

// normalize merges neighbours with equal operations and puts each run of
// insertions after the deletions it sits next to.
func normalize(in []Edit) []Edit {
	out := in[:0:0]
	var del, ins strings.Builder
	flush := func() {
		if del.Len() > 0 {
			out = append(out, Edit{Delete, del.String()})
			del.Reset()
		}
		if ins.Len() > 0 {
			out = append(out, Edit{Insert, ins.String()})
			ins.Reset()
		}
	}
	for _, e := range in {
		switch e.Op {
		case Delete:
			del.WriteString(e.Text)
		case Insert:
			ins.WriteString(e.Text)
		default:
			flush()
			if n := len(out); n > 0 && out[n-1].Op == Equal {
				out[n-1].Text += e.Text
			} else {
				out = append(out, e)
			}
		}
	}
	flush()
	return out
}

type differ struct {
	emit func(Op, []rune)
}

func (d *differ) diff(a, b []rune) {
	// Common prefix.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	d.emit(Equal, a[:p])
	a, b = a[p:], b[p:]
	// Common suffix, emitted after the middle.
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	suffix := a[len(a)-s:]
	a, b = a[:len(a)-s], b[:len(b)-s]
	switch {
	case len(a) == 0:
		d.emit(Insert, b)
	case len(b) == 0:
		d.emit(Delete, a)
	default:
		d.bisect(a, b)
	}
	d.emit(Equal, suffix)
}

// bisect finds the middle snake of a and b (both non-empty, differing in
// their first and last runes) and diffs the two halves it separates.
func (d *differ) bisect(a, b []rune) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	off := maxD
	size := 2*maxD + 2
	v1 := make([]int, 2*size)
	v2 := v1[size:]
	v1 = v1[:size]
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	// When delta is odd the forward path finds the overlap, else the
	// reverse path does.
	front := delta%2 != 0
	var k1start, k1end, k2start, k2end int
	for step := 0; step < maxD; step++ {
		for k1 := -step + k1start; k1 <= step-k1end; k1 += 2 {
			i := off + k1
			var x1 int
			if k1 == -step || (k1 != step && v1[i-1] < v1[i+1]) {
				x1 = v1[i+1]
			} else {
				x1 = v1[i-1] + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			v1[i] = x1
			switch {
			case x1 > n:
				k1end += 2 // ran off the right
			case y1 > m:
				k1start += 2 // ran off the bottom
			case front:
				j := off + delta - k1
				if j >= 0 && j < size && v2[j] != -1 && x1 >= n-v2[j] {
					d.split(a, b, x1, y1)
					return
				}
			}
		}
		for k2 := -step + k2start; k2 <= step-k2end; k2 += 2 {
			i := off + k2
			var x2 int
			if k2 == -step || (k2 != step && v2[i-1] < v2[i+1]) {
				x2 = v2[i+1]
			} else {
				x2 = v2[i-1] + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			v2[i] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				j := off + delta - k2
				if j >= 0 && j < size && v1[j] != -1 {
					x1 := v1[j]
					y1 := off + x1 - j
					if x1 >= n-x2 {
						d.split(a, b, x1, y1)
						return
					}
				}
			}
		}
	}
	// No common subsequence at all.
	d.emit(Delete, a)
	d.emit(Insert, b)
}

func (d *differ) split(a, b []rune, x, y int) {
	d.diff(a[:x], b[:y])
	d.diff(a[x:], b[y:])
}

// ErrMismatch is returned by Apply when the edits do not fit the text.
var ErrMismatch = errors.New("edits do not match the text")

// Apply applies edits to a and returns the new text. It returns an error
// wrapping ErrMismatch when the Equal and Delete edits do not spell out a
// exactly.
func Apply(a string, edits []Edit) (string, error) {
	var sb strings.Builder
	rest := a
	for i, e := range edits {
		switch e.Op {
		case Equal, Delete:
			if !strings.HasPrefix(rest, e.Text) {
				return "", fmt.Errorf("edit %d (%s %q): %w", i, e.Op, e.Text, ErrMismatch)
			}
			rest = rest[len(e.Text):]
			if e.Op == Equal {
				sb.WriteString(e.Text)
			}
		case Insert:
			sb.WriteString(e.Text)
		default:
			return "", fmt.Errorf("edit %d: unknown operation %d", i, e.Op)
		}
	}
	if rest != "" {
		return "", fmt.Errorf("%d bytes of the text left after the last edit: %w", len(rest), ErrMismatch)
	}
	return sb.String(), nil
}

// Old returns the text before the edits: the Equal and Delete runs.
func Old(edits []Edit) string { return side(edits, Delete) }

// New returns the text after the edits: the Equal and Insert runs.
func New(edits []Edit) string { return side(edits, Insert) }

func side(edits []Edit, op Op) string {
	var sb strings.Builder
	for _, e := range edits {
		if e.Op == Equal || e.Op == op {
			sb.WriteString(e.Text)
		}
	}
	return sb.String()
}

// Count returns how many characters (runes) the edits delete and insert,
// e.g. for a summary such as "删 3 字，增 5 字".
func Count(edits []Edit) (deleted, inserted int) {
	for _, e := range edits {
		switch e.Op {
		case Delete:
			deleted += utf8.RuneCountInString(e.Text)
		case Insert:
			inserted += utf8.RuneCountInString(e.Text)
		}
	}
	return deleted, inserted
}
