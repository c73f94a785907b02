package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// loginCookie carries the login form's CSRF token (double submit): there
// is no session yet to hold it.
const loginCookie = "banmian_login"

type loginData struct {
	Next string
	Name string
}

// loginShow shows the login form.
func (s *Server) loginShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c != nil {
		return redirect(w, r, "/desk/")
	}
	return s.loginForm(w, r, http.StatusOK, "", "")
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, status int, name, msg string) error {
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/desk/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureRequest(r), MaxAge: 3600})
	s.page(w, r, status, "login", &pageData{Title: "登录", CSRF: token, Error: msg,
		D: loginData{Next: safeNext(r.FormValue("next")), Name: name}})
	return nil
}

// loginPost checks the name and password, rate-limited by name and
// address together with a per-name backoff (see limiter), and starts a
// session.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		return errCSRF
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if len(name) > 128 { // no user name is this long; keep the limiter's keys small
		return s.loginForm(w, r, http.StatusUnauthorized, "", "用户名或密码错误")
	}
	addr := s.clientIP(r)
	if wait := s.limiter.wait(name, addr); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return &Error{Status: http.StatusTooManyRequests, Message: fmt.Sprintf("登录失败次数过多，请 %s后再试", waitText(secs))}
	}
	u, err := s.st.Authenticate(name, r.PostFormValue("password"))
	if errors.Is(err, store.ErrDisabled) {
		return s.loginForm(w, r, http.StatusForbidden, name, "此账号已停用，请联系管理员")
	}
	if err != nil {
		if !errors.Is(err, store.ErrAuth) {
			return err
		}
		s.limiter.fail(name, addr)
		s.log.Info("failed login", "name", name, "ip", addr)
		return s.loginForm(w, r, http.StatusUnauthorized, name, "用户名或密码错误")
	}
	s.limiter.succeed(name, addr)
	sess, err := s.st.CreateSession(u.Name, s.cfg.SessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, sess.ID, sess.Expires)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/desk/login", MaxAge: -1, HttpOnly: true, Secure: s.secureRequest(r)})
	return redirect(w, r, safeNext(r.PostFormValue("next")))
}

// logoutPost ends the session.
func (s *Server) logoutPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.sess != nil {
		if err := s.st.DeleteSession(c.sess.ID); err != nil {
			return err
		}
	}
	s.setSessionCookie(w, r, "", s.now())
	return redirect(w, r, "/desk/login")
}

// waitText says a wait in Chinese: "30 秒", "2 分钟".
func waitText(secs int) string {
	if secs < 60 {
		return strconv.Itoa(secs) + " 秒"
	}
	return strconv.Itoa((secs+59)/60) + " 分钟"
}

// homeShow sends the caller to their starting page.
func (s *Server) homeShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.isEditor() {
		return redirect(w, r, "/desk/dashboard")
	}
	return redirect(w, r, "/desk/submissions")
}
