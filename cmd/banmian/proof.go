package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/atomicfile"
	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/layout"
)

// runProof prints the proof of one dated page: a one-page PDF of the
// configured size through headless Chromium, or with -html the print
// preview as HTML. It prints the copyfit summary either way.
func runProof(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "proof", "-edition YYYY-MM-DD [-o page.pdf] [-html] [-marks] [-json] [-source content]")
	source := fs.String("source", "content", "content folder")
	date := fs.String("edition", "", "date of the edition (版面) to proof, YYYY-MM-DD; default the newest")
	out := fs.String("o", "", "output file (default YYYY-MM-DD.pdf, or .html with -html)")
	asHTML := fs.Bool("html", false, "write the print preview HTML instead of the PDF")
	marks := fs.Bool("marks", false, "print copyfit marks and the grid in the PDF too (the HTML preview always has them)")
	asJSON := fs.Bool("json", false, "print the fit report as JSON on standard output instead of writing a proof")
	timeout := fs.Duration("timeout", time.Minute, "give up printing the PDF after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *date != "" {
		if _, err := time.Parse(content.DateLayout, *date); err != nil {
			return usageError("-edition %q: want a date like 2025-06-17", *date)
		}
	}
	st, err := os.Stat(*source)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("content folder %s not found (use -source DIR)", *source)
	}
	c, err := content.Load(os.DirFS(*source), content.LoadOptions{})
	if err != nil {
		return proofContentError(*source, err)
	}
	e, err := proofEdition(c, *date)
	if err != nil {
		return err
	}
	if *asJSON {
		rep, err := layout.Estimate(c, e, layout.Options{Assets: os.DirFS(*source)})
		if err != nil {
			return proofContentError(*source, err)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if *out == "" {
		*out = e.DateString() + ".pdf"
		if *asHTML {
			*out = e.DateString() + ".html"
		}
	}

	html, rep, err := layout.Preview(c, e, layout.Options{Clean: !*asHTML && !*marks, ZoomToFit: *asHTML, Assets: os.DirFS(*source)})
	if err != nil {
		return proofContentError(*source, err)
	}
	data := html
	if !*asHTML {
		pctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		data, err = layout.PDF(pctx, html)
		if errors.Is(err, layout.ErrNoBrowser) {
			return fmt.Errorf("cannot print the PDF: %w; or write the preview with -html", err)
		}
		if err != nil {
			return fmt.Errorf("printing %s: %w", e.DateString(), err)
		}
	}
	if err := atomicfile.Write(*out, data); err != nil {
		return err
	}
	kind := "PDF"
	if *asHTML {
		kind = "HTML"
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%s, %g×%g mm, %d modules%s)\n", *out, kind,
		rep.Grid.TrimWidthMM, rep.Grid.TrimHeightMM, len(rep.Modules), proofAutoNote(rep))
	fmt.Fprint(env.Stdout, rep.Summary())
	return nil
}

func proofAutoNote(r *layout.Report) string {
	if r.Auto {
		return ", automatic layout"
	}
	return ""
}

// proofEdition returns the edition of date, or the newest when date is
// empty.
func proofEdition(c *content.Content, date string) (*content.Edition, error) {
	if len(c.Editions) == 0 {
		return nil, errors.New("the content folder has no editions (editions/YYYY-MM-DD.yaml)")
	}
	if date == "" {
		return c.Editions[0], nil
	}
	if e := c.Edition(date); e != nil {
		return e, nil
	}
	var have []string
	for i, e := range c.Editions {
		if i == 5 {
			have = append(have, "…")
			break
		}
		have = append(have, e.DateString())
	}
	return nil, fmt.Errorf("no edition for %s (editions: %s)", date, strings.Join(have, ", "))
}

// proofContentError prints content problems one per line with the folder
// prefixed.
func proofContentError(source string, err error) error {
	list := content.AsList(err)
	if len(list) == 0 {
		return err
	}
	var b strings.Builder
	for i, e := range list {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s/%s", strings.TrimSuffix(source, "/"), e.Error())
	}
	return &exitError{code: 1, err: errors.New(b.String())}
}
