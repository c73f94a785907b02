package server

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
	"github.com/banmian/banmian/internal/store/storetest"
)

// outcome is what a caller gets from a route.
type outcome int

const (
	ok      outcome = iota // served (2xx or a redirect other than to the login page)
	denied                 // 401, 403 or a redirect to the login page
	missing                // 404: the thing is hidden or does not exist
)

func (o outcome) String() string { return [...]string{"allowed", "forbidden", "not found"}[o] }

// matrixUsers are the callers of the matrix, in the order of the want
// arrays: anonymous, a submitter of 长征镇 (whose submissions the fixtures
// are), a submitter of 虹桥镇, the editor and the admin.
var matrixUsers = [5]string{"", "changzheng", "hongqiao", "editor", "admin"}

// matrixCase is one request to one route, with a fresh fixture for every
// caller so that state-changing routes do not interfere.
type matrixCase struct {
	pattern string // the ServeMux pattern it covers
	method  string
	path    func(f *fixtures) string // builds the fixture and returns the path
	ctype   string
	body    string
	send    func(e *testEnv, user, path string) *http.Response // overrides the plain request
	want    [5]outcome
}

// fixtures makes fresh submissions and editions for matrix cases.
type fixtures struct {
	e   *testEnv
	day time.Time
}

// sub is a new submission of 长征镇 in status st.
func (f *fixtures) sub(st store.Status) string {
	return f.e.mustSubmission("changzheng", "长征镇", "长征镇的稿件", "长征镇居民的一天。", st)
}

// withPhoto is a new draft of 长征镇 with a photo 1.jpg.
func (f *fixtures) withPhoto() string {
	id := f.sub(store.StatusDraft)
	p, err := processPhoto(jpegBytes(f.e.t, 40, 30))
	if err != nil {
		f.e.t.Fatal(err)
	}
	if _, err := f.e.st.PutPhoto(id, "changzheng", store.Photo{Name: "1" + p.Ext, Caption: "照片", Width: p.Width, Height: p.Height, Type: p.Type, Size: int64(len(p.Data))}, p.Data); err != nil {
		f.e.t.Fatal(err)
	}
	return id
}

// date is a new, unused edition date.
func (f *fixtures) date() string {
	f.day = f.day.AddDate(0, 0, 1)
	return f.day.Format(time.DateOnly)
}

// edition is a new date with an edition holding one accepted story.
func (f *fixtures) edition() string {
	d := f.date()
	id := f.sub(store.StatusAccepted)
	if _, err := f.e.srv.putEdition(store.Edition{Date: d, Page: 1, Items: []store.EditionItem{{Submission: id, Lead: true}}}, "editor"); err != nil {
		f.e.t.Fatal(err)
	}
	return d
}

func fixed(p string) func(*fixtures) string { return func(*fixtures) string { return p } }

// fakePrinter prints a fixed PDF, so the proof.pdf route answers without
// Chromium.
type fakePrinter struct{}

