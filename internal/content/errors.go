package content

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// FileError is a problem with one content file, at a line when known.
type FileError struct {
	File string // path relative to the content folder, slash-separated
	Line int    // 1-based; 0 when the whole file is at fault
	Msg  string
	// Zh is the problem in Simplified Chinese for desk users, when known
	// (Msg is English, for the command line and logs).
	Zh  string
	Err error // underlying cause, may be nil
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

// ErrorList collects every problem found while loading a content folder.
type ErrorList []*FileError

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	if len(l) > 1 {
		fmt.Fprintf(&b, "\n%d problems", len(l))
	}
	return b.String()
}

// Sort orders the list by file and line, for stable reports.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].File != l[j].File {
			return l[i].File < l[j].File
		}
		return l[i].Line < l[j].Line
	})
}

// Err returns l as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

func (l *ErrorList) add(file string, line int, format string, args ...any) {
	*l = append(*l, &FileError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// zh sets the Chinese text of the problem added last.
func (l ErrorList) zh(format string, args ...any) {
	if len(l) > 0 {
		l[len(l)-1].Zh = fmt.Sprintf(format, args...)
	}
}

// Chinese is the problem for desk users: file, line and reason in
// Simplified Chinese (a general reason when no Chinese text is known).
func (e *FileError) Chinese() string {
	var b strings.Builder
	b.WriteString("文件 " + e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, " 第 %d 行", e.Line)
	}
	b.WriteString("：")
	if e.Zh != "" {
		b.WriteString(e.Zh)
	} else {
		b.WriteString("内容格式不符合要求，请检查这一处")
	}
	return b.String()
}

// AsList returns the FileErrors inside err: the list itself, a single
// FileError, or nil.
func AsList(err error) ErrorList {
	var l ErrorList
	if errors.As(err, &l) {
		return l
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return ErrorList{fe}
	}
	return nil
}
