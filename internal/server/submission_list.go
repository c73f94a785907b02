package server

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

type listData struct {
	Subs     []store.Submission
	Snippets map[string]template.HTML // search matches in context, by ID
	Statuses []store.Status
	Offices  []string
	Status   string
	Office   string
	Q        string
	// Total is how many submissions the filters select; First and Last
	// number those shown (from 1), PrevURL and NextURL link the pages
	// around (empty at either end).
	Total, First, Last int
	PrevURL, NextURL   string
}

// Paging of the lists: ?offset= skips that many, ?limit= (API only)
// gives at most that many.
const (
	defaultListLimit = 50  // the API's default page, and the desk's page
	maxListLimit     = 200 // the API's largest page
)

// listPage is the page a list request asks for.
type listPage struct{ Offset, Limit int }

// pageOf reads ?offset= and, when maxLimit > 0, ?limit= (default
// defaultListLimit, at most maxLimit); without it the page holds
// defaultListLimit.
func pageOf(r *http.Request, maxLimit int) (listPage, error) {
	p := listPage{Limit: defaultListLimit}
	q := r.URL.Query()
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, errorf(http.StatusBadRequest, "起始位置应为不小于 0 的整数（收到 %.20q）", v)
		}
		p.Offset = n
	}
	if v := q.Get("limit"); v != "" && maxLimit > 0 {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return p, errorf(http.StatusBadRequest, "每页条数应为 1 到 %d 之间的整数（收到 %.20q）", maxLimit, v)
		}
		p.Limit = n
	}
	return p, nil
}

// pageURL is the request's URL with ?offset= set to offset (left out
// when 0).
func pageURL(r *http.Request, offset int) string {
	q := r.URL.Query()
	q.Del("offset")
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// listResult is one page of a list and what selected it.
type listResult struct {
	Subs     []store.Submission
	Total    int                      // selected in all
	Snippets map[string]template.HTML // with snippets, by ID
	Filter   store.SubmissionFilter
	Q        string
}

// listFilter reads ?status=&office=&q= and confines a submitter to their
// office.
func listFilter(r *http.Request, c *reqCtx) (store.SubmissionFilter, string, error) {
	var f store.SubmissionFilter
	q := r.URL.Query()
	if st := q.Get("status"); st != "" {
		if !store.Status(st).Valid() {
			return f, "", errorf(http.StatusBadRequest, "未知的稿件状态：%s", st)
		}
		f.Statuses = []store.Status{store.Status(st)}
	}
	f.Office = strings.TrimSpace(q.Get("office"))
	if !c.isEditor() {
		f.Office = c.user.Office
	}
	return f, strings.TrimSpace(q.Get("q")), nil
}

// matches is a plain substring filter over a submission's text, used
// while no SubmissionIndex is configured.
func matches(sub store.Submission, q string) bool {
	if q == "" {
		return true
	}
	for _, s := range []string{sub.Title, sub.Kicker, sub.Subtitle, sub.Body, sub.Office, strings.Join(sub.Tags, " ")} {
		if strings.Contains(s, q) {
			return true
		}
	}
	return false
}

// filteredSubmissions lists the page p of the submissions the request
// asks for: by status and office, newest first, and with ?q= by full-text
// search over the submission index, most relevant first, with snippets if
// asked for. Only the page's submissions are read from the store.
func (s *Server) filteredSubmissions(r *http.Request, c *reqCtx, p listPage, snippets bool) (listResult, error) {
	var res listResult
	f, q, err := listFilter(r, c)
	res.Filter, res.Q = f, q
	if err != nil {
		return res, err
	}
	if !c.isEditor() && f.Office == "" {
		return res, errForbidden
	}
	if q != "" && s.cfg.SubmissionIndex != nil {
		if len([]rune(q)) > 200 {
			return res, errorf(http.StatusBadRequest, "搜索词过长")
		}
		res.Subs, res.Total, res.Snippets, err = s.searchSubmissions(r.Context(), q, f, p, snippets)
		return res, err
	}
	if q != "" {
		// No index: a substring match over every submission selected.
		all, err := s.st.Submissions(f)
		if err != nil {
			return res, err
		}
		all = slices.DeleteFunc(all, func(sub store.Submission) bool { return !matches(sub, q) })
		res.Total = len(all)
		start := min(p.Offset, len(all))
		res.Subs = all[start:min(start+p.Limit, len(all))]
		return res, nil
	}
	f.Offset, f.Limit = p.Offset, p.Limit
	res.Subs, res.Total, err = s.st.SubmissionPage(f)
	return res, err
}

// submissionList lists the caller's office's submissions (all for
// editors), defaultListLimit a page.
func (s *Server) submissionList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := pageOf(r, 0)
	if err != nil {
		return err
	}
	res, err := s.filteredSubmissions(r, c, p, true)
	if err != nil {
		return err
	}
	d := listData{Subs: res.Subs, Snippets: res.Snippets, Statuses: store.Statuses, Office: res.Filter.Office, Q: res.Q, Total: res.Total}
	if len(res.Filter.Statuses) == 1 {
		d.Status = string(res.Filter.Statuses[0])
	}
	if len(res.Subs) > 0 {
		d.First, d.Last = p.Offset+1, p.Offset+len(res.Subs)
	}
	if p.Offset > 0 {
		d.PrevURL = pageURL(r, max(min(p.Offset, res.Total)-p.Limit, 0))
	}
	if p.Offset+len(res.Subs) < res.Total {
		d.NextURL = pageURL(r, p.Offset+p.Limit)
	}
	if c.isEditor() {
		d.Offices, err = s.offices()
		if err != nil {
			return err
		}
	}
	return s.render(w, r, c, "list", "稿件", d)
}

// offices lists the offices of the submitters.
func (s *Server) offices() ([]string, error) {
	users, err := s.st.Users()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users {
		if u.Office != "" && !slices.Contains(out, u.Office) {
			out = append(out, u.Office)
		}
	}
	slices.Sort(out)
	return out, nil
}