func (fakePrinter) PDF(ctx context.Context, html []byte) ([]byte, error) {
	return []byte("%PDF-1.4 test"), nil
}

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// matrixCases lists, for every route the server serves, who may call it.
// TestAuthorizationMatrix fails when a route has no case, so a new route
// must come with its entry here.
func matrixCases() []matrixCase {
	var f matrixFresh
	var (
		public    = [5]outcome{ok, ok, ok, ok, ok}
		signedIn  = [5]outcome{denied, ok, ok, ok, ok}
		ownOffice = [5]outcome{denied, ok, missing, ok, ok}
		officeAct = [5]outcome{denied, ok, missing, denied, denied} // submit, withdraw
		editorAct = [5]outcome{denied, denied, missing, ok, ok}     // return, accept, reject, editing a submitted story
		editors   = [5]outcome{denied, denied, denied, ok, ok}
		admins    = [5]outcome{denied, denied, denied, denied, ok}
		nowhere   = [5]outcome{missing, missing, missing, missing, missing}
	)
	sub := func(st store.Status, suffix string) func(*fixtures) string {
		return func(f *fixtures) string { return "/desk/submissions/" + f.sub(st) + suffix }
	}
	apiSub := func(st store.Status, suffix string) func(*fixtures) string {
		return func(f *fixtures) string { return "/api/submissions/" + f.sub(st) + suffix }
	}
	ed := func(prefix, suffix string, existing bool) func(*fixtures) string {
		return func(f *fixtures) string {
			if existing {
				return prefix + f.edition() + suffix
			}
			return prefix + f.date() + suffix
		}
	}
	const story = "title=%E6%A0%87%E9%A2%98&body=%E6%AD%A3%E6%96%87%E3%80%82&office=%E9%95%BF%E5%BE%81%E9%95%87" // title=标题 body=正文。 office=长征镇
	cases := []matrixCase{
		// Session.
		{pattern: "GET /desk/login", method: "GET", path: fixed("/desk/login"), want: public},
		{pattern: "POST /desk/login", method: "POST", path: fixed("/desk/login"), send: loginAs, want: public},
		{pattern: "POST /desk/logout", method: "POST", path: fixed("/desk/logout"), want: signedIn},
		{pattern: "GET /desk/{$}", method: "GET", path: fixed("/desk/"), want: signedIn},

		// Submissions.
		{pattern: "GET /desk/submissions", method: "GET", path: fixed("/desk/submissions?q=" + url.QueryEscape("长征镇")), want: signedIn},
		{pattern: "GET /desk/submissions/new", method: "GET", path: fixed("/desk/submissions/new"), want: signedIn},
		{pattern: "POST /desk/submissions", method: "POST", path: fixed("/desk/submissions"), ctype: formType, body: story, want: signedIn},
		{pattern: "GET /desk/submissions/{id}", method: "GET", path: sub(store.StatusSubmitted, ""), want: ownOffice},
		{pattern: "POST /desk/submissions/{id}", method: "POST", path: sub(store.StatusDraft, ""), ctype: formType, body: story, want: ownOffice},
		{pattern: "POST /desk/submissions/{id}", method: "POST", path: sub(store.StatusSubmitted, ""), ctype: formType, body: story, want: editorAct},
		{pattern: "POST /desk/submissions/{id}/notes", method: "POST", path: sub(store.StatusSubmitted, "/notes"), ctype: formType, body: "text=%E4%BD%A0%E5%A5%BD", want: ownOffice},
		{pattern: "POST /desk/submissions/{id}/photos", method: "POST", path: sub(store.StatusDraft, "/photos"), send: uploadPhoto, want: ownOffice},
		{pattern: "POST /desk/submissions/{id}/photos", method: "POST", path: sub(store.StatusSubmitted, "/photos"), send: uploadPhoto, want: editorAct},
		{pattern: "GET /desk/submissions/{id}/photos/{name}", method: "GET", path: func(f *fixtures) string { return "/desk/submissions/" + f.withPhoto() + "/photos/1.jpg" }, want: ownOffice},
		{pattern: "POST /desk/submissions/{id}/photos/{name}/delete", method: "POST", path: func(f *fixtures) string { return "/desk/submissions/" + f.withPhoto() + "/photos/1.jpg/delete" }, want: ownOffice},
		{pattern: "GET /desk/submissions/{id}/diff", method: "GET", path: sub(store.StatusSubmitted, "/diff"), want: ownOffice},
		{pattern: "POST /desk/submissions/{id}/{action}", method: "POST", path: sub(store.StatusDraft, "/submit"), want: officeAct},
		{pattern: "POST /desk/submissions/{id}/{action}", method: "POST", path: sub(store.StatusSubmitted, "/withdraw"), want: officeAct},
		{pattern: "POST /desk/submissions/{id}/{action}", method: "POST", path: sub(store.StatusSubmitted, "/return"), ctype: formType, body: "note=%E8%AF%B7%E4%BF%AE%E6%94%B9", want: editorAct},
		{pattern: "POST /desk/submissions/{id}/{action}", method: "POST", path: sub(store.StatusSubmitted, "/accept"), want: editorAct},
		{pattern: "POST /desk/submissions/{id}/{action}", method: "POST", path: sub(store.StatusSubmitted, "/reject"), want: editorAct},
		{pattern: "POST /desk/submissions/{id}/{action}", method: "POST", path: sub(store.StatusSubmitted, "/publish"), want: [5]outcome{denied, missing, missing, missing, missing}},
		{pattern: "POST /desk/submissions/{id}/delete", method: "POST", path: sub(store.StatusDraft, "/delete"), want: officeAct},
		{pattern: "POST /desk/submissions/{id}/{action}", method: "POST", path: sub(store.StatusWithdrawn, "/reopen"), want: ownOffice},
		{pattern: "GET /desk/notifications", method: "GET", path: fixed("/desk/notifications"), want: signedIn},
		{pattern: "POST /desk/notifications/{id}/read", method: "POST", path: fixed("/desk/notifications/all/read"), want: signedIn},
		{pattern: "POST /desk/preview", method: "POST", path: fixed("/desk/preview"), ctype: jsonType, body: `{"body":"你好,世界"}`, want: signedIn},

		// The editor's desk.
		{pattern: "GET /desk/dashboard", method: "GET", path: fixed("/desk/dashboard"), want: editors},
		{pattern: "GET /desk/editions", method: "GET", path: fixed("/desk/editions"), want: editors},
		{pattern: "GET /desk/editions/{date}", method: "GET", path: ed("/desk/editions/", "", false), want: editors},
		{pattern: "POST /desk/editions/{date}", method: "POST", path: ed("/desk/editions/", "", false), ctype: formType, body: "page=1", want: editors},
		{pattern: "POST /desk/editions/{date}/fit", method: "POST", path: ed("/desk/editions/", "/fit", false), ctype: formType, body: "page=1", want: editors},
		{pattern: "POST /desk/editions/{date}/publish", method: "POST", path: ed("/desk/editions/", "/publish", true), want: editors},
		{pattern: "POST /desk/editions/{date}/schedule", method: "POST", path: ed("/desk/editions/", "/schedule", true), ctype: formType, body: "at=2030-01-01T10%3A00", want: editors},
		{pattern: "POST /desk/deploy", method: "POST", path: fixed("/desk/deploy"), ctype: formType, body: "date=2025-06-24", want: editors},
		{pattern: "GET /desk/editions/{date}/proof", method: "GET", path: ed("/desk/editions/", "/proof", true), want: editors},
		{pattern: "GET /desk/editions/{date}/proof.pdf", method: "GET", path: ed("/desk/editions/", "/proof.pdf", true), want: editors},
		{pattern: "GET /desk/users", method: "GET", path: fixed("/desk/users"), want: admins},
		{pattern: "POST /desk/users", method: "POST", path: fixed("/desk/users"), send: createUser, want: admins},
		{pattern: "GET /desk/admin/backup", method: "GET", path: fixed("/desk/admin/backup"), want: admins},
		{pattern: "POST /desk/users/{name}", method: "POST", path: f.user(""), ctype: formType, body: "role=submitter&office=%E8%99%B9%E6%A1%A5%E9%95%87", want: admins},
		{pattern: "POST /desk/users/{name}/disable", method: "POST", path: f.user("/disable"), want: admins},
		{pattern: "POST /desk/users/{name}/enable", method: "POST", path: f.user("/enable"), want: admins},
		{pattern: "POST /desk/users/{name}/password", method: "POST", path: f.user("/password"), ctype: formType, body: "password=harbour-lamp-2025", want: admins},
		{pattern: "POST /desk/tokens", method: "POST", path: fixed("/desk/tokens"), ctype: formType, body: "user=changzheng&label=script", want: admins},
		{pattern: "POST /desk/tokens/{id}/revoke", method: "POST", path: f.token("/desk/tokens/", "/revoke"), want: admins},
		{pattern: "GET /desk/offices", method: "GET", path: fixed("/desk/offices"), want: editors},
		{pattern: "POST /desk/offices", method: "POST", path: fixed("/desk/offices"), ctype: formType, body: "office=%E7%9C%9F%E5%A6%82%E9%95%87", want: editors},
		{pattern: "POST /desk/offices/remove", method: "POST", path: fixed("/desk/offices/remove"), send: removeOffice, want: editors},
		{pattern: "GET /desk/account", method: "GET", path: fixed("/desk/account"), want: signedIn},
		// With a token there is no session, and no password to change.
		{pattern: "POST /desk/account/password", method: "POST", path: fixed("/desk/account/password"), ctype: formType, body: "current=x&password=harbour-lamp-2025&password2=harbour-lamp-2025", want: [5]outcome{denied, denied, denied, denied, denied}},
		// There are users already: the first-run page is gone.
		{pattern: "GET /desk/setup/{token}", method: "GET", path: fixed("/desk/setup/abc"), want: nowhere},
		{pattern: "POST /desk/setup/{token}", method: "POST", path: fixed("/desk/setup/abc"), ctype: formType, body: "name=x&password=harbour-lamp-2025&password2=harbour-lamp-2025", want: nowhere},

		// JSON API.
		{pattern: "POST /api/submissions", method: "POST", path: fixed("/api/submissions"), ctype: jsonType, body: `{"office":"长征镇","title":"标题","body":"正文。"}`, want: signedIn},
		{pattern: "GET /api/submissions", method: "GET", path: fixed("/api/submissions?status=submitted"), want: signedIn},
		{pattern: "GET /api/submissions/{id}", method: "GET", path: apiSub(store.StatusSubmitted, ""), want: ownOffice},
		{pattern: "PUT /api/submissions/{id}", method: "PUT", path: apiSub(store.StatusDraft, ""), ctype: jsonType, body: `{"title":"改过的标题","body":"正文。"}`, want: ownOffice},
		{pattern: "PUT /api/submissions/{id}", method: "PUT", path: apiSub(store.StatusSubmitted, ""), ctype: jsonType, body: `{"title":"改过的标题","body":"正文。"}`, want: editorAct},
		{pattern: "POST /api/submissions/{id}/{action}", method: "POST", path: apiSub(store.StatusDraft, "/submit"), want: officeAct},
		{pattern: "POST /api/submissions/{id}/{action}", method: "POST", path: apiSub(store.StatusSubmitted, "/withdraw"), want: officeAct},
		{pattern: "POST /api/submissions/{id}/{action}", method: "POST", path: apiSub(store.StatusSubmitted, "/return"), ctype: jsonType, body: `{"note":"请修改"}`, want: editorAct},
		{pattern: "POST /api/submissions/{id}/{action}", method: "POST", path: apiSub(store.StatusSubmitted, "/accept"), want: editorAct},
		{pattern: "POST /api/submissions/{id}/{action}", method: "POST", path: apiSub(store.StatusSubmitted, "/reject"), want: editorAct},
		{pattern: "POST /api/submissions/{id}/{action}", method: "POST", path: apiSub(store.StatusSubmitted, "/approve"), want: [5]outcome{denied, missing, missing, missing, missing}},
		{pattern: "POST /api/submissions/{id}/{action}", method: "POST", path: apiSub(store.StatusRejected, "/reopen"), want: ownOffice},
		{pattern: "DELETE /api/submissions/{id}", method: "DELETE", path: apiSub(store.StatusDraft, ""), want: officeAct},
		{pattern: "GET /api/notifications", method: "GET", path: fixed("/api/notifications"), want: signedIn},
		{pattern: "POST /api/notifications/{id}/read", method: "POST", path: fixed("/api/notifications/all/read"), want: signedIn},
		{pattern: "PUT /api/editions/{date}", method: "PUT", path: ed("/api/editions/", "", false), ctype: jsonType, body: `{"page":1,"items":[]}`, want: editors},
		{pattern: "POST /api/editions/{date}/publish", method: "POST", path: ed("/api/editions/", "/publish", true), want: editors},
		{pattern: "GET /api/backup", method: "GET", path: fixed("/api/backup"), want: admins},
		{pattern: "GET /api/users", method: "GET", path: fixed("/api/users"), want: admins},
		{pattern: "POST /api/users", method: "POST", path: fixed("/api/users"), send: apiCreateUser, want: admins},
		{pattern: "PATCH /api/users/{name}", method: "PATCH", path: f.apiUser(), ctype: jsonType, body: `{"office":"虹桥镇"}`, want: admins},
		{pattern: "GET /api/tokens", method: "GET", path: fixed("/api/tokens"), want: admins},
		{pattern: "POST /api/tokens", method: "POST", path: fixed("/api/tokens"), ctype: jsonType, body: `{"user":"changzheng","label":"脚本"}`, want: admins},
		{pattern: "DELETE /api/tokens/{id}", method: "DELETE", path: f.token("/api/tokens/", ""), want: admins},
		{pattern: "GET /api/offices", method: "GET", path: fixed("/api/offices"), want: signedIn},
		{pattern: "POST /api/offices", method: "POST", path: fixed("/api/offices"), ctype: jsonType, body: `{"office":"真如镇"}`, want: editors},
		{pattern: "DELETE /api/offices/{office}", method: "DELETE", path: f.office("/api/offices/"), want: editors},

		// Routes outside the table.
		{pattern: "GET /desk/static/", method: "GET", path: fixed("/desk/static/desk.js"), want: public},
		{pattern: "GET /desk/events", method: "GET", path: fixed("/desk/events"), send: openStream, want: nowhere}, // only with -watch
		{pattern: "/search", method: "GET", path: fixed("/search?q=" + url.QueryEscape("长征")), want: public},
		{pattern: "GET /search/{$}", method: "GET", path: fixed("/search/?q=" + url.QueryEscape("长征")), want: public},
		{pattern: "/api/search", method: "GET", path: fixed("/api/search?q=" + url.QueryEscape("长征")), want: public},
		{pattern: "/api/", method: "GET", path: fixed("/api/nothing"), want: nowhere},
		{pattern: "/api/", method: "DELETE", path: fixed("/api/submissions"), want: nowhere},
		{pattern: "/desk/", method: "GET", path: fixed("/desk/nothing"), want: nowhere},
		{pattern: "/", method: "GET", path: fixed("/stories/changzheng-guandao/"), want: public},
		{pattern: "/", method: "GET", path: fixed("/no-such-page/"), want: nowhere},
	}
	return cases
}

