package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/search"
)

func runSearch(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "search", "[-source content] [-index data/index] [-json] [-credit X] [-tag X] [-from DATE] [-to DATE] [-newest] [-n N] [-offset N] QUERY")
	var o indexOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "print JSON: total, partial, hits (slug, title, date, credit, score, snippet), facets")
	credit := fs.String("credit", "", "only stories with this credit (供稿单位)")
	tag := fs.String("tag", "", "only stories with this tag")
	from := fs.String("from", "", "only stories dated on or after `DATE` (YYYY-MM-DD)")
	to := fs.String("to", "", "only stories dated on or before `DATE` (YYYY-MM-DD)")
	newest := fs.Bool("newest", false, "newest first instead of by relevance")
	n := fs.Int("n", search.DefaultLimit, "number of results (at most 100)")
	offset := fs.Int("offset", 0, "skip this many results")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q := search.Query{Text: strings.Join(fs.Args(), " "), Credit: *credit, Tag: *tag, Limit: *n, Offset: *offset}
	if *newest {
		q.Sort = search.SortNewest
	}
	if *n < 1 || *n > search.MaxLimit {
		return usageError("-n must be between 1 and %d", search.MaxLimit)
	}
	if *offset < 0 {
		return usageError("-offset must not be negative")
	}
	for _, d := range []struct {
		flag, val string
		to        *time.Time
	}{{"from", *from, &q.From}, {"to", *to, &q.To}} {
		if d.val == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.val)
		if err != nil {
			return usageError("-%s %q: want a date like 2025-06-12", d.flag, d.val)
		}
		*d.to = t
	}
	if q.Text == "" && q.Credit == "" && q.Tag == "" && q.From.IsZero() && q.To.IsZero() {
		return usageError("nothing to search for: give a QUERY or a filter")
	}
	// An index that does not exist yet, or whose last update did not
	// finish, is brought up to date from the content folder first.
	if _, err := os.Stat(filepath.Join(o.index, "index_meta.json")); err != nil {
		fmt.Fprintf(env.Stderr, "search index %s not found: indexing %s first\n", o.index, o.source)
		if _, _, err := refreshIndex(ctx, o.source, o.index, nil); err != nil {
			return err
		}
	}
	x, err := search.Open(o.index)
	if err != nil {
		return err
	}
	defer x.Close()
	if !x.Complete() {
		fmt.Fprintf(env.Stderr, "search index %s is incomplete: updating it from %s first\n", o.index, o.source)
		docs, fill, err := loadSearchDocs(o.source)
		if err != nil {
			return err
		}
		if _, err := x.SyncLazy(ctx, docs, fill); err != nil {
			return fmt.Errorf("updating search index %s: %w", o.index, err)
		}
	}
	res, err := x.Search(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printResult(env, res)
	return nil
}

// plainMarks turns snippet HTML into text with matches in 【】.
var plainMarks = strings.NewReplacer("<mark>", "【", "</mark>", "】")

func printResult(env *Env, res *search.Result) {
	w := env.Stdout
	note := ""
	if res.Partial {
		note = "（没有同时包含全部关键词的报道，以下为部分匹配）"
	}
	fmt.Fprintf(w, "共 %d 篇%s\n", res.Total, note)
	for i, h := range res.Hits {
		credit := ""
		if h.Credit != "" {
			credit = "  " + content.CreditLine(h.Credit)
		}
		fmt.Fprintf(w, "\n%d. %s  %s%s  [%s]\n", res.Offset+i+1, h.Date, html.UnescapeString(plainMarks.Replace(string(h.TitleHTML))), credit, h.ID)
		fmt.Fprintf(w, "   %s\n", html.UnescapeString(plainMarks.Replace(string(h.Snippet))))
	}
	if shown := res.Offset + len(res.Hits); shown < res.Total {
		fmt.Fprintf(w, "\n还有 %d 篇（-offset %d 查看）\n", res.Total-shown, shown)
	}
}
