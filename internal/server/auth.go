package server

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// cookieName is the session cookie.
const cookieName = "banmian_session"

// reqCtx is what a handler knows about the caller.
type reqCtx struct {
	user store.User
	sess *store.Session // nil for Bearer token calls
}

func (c *reqCtx) isEditor() bool {
	return c != nil && (c.user.Role == store.RoleEditor || c.user.Role == store.RoleAdmin)
}

func (c *reqCtx) csrf() string {
	if c == nil || c.sess == nil {
		return ""
	}
	return c.sess.CSRF
}

// authenticate finds the caller from a Bearer token or the session cookie.
// It returns nil (and no error) for an anonymous request.
func (s *Server) authenticate(r *http.Request) (*reqCtx, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(secret) == "" {
			return nil, &Error{Status: http.StatusUnauthorized, Message: "Authorization 头格式应为 Bearer <token>"}
		}
		u, _, err := s.st.UserByToken(strings.TrimSpace(secret))
		if err != nil {
			return nil, &Error{Status: http.StatusUnauthorized, Message: "API 令牌无效", Err: err}
		}
		return &reqCtx{user: u}, nil
	}
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	sess, u, err := s.st.Session(c.Value)
	switch {
	case errors.Is(err, store.ErrExpired):
		return nil, &Error{Status: http.StatusUnauthorized, Message: "登录已过期，请重新登录", Err: err}
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &reqCtx{user: u, sess: &sess}, nil
}

// checkCSRF verifies the CSRF token of a state-changing session request:
// the X-CSRF-Token header or the csrf form field, compared in constant time.
func checkCSRF(r *http.Request, c *reqCtx) error {
	if c.sess == nil {
		return nil // Bearer token: no ambient credentials to forge
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.sess.CSRF)) != 1 {
		return errCSRF
	}
	return nil
}

// setSessionCookie sets (or, with an empty id, clears) the session cookie.
func (s *Server) setSessionCookie(w http.ResponseWriter, id string, expires time.Time) {
	c := &http.Cookie{
		Name: cookieName, Value: id, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies,
	}
	if id == "" {
		c.MaxAge = -1
	} else {
		// MaxAge, not Expires: the store's clock decides expiry, and the
		// browser's clock may disagree.
		c.MaxAge = max(1, int(expires.Sub(s.now()).Seconds()))
	}
	http.SetCookie(w, c)
}

// limiter counts failed logins per key (client address, user name) in a
// sliding window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

// blocked reports whether any key has used up its failures.
func (l *limiter) blocked(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		if len(l.recent(k, now)) >= l.max {
			return true
		}
	}
	return false
}

// fail records a failure for every key.
func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 100000 { // bound memory under a flood of names
		l.fails = map[string][]time.Time{}
	}
	for _, k := range keys {
		l.fails[k] = append(l.recent(k, now), now)
	}
}

// reset forgets the failures of key (after a successful login).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

func (l *limiter) recent(k string, now time.Time) []time.Time {
	ts := l.fails[k]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, k)
		return nil
	}
	l.fails[k] = ts
	return ts
}

// canSee reports whether the caller may see submission sub: editors see
// all, a submitter only their office's.
func (c *reqCtx) canSee(sub store.Submission) bool {
	if c.isEditor() {
		return true
	}
	return c.user.Role == store.RoleSubmitter && c.user.Office != "" && sub.Office == c.user.Office
}

// submission loads submission id if the caller may see it; others' are
// reported as not found, so their existence does not leak.
func (s *Server) submission(c *reqCtx, id string) (store.Submission, error) {
	sub, err := s.st.Submission(id)
	if err != nil {
		return sub, err
	}
	if !c.canSee(sub) {
		return store.Submission{}, errNotFound
	}
	return sub, nil
}

// mayAct reports whether the caller may apply action to a submission they
// can see: offices submit and withdraw, editors return, accept and reject.
func (c *reqCtx) mayAct(a store.Action) bool {
	switch a {
	case store.ActionSubmit, store.ActionWithdraw:
		return c.user.Role == store.RoleSubmitter
	case store.ActionReturn, store.ActionAccept, store.ActionReject:
		return c.isEditor()
	case store.ActionReopen:
		return true // the store checks the office in its transaction
	}
	return false
}

// mayEdit reports whether the caller may change the text of sub: the
// office while it is a draft or returned, the editor while it is editable.
func (c *reqCtx) mayEdit(sub store.Submission) bool {
	if c.isEditor() {
		return sub.Status.Editable()
	}
	return sub.Status == store.StatusDraft || sub.Status == store.StatusReturned
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps a post-login redirect on this site, inside the desk.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/desk/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/desk/"
}