// matrixFresh builds paths naming a fresh user, token or office for every
// call, so that changing one does not affect the next caller.
type matrixFresh struct{}

// freshSeq numbers fresh names; tests run in parallel share it.
var freshSeq atomic.Int64

func (matrixFresh) user(suffix string) func(*fixtures) string {
	return func(f *fixtures) string {
		name := fmt.Sprintf("fresh%d", freshSeq.Add(1))
		storetest.MustCreateUser(f.e.t, f.e.st, name, store.RoleSubmitter, "长征镇")
		return "/desk/users/" + name + suffix
	}
}

func (m matrixFresh) apiUser() func(*fixtures) string {
	desk := m.user("")
	return func(f *fixtures) string { return "/api/users/" + strings.TrimPrefix(desk(f), "/desk/users/") }
}

func (matrixFresh) token(prefix, suffix string) func(*fixtures) string {
	return func(f *fixtures) string {
		_, tok, err := f.e.st.CreateToken("changzheng", "matrix")
		if err != nil {
			f.e.t.Fatal(err)
		}
		return prefix + tok.ID + suffix
	}
}

func (matrixFresh) office(prefix string) func(*fixtures) string {
	return func(f *fixtures) string {
		o := fmt.Sprintf("单位%d", freshSeq.Add(1))
		if err := f.e.st.AddOffice(store.Operator, o); err != nil {
			f.e.t.Fatal(err)
		}
		return prefix + url.PathEscape(o)
	}
}

