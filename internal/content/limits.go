package content

import (
	"errors"
	"fmt"
)

// Limits on one story. A newspaper story is under 20,000 characters
// (60 KB of UTF-8); the caps leave room for that several times over and
// keep every parser's time and memory small.
const (
	// MaxBodyBytes caps a story's Markdown body.
	MaxBodyBytes = 200 << 10
	// MaxFrontMatterBytes caps a story's front matter, checked before the
	// YAML or TOML parser sees it: the YAML parser's time grows with the
	// square of the number of keys (100,000 keys took over a minute).
	MaxFrontMatterBytes = 64 << 10
)

// ErrTooLarge: a story, or a part of it, is over its size cap. Errors
// carrying it are *LimitError.
var ErrTooLarge = errors.New("too large")

// Part names the part of a story a LimitError is about.
type Part string

// Parts of a story with a size cap.
const (
	PartBody        Part = "body"
	PartFrontMatter Part = "front matter"
)

// LimitError says which part of a story is over its cap, by how much.
type LimitError struct {
	Part  Part
	Size  int // bytes
	Limit int // bytes
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the story's %s is %d bytes, over the limit of %d", e.Part, e.Size, e.Limit)
}

func (e *LimitError) Unwrap() error { return ErrTooLarge }

// CheckBody returns a *LimitError when a story body is over MaxBodyBytes
// as BodySize counts it.
func CheckBody[T string | []byte](body T) error {
	if n := BodySize(body); n > MaxBodyBytes {
		return &LimitError{Part: PartBody, Size: n, Limit: MaxBodyBytes}
	}
	return nil
}

// BodySize is the size of a body that counts against MaxBodyBytes: its
// bytes less the blank lines between paragraphs, so the same copy counts
// the same whether typed one paragraph a line in the desk or stored as
// Markdown with a blank line after each (a blank line costs the parsers
// next to nothing).
func BodySize[T string | []byte](body T) int {
	n := len(body)
	for i := 1; i < len(body); i++ {
		if body[i] == '\n' && body[i-1] == '\n' {
			n--
		}
	}
	return n
}

// CheckFrontMatter returns a *LimitError when front matter text is over
// MaxFrontMatterBytes.
func CheckFrontMatter(fm []byte) error {
	if len(fm) > MaxFrontMatterBytes {
		return &LimitError{Part: PartFrontMatter, Size: len(fm), Limit: MaxFrontMatterBytes}
	}
	return nil
}
