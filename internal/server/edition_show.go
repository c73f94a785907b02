package server

import (
	"net/http"
	"slices"
	"time"

	"github.com/banmian/banmian/internal/store"
)

type editionRow struct {
	Sub    store.Submission
	Placed bool
	Order  int
	Lead   bool
	Chars  int
}

type boxRow struct {
	ID, Title, Rows string
	Order           int
}

type editionData struct {
	E          store.Edition
	Exists     bool
	Rows       []editionRow
	Boxes      []boxRow
	PageChars  int
	PublishAt  string
	Editable   bool
	HasPrinter bool
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
	d := editionData{E: e, Exists: exists, Editable: e.Status != store.EditionPublished, HasPrinter: s.cfg.Printer != nil}
	if !e.PublishAt.IsZero() {
		d.PublishAt = e.PublishAt.In(cst).Format("2006-01-02T15:04")
	}
	placed := map[string]int{}
	leads := map[string]bool{}
	for i, it := range e.Items {
		if it.Submission != "" {
			placed[it.Submission] = i + 1
			leads[it.Submission] = it.Lead
		}
		if it.Box != nil {
			d.Boxes = append(d.Boxes, boxRow{ID: it.Box.ID, Title: it.Box.Title, Rows: rowsText(it.Box.Rows), Order: i + 1})
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
		row := editionRow{Sub: sub, Placed: placed[sub.ID] > 0, Order: placed[sub.ID], Lead: leads[sub.ID], Chars: doc.Chars}
		if !row.Placed {
			row.Order = len(e.Items) + 1 + len(d.Rows)
		} else {
			d.PageChars += doc.Chars
		}
		d.Rows = append(d.Rows, row)
	}
	slices.SortStableFunc(d.Rows, func(a, b editionRow) int { return a.Order - b.Order })
	return s.render(w, r, c, "edition", date+" 版面", d)
}

// editionSave stores the builder form.
func (s *Server) editionSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	date := r.PathValue("date")
	if err := validDate(date); err != nil {
		return err
	}
	e, _, err := s.editionOrNew(date)
	if err != nil {
		return err
	}
	e, err = editionFromForm(r, e)
	if err != nil {
		return err
	}
	if _, err := s.putEdition(e, c.user.Name); err != nil {
		return err
	}
	return redirect(w, r, "/desk/editions/"+date+"?msg=saved")
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
