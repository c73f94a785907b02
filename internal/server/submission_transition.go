package server

import (
	"net/http"

	"github.com/banmian/banmian/internal/store"
)

// transitionActions are the actions the desk and the API accept in a URL.
var transitionActions = map[string]store.Action{
	"submit": store.ActionSubmit, "return": store.ActionReturn, "accept": store.ActionAccept,
	"reject": store.ActionReject, "withdraw": store.ActionWithdraw,
}

// transition applies the action named in the URL to a submission the
// caller can see, if their role allows the action.
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
	if err := s.st.Transition(sub.ID, action, c.user.Name, note); err != nil {
		return sub, action, err
	}
	sub, err = s.st.Submission(sub.ID)
	return sub, action, err
}

// submissionTransition handles the action buttons of the submission page.
func (s *Server) submissionTransition(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, action, err := s.transition(r, c, r.PostFormValue("note"))
	if err != nil {
		return err
	}
	msg := map[store.Action]string{store.ActionSubmit: "submitted", store.ActionReturn: "returned", store.ActionAccept: "accepted",
		store.ActionReject: "rejected", store.ActionWithdraw: "withdrawn"}[action]
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg="+msg)
}
