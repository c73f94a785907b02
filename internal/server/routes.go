package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

// handlerFunc is a handler that returns its error for the one error path.
// c is nil only on public routes with an anonymous caller.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c *reqCtx) error

// route is one entry of the routing table.
type route struct {
	pattern string       // ServeMux pattern with method
	roles   []store.Role // who may call it; nil means anyone
	h       handlerFunc
	maxBody int64 // 0 means Config.MaxBodyBytes
	// tooLarge, if set, says why a request over maxBody is refused,
	// from its size and the limit.
	tooLarge func(size, limit int64) string
	// operator routes are also served on the admin socket (ListenAdmin),
	// to the account that runs the server.
	operator bool
}

var (
	anyUser = []store.Role{store.RoleSubmitter, store.RoleEditor, store.RoleAdmin}
	editors = []store.Role{store.RoleEditor, store.RoleAdmin}
	admins  = []store.Role{store.RoleAdmin}
)

// routeTable lists every route with the roles allowed to call it. Tests
// walk it for the authorisation matrix.
func (s *Server) routeTable() []route {
	photoMax := s.cfg.MaxPhotoBytes*int64(4) + 1<<20
	story := min(storyRequestMax, s.cfg.MaxBodyBytes)
	return []route{
		// Session.
		{pattern: "GET /desk/login", h: s.loginShow},
		{pattern: "POST /desk/login", h: s.loginPost},
		{pattern: "POST /desk/logout", roles: anyUser, h: s.logoutPost},
		{pattern: "GET /desk/{$}", roles: anyUser, h: s.homeShow},
		{pattern: "GET /desk/setup/{token}", h: s.setupShow},
		{pattern: "POST /desk/setup/{token}", h: s.setupPost},
		{pattern: "GET /desk/account", roles: anyUser, h: s.accountShow},
		{pattern: "POST /desk/account/password", roles: anyUser, h: s.accountPassword},

		// Submissions (offices and editor).
		{pattern: "GET /desk/submissions", roles: anyUser, h: s.submissionList},
		{pattern: "GET /desk/submissions/new", roles: anyUser, h: s.submissionNew},
		{pattern: "POST /desk/submissions", roles: anyUser, h: s.submissionCreate, maxBody: photoMax},
		{pattern: "GET /desk/submissions/{id}", roles: anyUser, h: s.submissionShow},
		{pattern: "POST /desk/submissions/{id}", roles: anyUser, h: s.submissionUpdate, maxBody: photoMax},
		{pattern: "POST /desk/submissions/{id}/notes", roles: anyUser, h: s.noteCreate},
		{pattern: "POST /desk/submissions/{id}/photos", roles: anyUser, h: s.photoUpload, maxBody: photoMax},
		{pattern: "GET /desk/submissions/{id}/photos/{name}", roles: anyUser, h: s.photoShow},
		{pattern: "POST /desk/submissions/{id}/photos/{name}/delete", roles: anyUser, h: s.photoDelete},
		{pattern: "GET /desk/submissions/{id}/diff", roles: anyUser, h: s.diffShow},
		{pattern: "POST /desk/submissions/{id}/delete", roles: anyUser, h: s.draftDelete},
		{pattern: "GET /desk/notifications", roles: anyUser, h: s.notificationsPage},
		{pattern: "POST /desk/notifications/{id}/read", roles: anyUser, h: s.notificationRead},
		{pattern: "POST /desk/submissions/{id}/{action}", roles: anyUser, h: s.submissionTransition},
		{pattern: "POST /desk/preview", roles: anyUser, h: s.previewPost, maxBody: story, tooLarge: storyTooLarge},

		// The editor's desk.
		{pattern: "GET /desk/dashboard", roles: editors, h: s.dashboardShow},
		{pattern: "GET /desk/editions", roles: editors, h: s.editionList},
		{pattern: "GET /desk/editions/{date}", roles: editors, h: s.editionShow},
		{pattern: "POST /desk/editions/{date}", roles: editors, h: s.editionSave},
		{pattern: "POST /desk/editions/{date}/fit", roles: editors, h: s.editionFit},
		{pattern: "POST /desk/editions/{date}/publish", roles: editors, h: s.editionPublish},
		{pattern: "POST /desk/editions/{date}/schedule", roles: editors, h: s.editionSchedule},
		{pattern: "POST /desk/deploy", roles: editors, h: s.deployRetry},
		{pattern: "GET /desk/editions/{date}/proof", roles: editors, h: s.proofShow},
		{pattern: "GET /desk/editions/{date}/proof.pdf", roles: editors, h: s.proofPDF},
		{pattern: "GET /desk/offices", roles: editors, h: s.officeList},
		{pattern: "POST /desk/offices", roles: editors, h: s.officeAdd},
		{pattern: "POST /desk/offices/remove", roles: editors, h: s.officeRemove},
		{pattern: "GET /desk/users", roles: admins, h: s.userList},
		{pattern: "POST /desk/users", roles: admins, h: s.userCreate},
		{pattern: "POST /desk/users/{name}", roles: admins, h: s.userUpdate},
		{pattern: "POST /desk/users/{name}/disable", roles: admins, h: s.userDisable},
		{pattern: "POST /desk/users/{name}/enable", roles: admins, h: s.userEnable},
		{pattern: "POST /desk/users/{name}/password", roles: admins, h: s.userPassword},
		{pattern: "POST /desk/tokens", roles: admins, h: s.tokenCreate},
		{pattern: "POST /desk/tokens/{id}/revoke", roles: admins, h: s.tokenRevoke},
		{pattern: "GET /desk/admin/backup", roles: admins, h: s.backupShow},

		// JSON API.
		{pattern: "POST /api/submissions", roles: anyUser, h: s.apiSubmissionCreate, maxBody: story, tooLarge: storyTooLarge},
		{pattern: "GET /api/submissions", roles: anyUser, h: s.apiSubmissionList},
		{pattern: "GET /api/submissions/{id}", roles: anyUser, h: s.apiSubmissionGet},
		{pattern: "PUT /api/submissions/{id}", roles: anyUser, h: s.apiSubmissionPut, maxBody: story, tooLarge: storyTooLarge},
		{pattern: "POST /api/submissions/{id}/{action}", roles: anyUser, h: s.apiSubmissionTransition},
		{pattern: "DELETE /api/submissions/{id}", roles: anyUser, h: s.draftDelete},
		{pattern: "GET /api/notifications", roles: anyUser, h: s.notificationsAPI},
		{pattern: "POST /api/notifications/{id}/read", roles: anyUser, h: s.notificationRead},
		{pattern: "PUT /api/editions/{date}", roles: editors, h: s.apiEditionPut},
		{pattern: "POST /api/editions/{date}/publish", roles: editors, h: s.apiEditionPublish},
		{pattern: "GET /api/backup", roles: admins, h: s.backupShow, operator: true},
		{pattern: "GET /api/users", roles: admins, h: s.apiUserList, operator: true},
		{pattern: "POST /api/users", roles: admins, h: s.apiUserCreate, operator: true},
		{pattern: "PATCH /api/users/{name}", roles: admins, h: s.apiUserPatch, operator: true},
		{pattern: "GET /api/tokens", roles: admins, h: s.apiTokenList, operator: true},
		{pattern: "POST /api/tokens", roles: admins, h: s.apiTokenCreate, operator: true},
		{pattern: "DELETE /api/tokens/{id}", roles: admins, h: s.apiTokenRevoke, operator: true},
		{pattern: "GET /api/offices", roles: anyUser, h: s.apiOfficeList, operator: true},
		{pattern: "POST /api/offices", roles: editors, h: s.apiOfficeAdd, operator: true},
		{pattern: "DELETE /api/offices/{office}", roles: editors, h: s.apiOfficeRemove, operator: true},
	}
}

