package server

import (
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

type formData struct {
	Sub       store.Submission
	Offices   []string
	Editable  bool
	IsEditor  bool
	TagsText  string
	NewRecord bool
}

// submissionNew shows an empty submission form.
func (s *Server) submissionNew(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	d := formData{Editable: true, IsEditor: c.isEditor(), NewRecord: true, Sub: store.Submission{Office: c.user.Office}}
	if c.isEditor() {
		var err error
		if d.Offices, err = s.offices(); err != nil {
			return err
		}
	}
	return s.render(w, r, c, "new", "写稿", d)
}

// officeFor is the office a new submission is credited to: the
// submitter's own; an editor names one.
func officeFor(c *reqCtx, asked string) (string, error) {
	if !c.isEditor() {
		return c.user.Office, nil
	}
	asked = strings.TrimSpace(asked)
	if asked == "" {
		return "", errorf(http.StatusBadRequest, "请填写供稿单位")
	}
	return asked, nil
}

// submissionCreate stores a new submission from the form (or an uploaded
// .md file) with its photos, and submits it when the 投稿 button was used.
func (s *Server) submissionCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f, err := formFields(r)
	if err != nil {
		return err
	}
	office, err := officeFor(c, r.PostFormValue("office"))
	if err != nil {
		return err
	}
	sub := store.Submission{Office: office}
	f.apply(&sub)
	if err := checkBody(sub.Body); err != nil {
		return err
	}
	sub, err = s.st.CreateSubmission(sub, c.user.Name)
	if err != nil {
		return err
	}
	defer s.indexSubmissions(sub.ID)
	if err := s.savePhotos(r, c, sub.ID); err != nil {
		return err
	}
	msg := "created"
	if r.PostFormValue("do") == "submit" {
		if err := s.st.Transition(sub.ID, store.ActionSubmit, c.user.Name, ""); err != nil {
			return err
		}
		msg = "submitted"
	}
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg="+msg)
}
