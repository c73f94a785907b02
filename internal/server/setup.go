package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// First run: with no users, New makes a random setup token. The link
// /desk/setup/TOKEN (SetupPath) opens a page that creates the first admin
// and signs them in, with no restart; it stops working once any user
// exists, however that user was made (the page, or banmian user add).

// newSetupToken returns a fresh random setup token.
func newSetupToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SetupPath returns the path of the one-time first-run page, or "" when
// there are users already (or the page has been used).
func (s *Server) SetupPath() string {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if s.setupToken == "" {
		return ""
	}
	if n, err := s.st.UserCount(); err != nil || n > 0 {
		s.setupToken = ""
		return ""
	}
	return "/desk/setup/" + s.setupToken
}

// setupValid reports whether token is the live setup token.
func (s *Server) setupValid(token string) bool {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if s.setupToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.setupToken)) != 1 {
		return false
	}
	if n, err := s.st.UserCount(); err != nil || n > 0 {
		s.setupToken = ""
		return false
	}
	return true
}

var errSetupGone = &Error{Status: http.StatusNotFound, Message: "这个设置链接无效或已用过：已经有用户了，请直接登录"}

type setupData struct {
	Token, Name string
}

// setupShow shows the first-run form.
func (s *Server) setupShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	token := r.PathValue("token")
	if !s.setupValid(token) {
		return errSetupGone
	}
	return s.renderStatus(w, r, nil, http.StatusOK, "", "setup", "首次使用", setupData{Token: token})
}

// setupPost creates the first admin and signs them in.
func (s *Server) setupPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	token := r.PathValue("token")
	if !s.setupValid(token) {
		return errSetupGone
	}
	name, pw := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	again := func(msg string) error {
		return s.renderStatus(w, r, nil, http.StatusBadRequest, msg, "setup", "首次使用", setupData{Token: token, Name: name})
	}
	if pw != r.PostFormValue("password2") {
		return again("两次输入的密码不一样")
	}
	u, err := s.st.CreateFirstAdmin(name, pw)
	if errors.Is(err, store.ErrExists) {
		return errSetupGone
	}
	if err != nil {
		if status, msg := statusOf(err); status < 500 {
			return again(msg)
		}
		return err
	}
	s.setupMu.Lock()
	s.setupToken = ""
	s.setupMu.Unlock()
	s.log.Info("first admin created through the setup link", "name", u.Name)
	sess, err := s.st.CreateSession(u.Name, s.cfg.SessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, sess.ID, sess.Expires)
	return redirect(w, r, "/desk/users")
}
