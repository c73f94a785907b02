package markdown

import (
	"bytes"
	"errors"
	"fmt"
)

// MaxNesting is the deepest nesting of block quotes and list items that
// one line may open. goldmark's time grows with the square of the
// nesting, so a line of 1.9 MB of ">" took minutes; a newspaper story
// needs three levels at most.
const MaxNesting = 16

// ErrTooDeep: a line opens more than MaxNesting block quotes and list
// items. CheckNesting wraps it in a *NestingError.
var ErrTooDeep = errors.New("nesting too deep")

// NestingError locates the first line that nests too deeply.
type NestingError struct {
	Line  int // 1-based
	Depth int // containers the line opens, counted up to MaxNesting+1
}

func (e *NestingError) Error() string {
	return fmt.Sprintf("line %d nests block quotes and lists more than %d deep", e.Line, MaxNesting)
}

func (e *NestingError) Unwrap() error { return ErrTooDeep }

// CheckNesting returns a *NestingError when a line of src opens more than
// MaxNesting block quotes and list items. It is linear in len(src).
func CheckNesting(src []byte) error {
	line := 1
	for start := 0; start < len(src); line++ {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		if _, depth := deepMarker(src[start:end]); depth > MaxNesting {
			return &NestingError{Line: line, Depth: depth}
		}
		start = end + 1
	}
	return nil
}

// flattenDeep returns src with the container marker that would open level
// MaxNesting+1 on each line replaced by a backslash, so no line nests
// deeper; the rest of such a line is paragraph text. Offsets are kept (one
// byte for one byte), so ranges found in the result hold for src. src is
// returned as is, without copying, when no line is too deep.
func flattenDeep(src []byte) []byte {
	if bytes.Count(src, []byte{'>'})+bytes.Count(src, []byte{'-'})+bytes.Count(src, []byte{'*'})+
		bytes.Count(src, []byte{'+'})+bytes.Count(src, []byte{'.'})+bytes.Count(src, []byte{')'}) <= MaxNesting {
		return src
	}
	out := src
	for start := 0; start < len(src); {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		if at, depth := deepMarker(src[start:end]); depth > MaxNesting {
			if &out[0] == &src[0] {
				out = bytes.Clone(src)
			}
			out[start+at] = '\\'
		}
		start = end + 1
	}
	return out
}

// deepMarker counts the container markers at the start of line ("> ",
// "- ", "* ", "+ ", "1. ", "1) ", with spaces between), stopping at
// MaxNesting+1. It returns where that last marker begins and the count.
// A line of only "-", "*", "_" and spaces is a thematic break, not a list.
func deepMarker(line []byte) (at, depth int) {
	i := 0
	for depth <= MaxNesting {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			break
		}
		start := i
		switch c := line[i]; {
		case c == '>':
			i++
		case c == '-' || c == '*' || c == '+':
			if i+1 < len(line) && line[i+1] != ' ' && line[i+1] != '\t' {
				return at, depth
			}
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == len(line) || (line[j] != '.' && line[j] != ')') || (j+1 < len(line) && line[j+1] != ' ' && line[j+1] != '\t') {
				return at, depth
			}
			i = j + 1
		default:
			return at, depth
		}
		at = start
		depth++
	}
	if depth > MaxNesting && thematicBreak(line) {
		return 0, 0
	}
	return at, depth
}

func thematicBreak(line []byte) bool {
	var mark byte
	for _, c := range line {
		switch c {
		case ' ', '\t', '\r':
		case '-', '*', '_':
			if mark != 0 && c != mark {
				return false
			}
			mark = c
		default:
			return false
		}
	}
	return mark != 0
}
