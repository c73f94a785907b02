package server

import (
	"net/http"
	"slices"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

type editionRow struct {
	Sub    store.Submission
	Placed bool
	Order  int
	Lead   bool
	Chars  int
	Module content.ItemModule
}

type boxRow struct {
	ID, Title, Rows string
	Order           int
	Module          content.ItemModule
}

// pageItem is one item on the builder's page list, in page order.
type pageItem struct {
	Story *editionRow
	Box   *boxRow
}

type editionData struct {
	Items      []pageItem // placed stories and boxes in page order
	E          store.Edition
	Exists     bool
	Rows       []editionRow
	Boxes      []boxRow
	PageChars  int
	PublishAt  string
	Editable   bool
	HasPrinter bool
	Columns    int         // base columns of the page grid
	LiveURL    string      // the published page on the reader site
	Deploy     *deployView // nil without a Deployer
}

// editionList lists editions and links to a new one.
func (s *Server) editionList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	eds, err := s.st.Editions()
	if err != nil {
		return err
	}
	if d := r.URL.Query().Get("date"); d != "" {
		if err := validDate(d); err != nil {
			return err
		}
		return redirect(w, r, "/desk/editions/"+d)
	}
	return s.render(w, r, c, "editions", "版面", map[string]any{"Editions": eds, "Today": s.now().In(cst).Format("2006-01-02")})
}

// editionShow is the edition builder: masthead, accepted stories to place
// in order with the lead, 荣誉榜 boxes, character counts, proof and publish.
func (s *Server) editionShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	date := r.PathValue("date")
	if err := validDate(date); err != nil {
		return err
	}
	e, exists, err := s.editionOrNew(date)
	if err != nil {
		return err
	}
	d := editionData{E: e, Exists: exists, Editable: e.Status != store.EditionPublished, HasPrinter: s.cfg.Printer != nil, Deploy: s.deployView()}
	if !e.PublishAt.IsZero() {
		d.PublishAt = e.PublishAt.In(cst).Format("2006-01-02T15:04")
	}
	d.Columns = content.DefaultGeometry.Columns
	if g := s.siteConfig().Geometry.Merge(content.DefaultGeometry); g.Columns > 0 {
		d.Columns = g.Columns
	}
	if e.Status == store.EditionPublished {
		d.LiveURL = content.SiteRoot(s.siteConfig().BaseURL) + content.EditionPath(date)
	}
	placed := map[string]int{}
	leads := map[string]bool{}
	mods := map[string]content.ItemModule{}
	for i, it := range e.Items {
		var m content.ItemModule
		if it.Module != nil {
			m = *it.Module
		}
		if it.Submission != "" {
			placed[it.Submission] = i + 1
			leads[it.Submission] = it.Lead
			mods[it.Submission] = m
		}
		if it.Box != nil {
			d.Boxes = append(d.Boxes, boxRow{ID: it.Box.ID, Title: it.Box.Title, Rows: rowsText(it.Box.Rows), Order: i + 1, Module: m})
		}
	}
	d.Boxes = append(d.Boxes, boxRow{Order: len(e.Items) + 1})
	var cands []store.Submission
	for id := range placed {
		sub, err := s.st.Submission(id)
		if err != nil {
			return err
		}
		cands = append(cands, sub)
	}
	if d.Editable {
		acc, err := s.st.Submissions(store.SubmissionFilter{Statuses: []store.Status{store.StatusAccepted}})
		if err != nil {
			return err
		}
		cands = append(cands, acc...)
	}
	for _, sub := range cands {
		doc, err := s.md.Render([]byte(sub.Body))
		if err != nil {
			return err
		}
		row := editionRow{Sub: sub, Placed: placed[sub.ID] > 0, Order: placed[sub.ID], Lead: leads[sub.ID], Chars: doc.Chars, Module: mods[sub.ID]}
		if !row.Placed {
			row.Order = len(e.Items) + 1 + len(d.Rows)
		} else {
			d.PageChars += doc.Chars
		}
		d.Rows = append(d.Rows, row)
	}
	slices.SortStableFunc(d.Rows, func(a, b editionRow) int { return a.Order - b.Order })
	for i := range d.Rows {
		if d.Rows[i].Placed {
			d.Items = append(d.Items, pageItem{Story: &d.Rows[i]})
		}
	}
	for i := range d.Boxes {
		if d.Boxes[i].ID != "" {
			d.Items = append(d.Items, pageItem{Box: &d.Boxes[i]})
		}
	}
	order := func(p pageItem) int {
		if p.Story != nil {
			return p.Story.Order
		}
		return p.Box.Order
	}
	slices.SortStableFunc(d.Items, func(a, b pageItem) int { return order(a) - order(b) })
	return s.render(w, r, c, "edition", date+" 版面", d)
}

// editionSave stores the builder form.
func (s *Server) editionSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	e, err := s.postedEdition(r)
	if err != nil {
		return err
	}
	if _, err := s.putEdition(e, c.user.Name); err != nil {
		return err
	}
	return redirect(w, r, "/desk/editions/"+e.Date+"?msg=saved")
}

// postedEdition is the edition of the request's date (a new one if there
// is none yet) as the builder form posted it.
func (s *Server) postedEdition(r *http.Request) (store.Edition, error) {
	date := r.PathValue("date")
	if err := validDate(date); err != nil {
		return store.Edition{}, err
	}
	e, _, err := s.editionOrNew(date)
	if err != nil {
		return store.Edition{}, err
	}
	return editionFromForm(r, e)
}

// editionSchedule sets (or, empty, clears) the time to publish at.
func (s *Server) editionSchedule(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	date := r.PathValue("date")
	var at time.Time
	if v := r.PostFormValue("at"); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, cst)
		if err != nil {
			return errorf(http.StatusBadRequest, "发布时间应写成 2025-06-24T10:00 这样的日期和时间：%s", v)
		}
		at = t
	}
	if _, err := s.st.ScheduleEdition(date, at, c.user.Name); err != nil {
		return err
	}
	s.wakeScheduler()
	return redirect(w, r, "/desk/editions/"+date+"?msg=scheduled")
}

// editionPublish publishes an edition now.
func (s *Server) editionPublish(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	date := r.PathValue("date")
	if err := validDate(date); err != nil {
		return err
	}
	if _, err := s.Publish(r.Context(), date, c.user.Name); err != nil {
		return err
	}
	return redirect(w, r, "/desk/editions/"+date+"?msg=published")
}
