package server

import (
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// transitionActions are the actions the desk and the API accept in a URL.
var transitionActions = map[string]store.Action{
	"submit": store.ActionSubmit, "return": store.ActionReturn, "accept": store.ActionAccept,
	"reject": store.ActionReject, "withdraw": store.ActionWithdraw, "reopen": store.ActionReopen,
}

// actionFlash is the ?msg= code of the page shown after an action.
var actionFlash = map[store.Action]string{store.ActionSubmit: "submitted", store.ActionReturn: "returned", store.ActionAccept: "accepted",
	store.ActionReject: "rejected", store.ActionWithdraw: "withdrawn", store.ActionReopen: "reopened"}

// msgNoteNeeded asks for the return note.
const msgNoteNeeded = "退回稿件时，请写明需要供稿单位修改什么"

// transition applies the action named in the URL to a submission the
// caller can see, if their role allows the action. Reopening checks the
// role in the store's transaction.
func (s *Server) transition(r *http.Request, c *reqCtx, note string) (store.Submission, store.Action, error) {
	action, ok := transitionActions[r.PathValue("action")]
	if !ok {
		return store.Submission{}, "", errNotFound
	}
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return sub, action, err
	}
	if !c.mayAct(action) {
		return sub, action, errForbidden
	}
	if action == store.ActionReturn && strings.TrimSpace(note) == "" {
		return sub, action, &Error{Status: http.StatusBadRequest, Message: msgNoteNeeded, Field: "note"}
	}
	if action == store.ActionSubmit && (strings.TrimSpace(sub.Title) == "" || strings.TrimSpace(sub.Body) == "") {
		return sub, action, &Error{Status: http.StatusBadRequest, Message: "投稿前请填写主题（标题）和正文"}
	}
	if action == store.ActionReopen {
		err = s.st.Reopen(sub.ID, c.user.Name)
	} else {
		err = s.st.Transition(sub.ID, action, c.user.Name, note)
	}
	if err != nil {
		return sub, action, err
	}
	sub, err = s.st.Submission(sub.ID)
	return sub, action, err
}

// submissionTransition handles the action buttons of the submission page
// for a story whose text the caller cannot change here.
func (s *Server) submissionTransition(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, action, err := s.transition(r, c, r.PostFormValue("note"))
	if err != nil {
		if sub.ID != "" {
			return s.showFailed(w, r, c, sub.ID, err, nil)
		}
		return err
	}
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg="+actionFlash[action])
}