// removeOffice adds a fresh office and removes it through the desk form.
func removeOffice(e *testEnv, user, path string) *http.Response {
	o := fmt.Sprintf("单位%d", freshSeq.Add(1))
	if err := e.st.AddOffice(store.Operator, o); err != nil {
		e.t.Fatal(err)
	}
	resp, _ := e.do(e.client(), "POST", path, formType, strings.NewReader(url.Values{"office": {o}}.Encode()), bearer(e, user)...)
	return resp
}

// apiCreateUser adds a user with a fresh name through the API.
func apiCreateUser(e *testEnv, user, path string) *http.Response {
	body := fmt.Sprintf(`{"name":"apiuser%d","role":"submitter","office":"长征镇","password":"harbour-lamp-2025"}`, userSeq.Add(1))
	resp, _ := e.do(e.client(), "POST", path, jsonType, strings.NewReader(body), bearer(e, user)...)
	return resp
}

// loginAs signs in through the login form (its double-submit token
// included); the caller's identity does not matter on a public route.
func loginAs(e *testEnv, user, path string) *http.Response {
	c := e.client()
	_, body := e.do(c, "GET", path, "", nil)
	m := loginCSRF.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no login form: %s", body)
	}
	name := user
	if name == "" {
		name = "editor"
	}
	resp, _ := e.form(c, path, url.Values{"csrf": {m[1]}, "name": {name}, "password": {storetest.Password}})
	return resp
}

