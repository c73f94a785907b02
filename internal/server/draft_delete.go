package server

import (
	"net/http"
)

// draftDelete deletes a draft; the store checks in its transaction that the
// caller wrote it and that it is still a draft.
func (s *Server) draftDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.st.DeleteDraft(sub.ID, c.user.Name); err != nil {
		return s.showFailed(w, r, c, sub.ID, err, nil)
	}
	if wantsJSON(r) {
		s.json(w, http.StatusOK, map[string]any{"deleted": sub.ID})
		return nil
	}
	return redirect(w, r, "/desk/submissions?msg=deleted")
}
