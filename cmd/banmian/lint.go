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

	"github.com/banmian/banmian/internal/atomicfile"
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
		if err := atomicfile.WriteDurable(name, out); err != nil {
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

// lintFrontMatterProtected returns everything of the front matter fm
// except the copy in it (content.FrontMatterText): keys, dates, slugs,
// quotes, escapes and comments stay as they are.
func lintFrontMatterProtected(fm []byte, format content.Format) []typeset.Range {
	var prot []typeset.Range
	last := 0
	for _, r := range content.FrontMatterText(fm, format) {
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
