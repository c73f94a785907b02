package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

// validDate checks a YYYY-MM-DD path segment.
func validDate(date string) error {
	if _, err := time.Parse(content.DateLayout, date); err != nil {
		return errorf(http.StatusBadRequest, "日期应为 YYYY-MM-DD：%s", date)
	}
	return nil
}

// editionOrNew returns the stored edition for date, or a new one with the
// masthead defaulting from the site config.
func (s *Server) editionOrNew(date string) (store.Edition, bool, error) {
	e, err := s.st.Edition(date)
	if errors.Is(err, store.ErrNotFound) {
		cfg := s.siteConfig()
		page, m, ok := s.previousEdition(date)
		m = m.Merge(cfg.Masthead)
		if m.Section == "" {
			m.Section = cfg.Section
		}
		if !ok {
			page = 1
		}
		return store.Edition{Date: date, Page: page, Masthead: m, Status: store.EditionDraft}, false, nil
	}
	return e, err == nil, err
}

// putEdition stores an edition and fixes its stories' slugs. It waits for
// a publish in progress: a publish works on one version of an edition.
func (s *Server) putEdition(e store.Edition, actor string) (store.Edition, error) {
	for i, it := range e.Items {
		if it.Box != nil {
			if err := validBox(it.Box, fmt.Sprintf("items[%d].box", i)); err != nil {
				return e, err
			}
		}
		if m := it.Module; m != nil && (m.Columns < 0 || m.Columns > 24 || m.Lines < 0 || m.Lines > 1000) {
			return e, errorf(http.StatusBadRequest, "模块尺寸不对：%d 栏 × %d 行", m.Columns, m.Lines)
		}
	}
	err := s.pub.Exclusive(func() error {
		old, _ := s.st.Edition(e.Date)
		saved, err := s.st.PutEdition(e, actor)
		if err != nil {
			return err
		}
		e = saved
		defer s.indexEdition(old) // stories taken off the page
		defer s.indexEdition(e)
		return s.pub.AssignSlugs(e, actor)
	})
	return e, err
}

// validBox checks an inline box as it will be written to boxes/ID.yaml:
// its id, its type (an empty one means 荣誉榜) and its rows. field names it
// in the request ("items[2].box"); errors name the field at fault.
func validBox(b *content.Box, field string) error {
	bad := func(f, format string, args ...any) error {
		return &Error{Status: http.StatusBadRequest, Field: field + "." + f, Message: fmt.Sprintf(format, args...)}
	}
	if !content.ValidSlug(b.ID) {
		return bad("id", "栏目编号“%s”只能用小写字母、数字和连字符", b.ID)
	}
	if b.Type == "" {
		b.Type = content.BoxHonourRoll
	}
	if b.Type != content.BoxHonourRoll {
		return bad("type", "栏目“%s”的类型“%s”不存在（可用：%s）", b.ID, b.Type, content.BoxHonourRoll)
	}
	for i, r := range b.Rows {
		if strings.TrimSpace(r.Company) == "" {
			return bad(fmt.Sprintf("rows[%d].company", i), "栏目“%s”第 %d 行缺少企业名称", b.ID, i+1)
		}
	}
	return nil
}

// parseRows reads 荣誉榜 rows pasted from a table: one row a line, cells
// separated by tabs (or |, or two or more spaces): company, product, award.
func parseRows(text string) ([]content.HonourRow, error) {
	var rows []content.HonourRow
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var cells []string
		switch {
		case strings.Contains(line, "\t"):
			cells = strings.Split(line, "\t")
		case strings.Contains(line, "|"):
			cells = strings.Split(strings.Trim(line, "|"), "|")
		default:
			cells = splitSpaces(line)
		}
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		cells = slices.DeleteFunc(cells, func(c string) bool { return c == "" })
		if len(cells) != 3 {
			return nil, errorf(http.StatusBadRequest, "荣誉榜第 %d 行应有三栏（企业、受检产品、荣获），实际 %d 栏：%s", i+1, len(cells), line)
		}
		rows = append(rows, content.HonourRow{Company: cells[0], Product: cells[1], Award: cells[2]})
	}
	return rows, nil
}

// splitSpaces splits on runs of two or more spaces (or a full-width space).
func splitSpaces(line string) []string {
	line = strings.ReplaceAll(line, "\u3000", "  ")
	var out []string
	for _, p := range strings.Split(line, "  ") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// rowsText writes rows back as tab-separated lines for the editor.
func rowsText(rows []content.HonourRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", r.Company, r.Product, r.Award)
	}
	return b.String()
}

// editionFromForm reads the edition builder form.
func editionFromForm(r *http.Request, e store.Edition) (store.Edition, error) {
	if err := r.ParseForm(); err != nil {
		return e, err
	}
	f := r.PostForm
	if p, err := strconv.Atoi(strings.TrimSpace(f.Get("page"))); err == nil {
		e.Page = p
	}
	e.Title, e.Note = f.Get("title"), f.Get("note")
	e.Masthead = content.Masthead{Section: strings.TrimSpace(f.Get("section")), Editor: strings.TrimSpace(f.Get("editor")),
		Weibo: strings.TrimSpace(f.Get("weibo")), Email: strings.TrimSpace(f.Get("email")), Hotline: strings.TrimSpace(f.Get("hotline"))}
	type placed struct {
		order int
		item  store.EditionItem
	}
	var items []placed
	lead := f.Get("lead")
	for _, id := range f["place"] {
		o, err := strconv.Atoi(strings.TrimSpace(f.Get("order:" + id)))
		if err != nil {
			o = 1000 + len(items)
		}
		mod, err := formModule(f.Get("columns:"+id), f.Get("lines:"+id), f.Get("locked:"+id) != "")
		if err != nil {
			return e, err
		}
		items = append(items, placed{o, store.EditionItem{Submission: id, Lead: id == lead, Module: mod}})
	}
	ids, titles, rows, orders := f["box_id"], f["box_title"], f["box_rows"], f["box_order"]
	cols, lines, locked := f["box_columns"], f["box_lines"], f["box_locked"]
	at := func(list []string, i int) string {
		if i < len(list) {
			return list[i]
		}
		return ""
	}
	taken := map[string]bool{}
	for _, id := range ids {
		taken[strings.TrimSpace(id)] = true
	}
	for i, id := range ids {
		id = strings.TrimSpace(id)
		title := strings.TrimSpace(at(titles, i))
		rs, err := parseRows(at(rows, i))
		if err != nil {
			return e, err
		}
		if len(rs) == 0 && title == "" {
			continue // an empty box slot, or a box emptied to remove it
		}
		if id == "" {
			id = boxID(title, e.Date, taken)
		}
		b := &content.Box{ID: id, Type: content.BoxHonourRoll, Title: title, Rows: rs}
		mod, err := formModule(at(cols, i), at(lines, i), at(locked, i) == "1")
		if err != nil {
			return e, err
		}
		o := 2000 + i
		if i < len(orders) {
			if v, err := strconv.Atoi(strings.TrimSpace(orders[i])); err == nil {
				o = v
			}
		}
		items = append(items, placed{o, store.EditionItem{Box: b, Module: mod}})
	}
	slices.SortStableFunc(items, func(a, b placed) int { return a.order - b.order })
	e.Items = nil
	for _, p := range items {
		e.Items = append(e.Items, p.item)
	}
	return e, nil
}
