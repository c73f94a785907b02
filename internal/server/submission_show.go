package server

import (
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

type showData struct {
	Sub       store.Submission
	Editable  bool
	IsEditor  bool
	TagsText  string
	Actions   []store.Action
	History   []store.Event
	Notes     []store.Note
	Revisions []store.Revision
	Preview   any
	Chars     int
	Published bool
	NewRecord bool
	Offices   []string
}

// submissionShow shows a submission: its text (as a form when the caller
// may edit it), actions, history, notes thread and revisions.
func (s *Server) submissionShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := showData{Sub: sub, Editable: c.mayEdit(sub), IsEditor: c.isEditor(), TagsText: strings.Join(sub.Tags, "、"),
		Published: sub.Status == store.StatusPublished}
	if c.isEditor() {
		if d.Offices, err = s.offices(); err != nil {
			return err
		}
	}
	for _, a := range store.Actions(sub.Status) {
		if c.mayAct(a) {
			d.Actions = append(d.Actions, a)
		}
	}
	if d.History, err = s.st.History(sub.ID); err != nil {
		return err
	}
	if d.Notes, err = s.st.Notes(sub.ID); err != nil {
		return err
	}
	if d.Revisions, err = s.st.Revisions(sub.ID); err != nil {
		return err
	}
	doc, err := s.md.Render([]byte(sub.Body))
	if err != nil {
		return err
	}
	d.Preview, d.Chars = doc.HTML, doc.Chars
	return s.render(w, r, c, "show", sub.Title, d)
}
