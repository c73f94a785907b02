package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/importer"
	"github.com/banmian/banmian/internal/progress"
	"github.com/banmian/banmian/internal/typeset"
)

// importPage is one page to import and the edition it becomes.
type importPage struct {
	file string
	date time.Time
	page int
}

var (
	nameDateRE = regexp.MustCompile(`(\d{4})-?(\d{2})-?(\d{2})`)
	namePageRE = regexp.MustCompile(`(?:^|[-_ ])[pP](\d{1,3})(?:$|[-_ .])|第(\d{1,3})版`)
)

func runImport(ctx context.Context, env *Env, args []string) error {
	fset := newFlagSet(env, "import", "-date YYYY-MM-DD [-page N] [-out content] [-dry-run] FILE|DIR...")
	dateFlag := fset.String("date", "", "date of the page's edition, YYYY-MM-DD (files named YYYY-MM-DD….txt carry their own)")
	pageFlag := fset.Int("page", 0, "page number (版次) of the edition (files named …-p14.txt carry their own)")
	out := fset.String("out", "content", "content folder to write into")
	dry := fset.Bool("dry-run", false, "show what would be recognised and written, write nothing")
	note := fset.String("note", "", "editor's note to put on the edition")
	paper := fset.String("paper", "", "newspaper name for site.yaml when the content folder has none yet")
	quiet := fset.Bool("quiet", false, "print only warnings, errors and the summary")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() == 0 {
		return usageError("name a page text file or a folder of them (see banmian help import)")
	}
	var flagDate time.Time
	if *dateFlag != "" {
		d, err := content.EditionDate(*dateFlag)
		if err != nil {
			return usageError("-date %q is not a date like 2025-05-22", *dateFlag)
		}
		flagDate = d
	}
	if *pageFlag < 0 {
		return usageError("-page must be a positive number")
	}
	files, err := importInputs(fset.Args())
	if err != nil {
		return err
	}
	pages, err := importDates(files, flagDate, *pageFlag)
	if err != nil {
		return err
	}

	var folder fs.FS
	if st, err := os.Stat(*out); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("-out %s is not a folder", *out)
		}
		folder = os.DirFS(*out)
	}
	ex, err := importer.Scan(folder)
	if err != nil {
		return fmt.Errorf("%s: %w", *out, err)
	}

	bar := progress.New(env.Stderr, "导入", env.Terminal && !*quiet && len(pages) > 1)
	var sum importSummary
	var failed []string
	siteDone := ex.HasSite()
	for k, pg := range pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		bar.Update(k, len(pages))
		res, err := importOne(env, pg, ex, importer.Meta{Date: pg.date, Page: pg.page, Note: *note}, *quiet, &sum)
		if err != nil {
			bar.Done()
			fmt.Fprintf(env.Stderr, "%s: %v\n", pg.file, err)
			bar = progress.New(env.Stderr, "导入", env.Terminal && !*quiet)
			failed = append(failed, pg.file)
			continue
		}
		if m := res.page.Masthead; !siteDone && m != (content.Masthead{}) {
			// A new content folder takes its site defaults from the first page.
			res.plan = append(res.plan, importer.SiteConfig(m, *paper))
			siteDone = true
		}
		if err := importWrite(env, folder, *out, res.plan, *dry, *quiet, &sum); err != nil {
			return err
		}
		if folder == nil && !*dry {
			folder = os.DirFS(*out)
		}
	}
	bar.Update(len(pages), len(pages))
	bar.Done()
	verb := "imported"
	if *dry {
		verb = "would import (dry run)"
	}
	fmt.Fprintf(env.Stdout, "%s %d page(s) into %s: %s\n", verb, len(pages)-len(failed), *out, sum)
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d page(s) could not be imported: %s", len(failed), len(pages), strings.Join(failed, ", "))
	}
	return nil
}

type importSummary struct {
	stories, boxes, warnings           int
	created, updated, unchanged, files int
}

func (s importSummary) String() string {
	return fmt.Sprintf("%d story(ies), %d box(es), %d warning(s); %d file(s): %d created, %d updated, %d unchanged",
		s.stories, s.boxes, s.warnings, s.files, s.created, s.updated, s.unchanged)
}

type importResult struct {
	page *importer.Page
	plan []importer.File
}

