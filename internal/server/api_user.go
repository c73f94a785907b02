package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// by is the actor name the store checks a change against: the caller, or
// store.Operator on the admin socket.
func (c *reqCtx) by() string {
	if c.operator {
		return store.Operator
	}
	return c.user.Name
}

// readJSONBody decodes a JSON request body into v, refusing unknown fields.
func readJSONBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	return nil
}

// apiUserList answers GET /api/users: every account, disabled ones too.
func (s *Server) apiUserList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	users, err := s.st.Users()
	if err != nil {
		return err
	}
	if users == nil {
		users = []store.User{}
	}
	s.json(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

// userCreateJSON is the body of POST /api/users.
type userCreateJSON struct {
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	Office   string     `json:"office"`
	Password string     `json:"password"`
}

// apiUserCreate answers POST /api/users.
func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in userCreateJSON
	if err := readJSONBody(r, &in); err != nil {
		return err
	}
	u, err := s.st.CreateUserAs(c.by(), store.User{Name: strings.TrimSpace(in.Name), Role: in.Role, Office: in.Office}, in.Password)
	if err != nil {
		return err
	}
	s.json(w, http.StatusCreated, map[string]any{"user": u})
	return nil
}

// apiUserPatch answers PATCH /api/users/{name} with any of "disabled",
// "role", "office" and "password". Users are never deleted.
func (s *Server) apiUserPatch(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var ch store.UserChange
	if err := readJSONBody(r, &ch); err != nil {
		return err
	}
	if ch == (store.UserChange{}) {
		return errorf(http.StatusBadRequest, "请求中没有要修改的项（可改：停用状态、角色、单位、密码）")
	}
	u, err := s.st.ChangeUser(c.by(), r.PathValue("name"), ch)
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, map[string]any{"user": u})
	return nil
}

// apiTokenList answers GET /api/tokens[?user=NAME].
func (s *Server) apiTokenList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	toks, err := s.st.Tokens(r.URL.Query().Get("user"))
	if err != nil {
		return err
	}
	if toks == nil {
		toks = []store.Token{}
	}
	s.json(w, http.StatusOK, map[string]any{"tokens": toks})
	return nil
}

// apiTokenCreate answers POST /api/tokens {"user","label"} with the secret,
// shown this once.
func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		User  string `json:"user"`
		Label string `json:"label"`
	}
	if err := readJSONBody(r, &in); err != nil {
		return err
	}
	secret, tok, err := s.st.CreateTokenAs(c.by(), in.User, in.Label)
	if err != nil {
		return err
	}
	s.json(w, http.StatusCreated, map[string]any{"token": tok, "secret": secret})
	return nil
}

// apiTokenRevoke answers DELETE /api/tokens/{id}.
func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.st.RevokeTokenAs(c.by(), r.PathValue("id")); err != nil {
		return err
	}
	s.json(w, http.StatusOK, map[string]any{"revoked": r.PathValue("id")})
	return nil
}

// apiOfficeList answers GET /api/offices: the list submitters' offices
// are picked from.
func (s *Server) apiOfficeList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	list, err := s.st.Offices()
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, map[string]any{"offices": list})
	return nil
}

// apiOfficeAdd answers POST /api/offices {"office"}.
func (s *Server) apiOfficeAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Office string `json:"office"`
	}
	if err := readJSONBody(r, &in); err != nil {
		return err
	}
	if err := s.st.AddOffice(c.by(), in.Office); err != nil {
		return err
	}
	return s.apiOfficeList(w, r, c)
}

// apiOfficeRemove answers DELETE /api/offices/{office}.
func (s *Server) apiOfficeRemove(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.st.RemoveOffice(c.by(), r.PathValue("office")); err != nil {
		return err
	}
	return s.apiOfficeList(w, r, c)
}