// mux builds the ServeMux: the route table, static desk files, the live
// reload stream, search and the reader site.
func (s *Server) mux() http.Handler {
	mux := http.NewServeMux()
	s.patterns = nil
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, h)
		s.patterns = append(s.patterns, pattern)
	}
	for _, rt := range s.routes {
		handle(rt.pattern, s.wrap(rt))
	}
	handle("GET /desk/static/", headers(cspDesk, http.StripPrefix("/desk/static/", staticFiles())))
	handle("GET /desk/events", headers(cspDesk, http.HandlerFunc(s.eventsStream)))
	// Search: the search package's handler when given (its mount point),
	// otherwise the built-in JSON endpoint over Config.Index.
	if s.cfg.SearchHandler != nil {
		handle("/search", headers(cspReader, s.cfg.SearchHandler))
		handle("/api/search", headers(cspDesk, s.cfg.SearchHandler))
		// The built site's static search page reads the static index,
		// which the server refreshes in the background after a publish;
		// readers of the served site get the live search instead.
		handle("GET /search/{$}", headers(cspReader, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			to := "/search"
			if r.URL.RawQuery != "" {
				to += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, to, http.StatusFound)
		})))
	} else {
		handle("GET /api/search", s.wrap(route{pattern: "GET /api/search", h: s.apiSearch}))
	}
	handle("/api/", s.wrap(route{pattern: "/api/", h: func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		return errorf(http.StatusNotFound, "没有这个 API：%s %s", r.Method, r.URL.Path)
	}}))
	handle("/desk/", s.wrap(route{pattern: "/desk/", h: func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		return errNotFound
	}}))
	handle("/", headers(cspReader, s.readerSite()))
	return mux
}

// wrap applies the checks every route gets: security headers, body size
// limit, authentication, the role check and CSRF; then runs the handler
// and sends its error down the one error path.
func (s *Server) wrap(rt route) http.Handler {
	limit := rt.maxBody
	if limit == 0 {
		limit = s.cfg.MaxBodyBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header(), cspDesk)
		w.Header().Set("Cache-Control", "no-store")
		if r.ContentLength > limit {
			msg := "提交的内容过大"
			if rt.tooLarge != nil {
				msg = rt.tooLarge(r.ContentLength, limit)
			}
			s.fail(w, r, &Error{Status: http.StatusRequestEntityTooLarge, Message: msg})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		c, err := s.authenticate(r)
		if err != nil {
			if c == nil && rt.roles == nil {
				// A stale cookie on a public page: go on as anonymous.
				err = nil
			} else {
				s.clearStaleCookie(w, r)
				s.fail(w, r, err)
				return
			}
		}
		if rt.roles != nil {
			if c == nil {
				s.fail(w, r, errUnauthorized)
				return
			}
			if !slices.Contains(rt.roles, c.user.Role) {
				s.fail(w, r, errForbidden)
				return
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				if err := checkCSRF(r, c); err != nil {
					s.fail(w, r, err)
					return
				}
			}
		}
		err = rt.h(w, r, c)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// The submission named in the URL may have changed (even
			// if the handler failed part way).
			s.indexSubmissions(r.PathValue("id"))
		}
		if err != nil {
			s.fail(w, r, err)
		}
	})
}

// clearStaleCookie removes an expired session cookie.
func (s *Server) clearStaleCookie(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(cookieName); err == nil && !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		s.setSessionCookie(w, r, "", s.now())
	}
}