// importOne parses and plans one page and prints what was recognised.
func importOne(env *Env, pg importPage, ex *importer.Existing, meta importer.Meta, quiet bool, sum *importSummary) (*importResult, error) {
	src, err := os.ReadFile(pg.file)
	if err != nil {
		return nil, fmt.Errorf("reading the page: %w", err)
	}
	p, err := importer.Parse(src, importer.Options{Normalize: typeset.Normalize})
	if err != nil {
		return nil, err
	}
	plan, err := p.Plan(meta, ex)
	if err != nil {
		return nil, err
	}
	w := env.Stdout
	if !quiet {
		fmt.Fprintf(w, "%s → %s", pg.file, meta.Date.Format(content.DateLayout))
		if meta.Page > 0 {
			fmt.Fprintf(w, " 第%d版", meta.Page)
		}
		fmt.Fprintln(w)
		if m := p.Masthead; m != (content.Masthead{}) {
			var parts []string
			for _, f := range [][2]string{{"", m.Section}, {"责任编辑 ", m.Editor}, {"微博 ", m.Weibo}, {"邮箱 ", m.Email}, {"热线电话 ", m.Hotline}} {
				if f[1] != "" {
					parts = append(parts, f[0]+f[1])
				}
			}
			fmt.Fprintf(w, "  masthead  %s\n", strings.Join(parts, " · "))
		}
		for k, s := range p.Stories {
			fmt.Fprintf(w, "  story %d   ", k+1)
			if s.Kicker != "" {
				fmt.Fprintf(w, "[引题] %s  ", s.Kicker)
			}
			fmt.Fprintf(w, "[主题] %s", s.Title)
			if s.Subtitle != "" {
				fmt.Fprintf(w, "  [副题] %s", s.Subtitle)
			}
			fmt.Fprintln(w)
			credit := "no credit"
			if s.Credit != "" {
				credit = content.CreditLine(s.Credit)
			}
			fmt.Fprintf(w, "            %d paragraphs, %d subheads, %s → %s\n", s.Paragraphs(), len(s.Subheads()), credit, plan.Stories[k])
			for _, h := range s.Subheads() {
				fmt.Fprintf(w, "            [小标题] %s\n", h)
			}
		}
		for k, b := range p.Boxes {
			fmt.Fprintf(w, "  box       %s, %d rows → %s\n", b.Title, len(b.Rows), plan.Boxes[k])
		}
		if p.Rejoined > 0 {
			fmt.Fprintf(w, "  rejoined  %d lines broken by print columns\n", p.Rejoined)
		}
	}
	for _, wn := range append(p.Warnings, plan.Warnings...) {
		if wn.Line > 0 {
			fmt.Fprintf(env.Stderr, "warning: %s:%d: %s\n", pg.file, wn.Line, wn.Msg)
		} else {
			fmt.Fprintf(env.Stderr, "warning: %s: %s\n", pg.file, wn.Msg)
		}
	}
	sum.stories += len(p.Stories)
	sum.boxes += len(p.Boxes)
	sum.warnings += len(p.Warnings) + len(plan.Warnings)
	return &importResult{page: p, plan: plan.Files}, nil
}

// importWrite writes (or, in a dry run, checks) the files of one page.
func importWrite(env *Env, folder fs.FS, out string, files []importer.File, dry, quiet bool, sum *importSummary) error {
	var states []importer.Written
	if dry {
		for _, f := range files {
			states = append(states, importer.Status(folder, f))
		}
	} else {
		var err error
		states, err = importer.Write(out, files)
		if err != nil {
			return err
		}
	}
	for k, st := range states {
		sum.files++
		switch st {
		case importer.Created:
			sum.created++
		case importer.Updated:
			sum.updated++
		default:
			sum.unchanged++
		}
		if !quiet {
			fmt.Fprintf(env.Stdout, "  %-9s %s\n", st, filepath.ToSlash(filepath.Join(out, files[k].Path)))
		}
	}
	return nil
}

// importInputs expands folders into the .txt files inside them, sorted.
func importInputs(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", a, errors.Unwrap(err))
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		var inDir []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".txt") && !strings.HasPrefix(d.Name(), ".") {
				inDir = append(inDir, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading folder %s: %w", a, err)
		}
		if len(inDir) == 0 {
			return nil, fmt.Errorf("folder %s has no .txt page files", a)
		}
		sort.Strings(inDir)
		files = append(files, inDir...)
	}
	return files, nil
}

// importDates gives each file its edition date and page: from -date and
// -page for a single file, else from names like 2025-05-22-p14.txt.
func importDates(files []string, flagDate time.Time, flagPage int) ([]importPage, error) {
	cst := content.Newsroom
	var pages []importPage
	byDate := map[string]string{}
	for _, f := range files {
		pg := importPage{file: f, page: flagPage}
		base := filepath.Base(f)
		if len(files) == 1 && !flagDate.IsZero() {
			pg.date = flagDate
		} else if m := nameDateRE.FindStringSubmatch(base); m != nil {
			d, err := time.ParseInLocation("20060102", m[1]+m[2]+m[3], cst)
			if err == nil {
				pg.date = d
			}
		}
		if pg.date.IsZero() {
			pg.date = flagDate
		}
		if pg.date.IsZero() {
			return nil, usageError("%s: which day's page is it? give -date YYYY-MM-DD, or name the file like 2025-05-22.txt", f)
		}
		if len(files) > 1 || flagPage == 0 {
			if m := namePageRE.FindStringSubmatch(base); m != nil {
				n, _ := strconv.Atoi(m[1] + m[2])
				pg.page = n
			}
		}
		ds := pg.date.Format(content.DateLayout)
		if other, ok := byDate[ds]; ok {
			return nil, usageError("%s and %s would both be the edition of %s; name each file with its date", other, f, ds)
		}
		byDate[ds] = f
		pages = append(pages, pg)
	}
	return pages, nil
}
