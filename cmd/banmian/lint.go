package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
	"github.com/banmian/banmian/internal/typeset"
)

// lintStdinName names standard input in findings.
const lintStdinName = "<stdin>"

// lintFinding is one finding with the file it was found in, as printed by
// -format json.
type lintFinding struct {
	File string `json:"file"`
	typeset.Finding
}

// runLint checks copy against house style, and with -fix rewrites it.
//
// Exit codes: 0 when clean (or, with -fix, when nothing unfixable is left),
// 1 when there are findings, 2 on a usage or read error. With standard
// input and -fix the fixed text goes to standard output, the unfixable
// findings to standard error, and the exit code is 0.
func runLint(ctx context.Context, env *Env, args []string) error {
	flags := newFlagSet(env, "lint", "[-fix] [-format text|json] [FILE...]")
	fix := flags.Bool("fix", false, "rewrite each FILE in place in house style (standard input: print the fixed text)")
	format := flags.String("format", "text", "how to print findings: text or json")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usageError("-format must be text or json, not %q", *format)
	}

	if flags.NArg() == 0 {
		src, err := io.ReadAll(env.Stdin)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("reading standard input: %w", err)}
		}
		out, found, err := lintSource(lintStdinName, src, true, *fix)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		if *fix {
			if _, err := env.Stdout.Write(out); err != nil {
				return fmt.Errorf("writing standard output: %w", err)
			}
			if err := lintPrint(env.Stderr, *format, unfixable(found)); err != nil {
				return err
			}
			return nil
		}
		return lintFinish(env, *format, found, false)
	}

	var all []lintFinding
	failed := false
	for _, name := range flags.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		found, err := lintFile(name, *fix)
		if err != nil {
			fmt.Fprintf(env.Stderr, "banmian lint: %v\n", err)
			failed = true
			continue
		}
		if *fix {
			found = unfixable(found)
		}
		all = append(all, found...)
	}
	return lintFinish(env, *format, all, failed)
}

// lintFinish prints the findings and picks the exit code.
func lintFinish(env *Env, format string, found []lintFinding, failed bool) error {
	if err := lintPrint(env.Stdout, format, found); err != nil {
		return err
	}
	switch {
	case failed:
		return &exitError{code: 2}
	case len(found) > 0:
		return &exitError{code: 1}
	}
	return nil
}

// lintFile lints one file and with fix rewrites it when anything changed.
func lintFile(name string, fix bool) ([]lintFinding, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	ext := strings.ToLower(filepath.Ext(name))
	out, found, err := lintSource(name, src, ext == ".md" || ext == ".markdown", fix)
	if err != nil {
		return nil, err
	}
	if fix && !bytes.Equal(out, src) {
		if err := lintWriteAtomic(name, out); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// lintSource checks src (Markdown with optional front matter, or plain
// text) and returns the fixed text (only when fix) and the findings, with
// lines and offsets counted in src.
func lintSource(name string, src []byte, isMarkdown, fix bool) ([]byte, []lintFinding, error) {
	run := func(text []byte, prot []typeset.Range, lines bool) ([]byte, []typeset.Finding) {
		switch {
		case fix && lines:
			return typeset.FixLines(text, prot)
		case fix:
			return typeset.Fix(text, prot)
		case lines:
			return text, typeset.LintLines(text, prot)
		}
		return text, typeset.Lint(text, prot)
	}
	var found []lintFinding
	add := func(fs []typeset.Finding, offset, line int) {
		for _, f := range fs {
			f.Offset += offset
			f.Line += line - 1
			found = append(found, lintFinding{File: name, Finding: f})
		}
	}
	if !isMarkdown {
		out, fs := run(src, nil, false)
		add(fs, 0, 1)
		return out, found, nil
	}

	bom := 0
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		bom = 3
	}
	fm, format, body, fmLine, bodyLine, err := content.SplitFrontMatter(src)
	if err != nil {
		return nil, nil, &content.FileError{File: name, Line: 1, Msg: err.Error(), Err: err}
	}
	var out []byte
	bodyOff := len(src) - len(body)
	if format != content.NoFrontMatter {
		fmOff := bom + bytes.IndexByte(src[bom:], '\n') + 1
		fmOut, fs := run(fm, lintFrontMatterProtected(fm, format), true)
		add(fs, fmOff, fmLine)
		out = append(out, src[:fmOff]...)
		out = append(out, fmOut...)
		out = append(out, src[fmOff+len(fm):bodyOff]...)
	} else {
		out = append(out, src[:bodyOff]...)
	}
	bodyOut, fs := run(body, markdown.Protected(body), false)
	add(fs, bodyOff, bodyLine)
	out = append(out, bodyOut...)
	return out, found, nil
}

// lintTextKeys are the front matter keys whose values are copy.
var lintTextKeys = map[string]bool{"title": true, "kicker": true, "subtitle": true, "summary": true}

// lintFrontMatterProtected returns everything of the front matter fm except
// the text of the values of title, kicker, subtitle and summary: keys,
// dates, slugs, quotes, escapes and comments stay as they are. Values it
// cannot read safely (flow collections, anchors, multi-line quoted
// strings) are protected whole.
func lintFrontMatterProtected(fm []byte, format content.Format) []typeset.Range {
	var text []typeset.Range
	lines := bytes.SplitAfter(fm, []byte("\n"))
	off := 0
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		start := off
		off += len(ln)
		key, rest, ok := lintSplitKey(ln, format)
		if !ok || !lintTextKeys[key] {
			continue
		}
		vs := start + (len(ln) - len(rest)) // offset of the value
		v := bytes.TrimRight(rest, " \t\r\n")
		switch {
		case len(v) == 0 && format == content.YAML, len(v) > 0 && format == content.YAML && (v[0] == '|' || v[0] == '>'):
			// Block scalar or a plain scalar on the following lines: every
			// following indented line is text.
			for i+1 < len(lines) && (len(bytes.TrimSpace(lines[i+1])) == 0 || lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
				i++
				ln := lines[i]
				body := bytes.TrimLeft(ln, " \t")
				s := off + (len(ln) - len(body))
				text = append(text, typeset.Range{Start: s, End: s + len(bytes.TrimRight(body, " \t\r\n"))})
				off += len(ln)
			}
		case len(v) == 0:
		case v[0] == '"':
			if format == content.TOML && bytes.HasPrefix(v, []byte(`"""`)) {
				continue
			}
			text = append(text, lintQuoted(v, vs, '"', '\\')...)
		case v[0] == '\'':
			if format == content.TOML {
				if bytes.HasPrefix(v, []byte("'''")) {
					continue
				}
				text = append(text, lintQuoted(v, vs, '\'', 0)...)
			} else {
				text = append(text, lintQuoted(v, vs, '\'', '\'')...)
			}
		case format == content.YAML && bytes.IndexByte([]byte("&*![{@`%"), v[0]) < 0:
			// A plain scalar, up to a comment, and its indented continuation lines.
			if k := bytes.Index(v, []byte(" #")); k >= 0 {
				v = bytes.TrimRight(v[:k], " \t")
			}
			text = append(text, typeset.Range{Start: vs, End: vs + len(v)})
			for i+1 < len(lines) && len(lines[i+1]) > 0 && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') && len(bytes.TrimSpace(lines[i+1])) > 0 {
				i++
				ln := lines[i]
				body := bytes.TrimLeft(ln, " \t")
				cont := bytes.TrimRight(body, " \t\r\n")
				if k := bytes.Index(cont, []byte(" #")); k >= 0 {
					cont = bytes.TrimRight(cont[:k], " \t")
				}
				s := off + (len(ln) - len(body))
				text = append(text, typeset.Range{Start: s, End: s + len(cont)})
				off += len(ln)
			}
		}
	}
	// Protect the complement of the text ranges.
	var prot []typeset.Range
	last := 0
	for _, r := range text {
		if r.Start > last {
			prot = append(prot, typeset.Range{Start: last, End: r.Start})
		}
		last = max(last, r.End)
	}
	if last < len(fm) {
		prot = append(prot, typeset.Range{Start: last, End: len(fm)})
	}
	return prot
}