// uploadPhoto posts a small JPEG as multipart form data.
func uploadPhoto(e *testEnv, user, path string) *http.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("caption", "照片说明")
	fw, _ := mw.CreateFormFile("photo", "a.jpg")
	fw.Write(jpegBytes(e.t, 40, 30))
	mw.Close()
	resp, _ := e.do(e.client(), "POST", path, mw.FormDataContentType(), &buf, bearer(e, user)...)
	return resp
}

// createUser adds a user with a fresh name.
var userSeq atomic.Int64

func createUser(e *testEnv, user, path string) *http.Response {
	v := url.Values{"name": {fmt.Sprintf("newuser%d", userSeq.Add(1))}, "role": {"submitter"}, "office": {"长征镇"}, "password": {"harbour-lamp-2025"}}
	resp, _ := e.do(e.client(), "POST", path, formType, strings.NewReader(v.Encode()), bearer(e, user)...)
	return resp
}

// openStream opens the reload event stream and closes it once the
// headers arrive.
func openStream(e *testEnv, user, path string) *http.Response {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+path, nil)
	for h := bearer(e, user); len(h) > 1; h = h[2:] {
		req.Header.Set(h[0], h[1])
	}
	resp, err := e.client().Do(req)
	if err != nil {
		e.t.Fatalf("event stream: %v", err)
	}
	resp.Body.Close()
	return resp
}

