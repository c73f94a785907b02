package server

import "net/http"

// noteCreate adds a message to a submission's thread.
func (s *Server) noteCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := s.st.AddNote(sub.ID, c.user.Name, r.PostFormValue("text")); err != nil {
		return err
	}
	return redirect(w, r, "/desk/submissions/"+sub.ID+"?msg=noted#notes")
}
