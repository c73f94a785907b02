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
	Errors    fieldErrors
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
		return "", &Error{Status: http.StatusBadRequest, Message: "请填写供稿单位", Field: "office"}
	}
	return asked, nil
}

// submissionCreate stores a new submission from the form (or an uploaded
// .md file) with its photos, and submits it when the 投稿 button was used.
// Everything is checked first; if a later step fails (a bad photo, the
// submission itself) the new draft is deleted again, so a failed 投稿
// leaves nothing behind, and the form comes back with everything typed
// and the error next to the field at fault.
func (s *Server) submissionCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	submit := r.PostFormValue("do") == "submit"
	fail := func(err error, errs fieldErrors) error {
		if wantsJSON(r) {
			return err
		}
		status, msg := statusOf(err)
		if errs == nil {
			errs = fieldErrors{}
		}
		if f := fieldOf(err); f != "" {
			errs[f] = msg
			msg = msgFixFields
		}
		d := formData{Editable: true, IsEditor: c.isEditor(), NewRecord: true, TagsText: r.PostFormValue("tags"), Errors: errs,
			Sub: postedSubmission(r, store.Submission{Office: c.user.Office})}
		if c.isEditor() {
			d.Offices, _ = s.offices()
		}
		if r.MultipartForm != nil && len(r.MultipartForm.File["photo"]) > 0 {
			msg += "照片需要重新选择。"
		}
		return s.renderFailed(w, r, c, status, "new", "写稿", msg, d)
	}
	f, err := formFields(r)
	if err != nil {
		return fail(err, nil)
	}
	errs := checkFields(f, submit)
	office, err := officeFor(c, r.PostFormValue("office"))
	if err != nil {
		errs["office"] = err.(*Error).Message
	}
	if len(errs) > 0 {
		return fail(&Error{Status: http.StatusBadRequest, Message: msgFixFields}, errs)
	}
	sub := store.Submission{Office: office}
	f.apply(&sub)
	if err := checkBody(sub.Body); err != nil {
		return err
	}
	sub, err = s.st.CreateSubmission(sub, c.user.Name)
	if err != nil {
		return fail(err, nil)
	}
	undo := func(err error) error {
		if derr := s.st.DeleteDraft(sub.ID, c.user.Name); derr != nil {
			s.log.Error("removing a draft after a failed create", "id", sub.ID, "err", derr)
		}
		return fail(err, nil)
	}
	if err := s.savePhotos(r, c, sub.ID); err != nil {
		return undo(err)
	}
	msg := "created"
	if submit {
		if err := s.st.Transition(sub.ID, store.ActionSubmit, c.user.Name, ""); err != nil {
			return undo(err)
		}
		msg = "submitted"
	}
	s.indexSubmissions(sub.ID)
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg="+msg)
}
