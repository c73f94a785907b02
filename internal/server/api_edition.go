package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

// editionJSON is the body of PUT /api/editions/{date}.
type editionJSON struct {
	Page     int               `json:"page"`
	Title    string            `json:"title"`
	Note     string            `json:"note"`
	Masthead *content.Masthead `json:"masthead"`
	Items    []struct {
		Submission string       `json:"submission"`
		Box        *content.Box `json:"box"`
		Lead       bool         `json:"lead"`
		// Module overrides the item's print module: {columns, lines, locked}.
		Module *content.ItemModule `json:"module"`
	} `json:"items"`
	// PublishAt, when set (RFC 3339), schedules the edition.
	PublishAt *time.Time `json:"publishAt"`
}

// apiEditionPut: PUT /api/editions/{date} creates or replaces an edition.
func (s *Server) apiEditionPut(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	date := r.PathValue("date")
	if err := validDate(date); err != nil {
		return err
	}
	var in editionJSON
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badJSON(err)
	}
	e, _, err := s.editionOrNew(date)
	if err != nil {
		return err
	}
	if in.Page != 0 {
		e.Page = in.Page
	}
	e.Title, e.Note = in.Title, in.Note
	if in.Masthead != nil {
		e.Masthead = *in.Masthead
	}
	e.Items = nil
	for _, it := range in.Items {
		if it.Box != nil {
			b := *it.Box
			e.Items = append(e.Items, store.EditionItem{Box: &b, Lead: it.Lead, Module: it.Module})
		} else {
			e.Items = append(e.Items, store.EditionItem{Submission: it.Submission, Lead: it.Lead, Module: it.Module})
		}
	}
	e, err = s.putEdition(e, c.user.Name)
	if err != nil {
		return err
	}
	if in.PublishAt != nil {
		if e, err = s.st.ScheduleEdition(date, *in.PublishAt, c.user.Name); err != nil {
			return err
		}
		s.wakeScheduler()
	}
	s.json(w, http.StatusOK, map[string]any{"edition": e})
	return nil
}

// apiEditionPublish: POST /api/editions/{date}/publish.
func (s *Server) apiEditionPublish(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	date := r.PathValue("date")
	if err := validDate(date); err != nil {
		return err
	}
	res, err := s.Publish(r.Context(), date, c.user.Name)
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, res)
	return nil
}
