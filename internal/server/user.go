package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// usersData is the admin page: accounts, API tokens and the office list.
type usersData struct {
	Users   []store.User
	Roles   []store.Role
	Offices []string
	Tokens  []store.Token
	// Form is what was typed into the add-user form (kept on an error).
	Form store.User
	// Secret is a token just created, shown this once.
	Secret string
}

// usersPage renders the admin page with status and an error message.
func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, msg string, d usersData) error {
	var err error
	if d.Users, err = s.st.Users(); err != nil {
		return err
	}
	if d.Offices, err = s.st.Offices(); err != nil {
		return err
	}
	if d.Tokens, err = s.st.Tokens(""); err != nil {
		return err
	}
	d.Roles = store.Roles
	return s.renderStatus(w, r, c, status, msg, "users", "用户与令牌", d)
}

// userList is the admin's page of users (add, disable and enable, role,
// office, password reset) and API tokens.
func (s *Server) userList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.usersPage(w, r, c, http.StatusOK, "", usersData{})
}

// formFailed re-renders the admin page with err shown above the forms and
// what was typed kept, for the errors a user can fix; others go down the
// one error path.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, c *reqCtx, err error, d usersData) error {
	status, msg := statusOf(err)
	if status >= 500 || status == http.StatusForbidden || errors.Is(err, errCSRF) {
		return err
	}
	return s.usersPage(w, r, c, status, msg, d)
}

// userCreate adds a user.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	u := store.User{Name: strings.TrimSpace(r.PostFormValue("name")), Role: store.Role(r.PostFormValue("role")), Office: strings.TrimSpace(r.PostFormValue("office"))}
	// Say which field is wrong, in the desk's words.
	switch {
	case store.ValidateName(u.Name) != nil:
		return s.usersPage(w, r, c, http.StatusBadRequest, "用户名只能用字母（汉字也可以）、数字和 . _ -，最多 32 个字符", usersData{Form: u})
	case u.Role == store.RoleSubmitter && u.Office == "":
		return s.usersPage(w, r, c, http.StatusBadRequest, "供稿人必须选择所属单位", usersData{Form: u})
	}
	if _, err := s.st.CreateUserAs(c.by(), u, r.PostFormValue("password")); err != nil {
		if errors.Is(err, store.ErrExists) {
			return s.usersPage(w, r, c, http.StatusConflict, "已经有叫“"+u.Name+"”的用户了，请换一个用户名", usersData{Form: u})
		}
		return s.formFailed(w, r, c, err, usersData{Form: u})
	}
	return redirect(w, r, "/desk/users?msg=user")
}

// userUpdate changes a user's role and office.
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	role, office := store.Role(r.PostFormValue("role")), r.PostFormValue("office")
	if role == store.RoleSubmitter && strings.TrimSpace(office) == "" {
		return s.usersPage(w, r, c, http.StatusBadRequest, "供稿人必须选择所属单位", usersData{})
	}
	if _, err := s.st.ChangeUser(c.by(), r.PathValue("name"), store.UserChange{Role: &role, Office: &office}); err != nil {
		return s.formFailed(w, r, c, err, usersData{})
	}
	return redirect(w, r, "/desk/users?msg=userchanged")
}

// userDisable and userEnable switch an account off and on; a disabled
// user's sessions and tokens stop at once.
func (s *Server) userDisable(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userSetDisabled(w, r, c, true)
}

func (s *Server) userEnable(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userSetDisabled(w, r, c, false)
}

func (s *Server) userSetDisabled(w http.ResponseWriter, r *http.Request, c *reqCtx, disabled bool) error {
	if _, err := s.st.ChangeUser(c.by(), r.PathValue("name"), store.UserChange{Disabled: &disabled}); err != nil {
		return s.formFailed(w, r, c, err, usersData{})
	}
	if disabled {
		return redirect(w, r, "/desk/users?msg=disabled")
	}
	return redirect(w, r, "/desk/users?msg=enabled")
}

// userPassword resets a user's password (their sessions end).
func (s *Server) userPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pw := r.PostFormValue("password")
	if _, err := s.st.ChangeUser(c.by(), r.PathValue("name"), store.UserChange{Password: &pw}); err != nil {
		return s.formFailed(w, r, c, err, usersData{})
	}
	return redirect(w, r, "/desk/users?msg=passwordreset")
}

// tokenCreate creates an API token and shows its secret on the page, once
// (never in a URL).
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	secret, _, err := s.st.CreateTokenAs(c.by(), r.PostFormValue("user"), r.PostFormValue("label"))
	if err != nil {
		return s.formFailed(w, r, c, err, usersData{})
	}
	return s.usersPage(w, r, c, http.StatusOK, "", usersData{Secret: secret})
}

// tokenRevoke revokes an API token; the next request with it fails.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.st.RevokeTokenAs(c.by(), r.PathValue("id")); err != nil {
		return s.formFailed(w, r, c, err, usersData{})
	}
	return redirect(w, r, "/desk/users?msg=revoked#tokens")
}

// officeList is the editors' page of the office list that submitters'
// offices are picked from.
func (s *Server) officeList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.officesPage(w, r, c, http.StatusOK, "", "")
}

func (s *Server) officesPage(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, msg, typed string) error {
	list, err := s.st.Offices()
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, c, status, msg, "offices", "供稿单位", map[string]any{"Offices": list, "Typed": typed})
}

// officeAdd puts an office on the list.
func (s *Server) officeAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	office := r.PostFormValue("office")
	if err := s.st.AddOffice(c.by(), office); err != nil {
		if status, msg := statusOf(err); status < 500 && status != http.StatusForbidden {
			return s.officesPage(w, r, c, status, msg, office)
		}
		return err
	}
	return redirect(w, r, "/desk/offices?msg=office")
}

// officeRemove takes an office off the list.
func (s *Server) officeRemove(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.st.RemoveOffice(c.by(), r.PostFormValue("office")); err != nil {
		if status, msg := statusOf(err); status < 500 && status != http.StatusForbidden {
			if errors.Is(err, store.ErrConflict) {
				msg = "还有用户属于这个单位，不能删除；请先为这些用户改换单位"
			}
			return s.officesPage(w, r, c, status, msg, "")
		}
		return err
	}
	return redirect(w, r, "/desk/offices?msg=officeremoved")
}

// accountShow is the caller's own account page: change your password.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderStatus(w, r, c, http.StatusOK, "", "account", "我的账号", nil)
}

// accountPassword changes the caller's own password after checking the
// current one; their other sessions end, this one stays.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.sess == nil {
		return errForbidden
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		return s.renderStatus(w, r, c, http.StatusBadRequest, "两次输入的新密码不一样", "account", "我的账号", nil)
	}
	err := s.st.ChangeOwnPassword(c.user.Name, r.PostFormValue("current"), pw, c.sess.ID)
	if errors.Is(err, store.ErrAuth) {
		return s.renderStatus(w, r, c, http.StatusBadRequest, "当前密码不对", "account", "我的账号", nil)
	}
	if err != nil {
		if status, msg := statusOf(err); status < 500 {
			return s.renderStatus(w, r, c, status, msg, "account", "我的账号", nil)
		}
		return err
	}
	return redirect(w, r, "/desk/account?msg=ownpassword")
}
