package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/layout"
	"github.com/banmian/banmian/internal/store"
)

// The edition builder's server side: the live fit report of the page as
// it stands in the builder form (saved or not), the module fields of the
// form, generated box ids and what a new edition carries over from the
// one before.

// editionFit: POST /desk/editions/{date}/fit takes the builder form and
// answers the fit report of that page without saving it, with each
// story's module under its submission ID.
func (s *Server) editionFit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	e, err := s.postedEdition(r)
	if err != nil {
		return err
	}
	rep, err := s.fitReport(e)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

// fitReport lays out e over the live content: each submission is a story
// whose slug is its ID, each inline box a box.
func (s *Server) fitReport(e store.Edition) (*layout.Report, error) {
	var c content.Content
	if sn := s.snapshot(); sn != nil {
		c = *sn.Content
	} else {
		c.Site = content.DefaultSite()
	}
	c.Stories = nil
	c.Boxes = map[string]*content.Box{}
	t, err := time.Parse(content.DateLayout, e.Date)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "日期应为 YYYY-MM-DD：%s", e.Date)
	}
	ce := &content.Edition{Path: "editions/" + e.Date + ".yaml", Date: t, Page: e.Page, Masthead: e.Masthead}
	for _, it := range e.Items {
		if it.Box != nil {
			b := *it.Box
			if b.Title == "" {
				b.Title = "荣誉榜"
			}
			c.Boxes[b.ID] = &b
			ce.Items = append(ce.Items, content.Item{Box: b.ID, Module: it.Module})
			continue
		}
		sub, err := s.st.Submission(it.Submission)
		if err != nil {
			return nil, err
		}
		c.Stories = append(c.Stories, &content.Story{
			Slug: sub.ID, Title: sub.Title, Kicker: sub.Kicker, Subtitle: sub.Subtitle,
			Credit: sub.Office, Date: t, Body: []byte(sub.Body),
		})
		ce.Items = append(ce.Items, content.Item{Story: sub.ID, Lead: it.Lead, Module: it.Module})
	}
	return layout.Estimate(&c, ce)
}

// formModule reads the module fields of one builder item: columns, lines
// and locked, empty meaning automatic.
func formModule(cols, lines string, locked bool) (*content.ItemModule, error) {
	m := &content.ItemModule{Locked: locked}
	for _, f := range []struct {
		v   string
		dst *int
		max int
		bad string
	}{{cols, &m.Columns, 24, "栏数"}, {lines, &m.Lines, 1000, "行数"}} {
		v := strings.TrimSpace(f.v)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > f.max {
			return nil, errorf(http.StatusBadRequest, "模块%s应为 0 到 %d 的整数：%s", f.bad, f.max, v)
		}
		*f.dst = n
	}
	if m.IsZero() {
		return nil, nil
	}
	return m, nil
}

// boxID is a generated id for a new box on the edition of date: the
// pinyin of its title and the date (rong-yu-bang-20250522), numbered when
// the edition has one already.
func boxID(title, date string, taken map[string]bool) string {
	base := content.Slugify(title)
	if base == "" {
		base = "box"
	}
	base += "-" + strings.ReplaceAll(date, "-", "")
	id := base
	for n := 2; taken[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	taken[id] = true
	return id
}

// previousEdition is the newest edition before date, stored or in
// content/, for what a new edition carries over: 版次 and masthead.
func (s *Server) previousEdition(date string) (page int, m content.Masthead, ok bool) {
	best := ""
	if eds, err := s.st.Editions(); err == nil {
		for _, e := range eds {
			if e.Date < date && e.Date > best && e.Page > 0 {
				best, page, m, ok = e.Date, e.Page, e.Masthead, true
			}
		}
	}
	if sn := s.snapshot(); sn != nil {
		for _, e := range sn.Content.Editions {
			if d := e.DateString(); d < date && d > best && e.Page > 0 {
				best, page, m, ok = d, e.Page, e.Masthead, true
			}
		}
	}
	return page, m, ok
}