// lintSplitKey splits a top-level "key: value" (YAML) or "key = value"
// (TOML) line into the key and what follows the separator and its spaces.
func lintSplitKey(ln []byte, format content.Format) (key string, rest []byte, ok bool) {
	if len(ln) == 0 || ln[0] == ' ' || ln[0] == '\t' || ln[0] == '#' {
		return "", nil, false
	}
	sep := byte(':')
	if format == content.TOML {
		sep = '='
	}
	k := bytes.IndexByte(ln, sep)
	if k <= 0 {
		return "", nil, false
	}
	key = string(bytes.TrimRight(ln[:k], " \t"))
	rest = ln[k+1:]
	if format == content.YAML && len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '\n' && rest[0] != '\r' {
		return "", nil, false // "key:value" is not a mapping entry
	}
	rest = bytes.TrimLeft(rest, " \t")
	return key, rest, true
}

// lintQuoted returns the text ranges inside the quoted string at the start
// of v (at offset vs), leaving out escapes: esc is the escape character
// (a backslash in double quotes, the quote itself for YAML's doubled
// single quote, 0 for none). A string not closed on its line yields nothing.
func lintQuoted(v []byte, vs int, q, esc byte) []typeset.Range {
	var rs []typeset.Range
	seg := 1
	for i := 1; i < len(v); i++ {
		switch {
		case esc == '\\' && v[i] == '\\':
			if i > seg {
				rs = append(rs, typeset.Range{Start: vs + seg, End: vs + i})
			}
			i++
			seg = i + 1
		case v[i] == q && esc == q && i+1 < len(v) && v[i+1] == q:
			if i > seg {
				rs = append(rs, typeset.Range{Start: vs + seg, End: vs + i})
			}
			i++
			seg = i + 1
		case v[i] == q:
			if i > seg {
				rs = append(rs, typeset.Range{Start: vs + seg, End: vs + i})
			}
			return rs
		}
	}
	return nil
}

// unfixable keeps the findings -fix could not fix.
func unfixable(fs []lintFinding) []lintFinding {
	var out []lintFinding
	for _, f := range fs {
		if !f.Fixable {
			out = append(out, f)
		}
	}
	return out
}

// lintPrint writes findings as "file:line:col: rule: message (suggestion)"
// lines, or as a JSON array.
func lintPrint(w io.Writer, format string, found []lintFinding) error {
	if format == "json" {
		if found == nil {
			found = []lintFinding{}
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(found); err != nil {
			return fmt.Errorf("writing findings: %w", err)
		}
		return nil
	}
	var b bytes.Buffer
	for _, f := range found {
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s", f.File, f.Line, f.Col, f.Rule, f.Message)
		switch {
		case f.Suggestion != "":
			fmt.Fprintf(&b, " (%s)", f.Suggestion)
		case f.Fixable:
			b.WriteString(" (删除)")
		}
		b.WriteByte('\n')
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing findings: %w", err)
	}
	return nil
}

// lintWriteAtomic replaces the file name with data: it writes a temporary
// file in the same folder with the same permissions and renames it over
// the original, so readers see the old or the new file, never a mix.
// A symbolic link is followed and its target replaced.
func lintWriteAtomic(name string, data []byte) (err error) {
	path, err := filepath.EvalSymlinks(name)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".lint-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = tmp.Chmod(fi.Mode().Perm()); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}