// bearer is the header pair of a user's API token (none for anonymous),
// asking for JSON.
func bearer(e *testEnv, user string) []string {
	h := []string{"Accept", "application/json"}
	if user != "" {
		h = append(h, "Authorization", "Bearer "+e.tokens[user])
	}
	return h
}

// outcomeOf classifies a response. Only a GET is sent to the login page
// when it needs a session (a POST gets 401); a POST that redirects there
// (logging out) was served.
func outcomeOf(resp *http.Response) (outcome, bool) {
	switch {
	case resp.StatusCode == 401 || resp.StatusCode == 403:
		return denied, true
	case resp.StatusCode == 404:
		return missing, true
	case resp.Request.Method == "GET" && resp.StatusCode >= 300 && resp.StatusCode < 400 && strings.HasPrefix(resp.Header.Get("Location"), "/desk/login"):
		return denied, true
	case resp.StatusCode < 400:
		return ok, true
	}
	return 0, false
}

// TestAuthorizationMatrix calls every route the server serves as each
// kind of caller and checks who is let in. The route list comes from the
// server itself, so a route added without a case here fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.Printer, c.Deployer = fakePrinter{}, &fakeDeployer{} })
	f := &fixtures{e: e, day: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}
	cases := matrixCases()

	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.pattern] = true
	}
	for _, p := range e.srv.patterns {
		if !covered[p] {
			t.Errorf("route %q has no entry in the authorisation matrix (matrixCases)", p)
		}
	}
	for p := range covered {
		if !slices.Contains(e.srv.patterns, p) {
			t.Errorf("the matrix has an entry for %q, which the server does not serve", p)
		}
	}

	calls := 0
	defer func() { t.Logf("%d routes, %d cases, %d calls", len(e.srv.patterns), len(cases), calls) }()
	for _, tc := range cases {
		for i, user := range matrixUsers {
			calls++
			path := tc.path(f)
			var resp *http.Response
			var body string
			if tc.send != nil {
				resp = tc.send(e, user, path)
			} else {
				var r *strings.Reader
				if tc.body != "" {
					r = strings.NewReader(tc.body)
				}
				if r == nil {
					resp, body = e.do(e.client(), tc.method, path, tc.ctype, nil, bearer(e, user)...)
				} else {
					resp, body = e.do(e.client(), tc.method, path, tc.ctype, r, bearer(e, user)...)
				}
			}
			who := user
			if who == "" {
				who = "anonymous"
			}
			got, known := outcomeOf(resp)
			if !known {
				t.Errorf("%s %s as %s: status %d, want %s: %s", tc.method, path, who, resp.StatusCode, tc.want[i], body)
				continue
			}
			if got != tc.want[i] {
				t.Errorf("%s %s (%s) as %s: %s (%d), want %s: %s", tc.method, path, tc.pattern, who, got, resp.StatusCode, tc.want[i], body)
			}
		}
	}
}
