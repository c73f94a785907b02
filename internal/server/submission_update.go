package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// isConflict reports an edit conflict (someone saved in between).
func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// submissionUpdate saves the form over a submission, provided nobody saved
// since the form was loaded, then does the action of the button used
// (do=save, submit, return, accept, reject or withdraw), so every button
// acts on the text on screen. On a published story only an editor may
// change it, with a correction note: the story file is rewritten with the
// dated note and the site rebuilt. A failure shows the form again as
// posted, with the error in place.
func (s *Server) submissionUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.mayEdit(sub) {
		return errForbidden
	}
	if err := parseForm(r); err != nil {
		return err
	}
	do := r.PostFormValue("do")
	action, isAction := transitionActions[do]
	if isAction && !c.mayAct(action) {
		return errForbidden
	}
	f, err := formFields(r)
	if err != nil {
		return s.showFailed(w, r, c, sub.ID, err, nil)
	}
	if errs := checkFields(f, action == store.ActionSubmit); len(errs) > 0 {
		return s.showFailed(w, r, c, sub.ID, &Error{Status: http.StatusBadRequest, Message: msgFixFields}, errs)
	}
	if action == store.ActionReturn && strings.TrimSpace(r.PostFormValue("note")) == "" {
		return s.showFailed(w, r, c, sub.ID, &Error{Status: http.StatusBadRequest, Message: msgNoteNeeded, Field: "note"}, nil)
	}
	if sub.Status == store.StatusPublished {
		note := strings.TrimSpace(r.PostFormValue("correction"))
		if note == "" {
			return s.showFailed(w, r, c, sub.ID, &Error{Status: http.StatusBadRequest, Message: "修改已见报的稿件需要填写更正说明", Field: "correction"}, nil)
		}
		if err := s.correct(r.Context(), sub.ID, c.user.Name, formRev(r), f, note, c.editCheck(true)); err != nil {
			return s.showFailed(w, r, c, sub.ID, err, nil)
		}
		return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg=corrected")
	}
	office := sub.Office
	if c.isEditor() && strings.TrimSpace(r.PostFormValue("office")) != "" {
		office = strings.TrimSpace(r.PostFormValue("office"))
	}
	if _, err := s.saveText(sub.ID, c.user.Name, formRev(r), f, office, c.editCheck(false)); err != nil {
		return s.showFailed(w, r, c, sub.ID, err, nil)
	}
	if err := s.savePhotoCaptions(r, c, sub.ID); err != nil {
		return s.showFailed(w, r, c, sub.ID, err, nil)
	}
	if err := s.savePhotos(r, c, sub.ID); err != nil {
		return s.showFailed(w, r, c, sub.ID, err, nil)
	}
	if isAction {
		if err := s.st.Transition(sub.ID, action, c.user.Name, r.PostFormValue("note")); err != nil {
			return s.showFailed(w, r, c, sub.ID, err, nil)
		}
		return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg="+actionFlash[action])
	}
	if wantsJSON(r) {
		cur, err := s.st.Submission(sub.ID)
		if err != nil {
			return err
		}
		s.json(w, http.StatusOK, map[string]any{"rev": cur.Rev, "saved": true})
		return nil
	}
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg=saved")
}

// editCheck is the permission to change a submission's text or captions,
// checked on the stored submission inside the store transaction that
// writes (a slow request cannot change a story accepted or published
// while it was being read). A published story changes only through a
// correction.
func (c *reqCtx) editCheck(correction bool) func(store.Submission) error {
	return func(cur store.Submission) error {
		if !c.mayEdit(cur) || (cur.Status == store.StatusPublished) != correction {
			return fmt.Errorf("submission %s is %s: %w", cur.ID, cur.Status, store.ErrNotEditable)
		}
		return nil
	}
}

// saveText stores new text fields over submission id if may allows the
// change and rev is still its latest revision (rev 0 skips the revision
// check), both checked inside the writing transaction. Oversized or too
// deeply nested bodies are refused first.
func (s *Server) saveText(id, actor string, rev int, f storyFields, office string, may func(store.Submission) error) (store.Submission, error) {
	if err := checkBody(f.Body); err != nil {
		return store.Submission{}, err
	}
	return s.st.UpdateSubmission(id, actor, func(cur *store.Submission) error {
		if err := may(*cur); err != nil {
			return err
		}
		if rev != 0 && rev != cur.Rev {
			return fmt.Errorf("submission %s: editing revision %d, but revision %d was saved since: %w", id, rev, cur.Rev, store.ErrConflict)
		}
		f.apply(cur)
		if office != "" {
			cur.Office = office
		}
		return nil
	})
}

// savePhotoCaptions stores edited captions (fields "caption:NAME").
func (s *Server) savePhotoCaptions(r *http.Request, c *reqCtx, id string) error {
	changed := false
	caps := map[string]string{}
	for k, v := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "caption:"); ok && len(v) > 0 {
			caps[name] = v[0]
			changed = true
		}
	}
	if !changed {
		return nil
	}
	may := c.editCheck(false)
	_, err := s.st.UpdateSubmission(id, c.user.Name, func(cur *store.Submission) error {
		if err := may(*cur); err != nil {
			return err
		}
		for i, p := range cur.Photos {
			if v, ok := caps[p.Name]; ok {
				cur.Photos[i].Caption = v
			}
		}
		return nil
	})
	return err
}
