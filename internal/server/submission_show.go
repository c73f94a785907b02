package server

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

type showData struct {
	Sub       store.Submission
	Editable  bool
	IsEditor  bool
	IsAuthor  bool
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
	Errors    fieldErrors
	// Return is the editor's latest return, shown on top while the story
	// is returned.
	Return *store.Event
	// Other is the version someone else saved while the form was being
	// edited (an edit conflict): the form holds the user's own.
	Other *store.Submission
	// Note is the action note as posted (a failed return keeps it).
	Note string
}

// showDataFor gathers what the submission page shows for sub.
func (s *Server) showDataFor(c *reqCtx, sub store.Submission) (showData, error) {
	d := showData{Sub: sub, Editable: c.mayEdit(sub), IsEditor: c.isEditor(), IsAuthor: sub.Author == c.user.Name,
		TagsText: strings.Join(sub.Tags, "、"), Published: sub.Status == store.StatusPublished, Errors: fieldErrors{}}
	var err error
	if c.isEditor() {
		if d.Offices, err = s.offices(); err != nil {
			return d, err
		}
	}
	for _, a := range store.Actions(sub.Status) {
		if c.mayAct(a) {
			d.Actions = append(d.Actions, a)
		}
	}
	if d.History, err = s.st.History(sub.ID); err != nil {
		return d, err
	}
	if sub.Status == store.StatusReturned {
		for i := len(d.History) - 1; i >= 0; i-- {
			if d.History[i].Action == store.ActionReturn {
				d.Return = &d.History[i]
				break
			}
		}
	}
	if d.Notes, err = s.st.Notes(sub.ID); err != nil {
		return d, err
	}
	if d.Revisions, err = s.st.Revisions(sub.ID); err != nil {
		return d, err
	}
	doc, err := s.md.Render([]byte(sub.Body))
	if err != nil {
		return d, err
	}
	d.Preview, d.Chars = deskPhotos(doc.HTML, sub), doc.Chars
	return d, nil
}

// submissionShow shows a submission: its text (as a form when the caller
// may edit it), actions, history, notes thread and revisions.
func (s *Server) submissionShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.showDataFor(c, sub)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "show", sub.Title, d)
}

// showFailed shows the submission page again after a failed post: the
// stored submission with the form as posted, the error on top and next to
// the field at fault. On an edit conflict the stored version is shown
// beside the user's, and saving again keeps the user's.
func (s *Server) showFailed(w http.ResponseWriter, r *http.Request, c *reqCtx, id string, cause error, errs fieldErrors) error {
	if wantsJSON(r) {
		return cause
	}
	cur, err := s.submission(c, id)
	if err != nil {
		return err
	}
	d, err := s.showDataFor(c, cur)
	if err != nil {
		return err
	}
	status, msg := statusOf(cause)
	for k, v := range errs {
		d.Errors[k] = v
	}
	if f := fieldOf(cause); f != "" {
		d.Errors[f] = msg
		msg = msgFixFields
	}
	d.Note = r.PostFormValue("note")
	if d.Editable && r.PostForm.Has("body") {
		if isConflict(cause) {
			other := cur
			d.Other = &other
			msg = "在你编辑期间，" + lastAuthor(d.Revisions) + "保存了新的版本。下面并排列出两个版本：点“保留我的版本”会用你的内容覆盖，点“采用对方的版本”会放弃你的修改。"
		}
		d.Sub = postedSubmission(r, cur)
		d.Sub.Rev = cur.Rev
		d.TagsText = r.PostFormValue("tags")
	}
	if r.MultipartForm != nil && len(r.MultipartForm.File["photo"]) > 0 && d.Errors["photo"] == "" {
		msg += "照片需要重新选择。"
	}
	return s.renderFailed(w, r, c, status, "show", cur.Title, msg, d)
}

func lastAuthor(revs []store.Revision) string {
	if len(revs) == 0 {
		return "他人"
	}
	return revs[len(revs)-1].Author + " "
}

// deskPhotos points the photos a writer put in the text (![说明](1.jpg))
// at the desk's copies.
func deskPhotos(html template.HTML, sub store.Submission) template.HTML {
	if len(sub.Photos) == 0 {
		return html
	}
	var pairs []string
	for _, p := range sub.Photos {
		pairs = append(pairs, `src="`+p.Name+`"`, `src="/desk/submissions/`+sub.ID+`/photos/`+p.Name+`"`)
	}
	return template.HTML(strings.NewReplacer(pairs...).Replace(string(html)))
}
