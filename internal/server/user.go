package server

import (
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// userList is the admin's list of users with a form to add one.
func (s *Server) userList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	users, err := s.st.Users()
	if err != nil {
		return err
	}
	return s.render(w, r, c, "users", "用户", map[string]any{"Users": users, "Roles": store.Roles})
}

// userCreate adds a user.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	u := store.User{Name: strings.TrimSpace(r.PostFormValue("name")), Role: store.Role(r.PostFormValue("role")), Office: strings.TrimSpace(r.PostFormValue("office"))}
	if _, err := s.st.CreateUser(u, r.PostFormValue("password")); err != nil {
		return err
	}
	return redirect(w, r, "/desk/users?msg=user")
}
