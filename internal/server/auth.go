package server

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
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
	// operator: the call came over the admin socket, from the account
	// that runs the server (see adminSocket); the store checks changes
	// against store.Operator.
	operator bool
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
		if errors.Is(err, store.ErrDisabled) {
			return nil, &Error{Status: http.StatusUnauthorized, Message: "此账号已停用，API 令牌不可用", Err: err}
		}
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
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrDisabled):
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

// setSessionCookie sets (or, with an empty id, clears) the session cookie:
// HttpOnly, SameSite=Lax, and Secure when the request came over HTTPS
// (see secureRequest).
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, id string, expires time.Time) {
	c := &http.Cookie{
		Name: cookieName, Value: id, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureRequest(r),
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

// secureRequest reports whether the client reached us over HTTPS: TLS to
// this server, X-Forwarded-Proto: https from a trusted proxy, or
// Config.SecureCookies.
func (s *Server) secureRequest(r *http.Request) bool {
	if s.cfg.SecureCookies || r.TLS != nil {
		return true
	}
	return s.fromTrustedProxy(r) && strings.EqualFold(strings.TrimSpace(lastComma(r.Header.Get("X-Forwarded-Proto"))), "https")
}

// fromTrustedProxy reports whether the request's peer is a trusted proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	ip, ok := peerAddr(r)
	return ok && s.trusted(ip)
}

func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// clientIP is the client's address: the peer's, or, when the peer is a
// trusted proxy, the nearest address in X-Forwarded-For that is not a
// trusted proxy (read from the right, since a client can write anything
// on the left).
func (s *Server) clientIP(r *http.Request) string {
	ip, ok := peerAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !s.trusted(ip) {
		return ip.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing further left
		}
		ip = h.Unmap()
		if !s.trusted(ip) {
			break
		}
	}
	return ip.String()
}

// peerAddr is the address of the connection's other end.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

// lastComma is the last of comma-separated values (the hop nearest us).
func lastComma(v string) string {
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		return v[i+1:]
	}
	return v
}

// ParseProxies parses a comma-separated list of CIDR prefixes or single
// addresses (serve -trusted-proxies 127.0.0.1,10.0.0.0/8).
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR prefix", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR prefix", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// limiter slows down password guessing without letting anyone lock an
// account:
//
//   - A (name, address) pair is refused after pairMax failures within the
//     window: the guesser's address, for that name only.
//   - Per name, failures back off exponentially: after n ≥ 3 failures
//     within the window, an address that has itself failed for the name
//     waits base·2^(n-3) (1 s, 2 s, 4 s, …, at most the window) after the
//     name's last failure.
//   - An address that has not failed for the name is not held back by
//     other addresses' failures, so the real user logs in from their own
//     desk while someone guesses elsewhere (each new address spends its
//     first try to learn that, and then waits like the rest).
//   - Per address, addrMax failures within the window (over all names)
//     stop password spraying from one address.
type limiter struct {
	mu      sync.Mutex
	pairMax int
	addrMax int
	base    time.Duration
	window  time.Duration
	now     func() time.Time
	fails   map[string][]time.Time // "p:" name \x00 addr, "n:" name, "a:" addr
}

func newLimiter(pairMax int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{pairMax: pairMax, addrMax: 20 * pairMax, base: time.Second, window: window, now: now, fails: map[string][]time.Time{}}
}

// wait reports how long the client at addr must wait before trying name;
// zero means go ahead.
func (l *limiter) wait(name, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	later := func(t time.Time) {
		if d := t.Sub(now); d > wait {
			wait = d
		}
	}
	if a := l.recent("a:"+addr, now); len(a) >= l.addrMax {
		later(a[len(a)-l.addrMax].Add(l.window))
	}
	pair := l.recent("p:"+name+"\x00"+addr, now)
	if len(pair) >= l.pairMax {
		later(pair[len(pair)-l.pairMax].Add(l.window))
	}
	if len(pair) > 0 {
		if n := l.recent("n:"+name, now); len(n) >= 3 {
			d := min(l.window, l.base<<min(len(n)-3, 30))
			later(n[len(n)-1].Add(d))
		}
	}
	return wait
}

// fail records a failed login.
func (l *limiter) fail(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 100000 { // bound memory under a flood of names
		l.fails = map[string][]time.Time{}
	}
	for _, k := range []string{"p:" + name + "\x00" + addr, "n:" + name, "a:" + addr} {
		ts := l.recent(k, now)
		if len(ts) >= l.addrMax { // enough to decide; keep the newest
			ts = ts[1:]
		}
		l.fails[k] = append(ts, now)
	}
}

// succeed forgets the failures of name from addr (after a successful
// login); the name's backoff for other addresses stays.
func (l *limiter) succeed(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "p:"+name+"\x00"+addr)
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
