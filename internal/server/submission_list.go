package server

import (
	"html/template"
	"net/http"
	"slices"
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

// filteredSubmissions lists the submissions the request asks for: by
// status and office, and with ?q= by full-text search over the submission
// index, most relevant first, with snippets if asked for.
func (s *Server) filteredSubmissions(r *http.Request, c *reqCtx, snippets bool) ([]store.Submission, map[string]template.HTML, store.SubmissionFilter, string, error) {
	f, q, err := listFilter(r, c)
	if err != nil {
		return nil, nil, f, q, err
	}
	if !c.isEditor() && f.Office == "" {
		return nil, nil, f, q, errForbidden
	}
	if q != "" && s.cfg.SubmissionIndex != nil {
		if len([]rune(q)) > 200 {
			return nil, nil, f, q, errorf(http.StatusBadRequest, "搜索词过长")
		}
		subs, found, err := s.searchSubmissions(r.Context(), q, f, snippets)
		return subs, found, f, q, err
	}
	subs, err := s.st.Submissions(f)
	if err != nil {
		return nil, nil, f, q, err
	}
	if q != "" {
		subs = slices.DeleteFunc(subs, func(sub store.Submission) bool { return !matches(sub, q) })
	}
	return subs, nil, f, q, nil
}

// submissionList lists the caller's office's submissions (all for editors).
func (s *Server) submissionList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	subs, snippets, f, q, err := s.filteredSubmissions(r, c, true)
	if err != nil {
		return err
	}
	d := listData{Subs: subs, Snippets: snippets, Statuses: store.Statuses, Office: f.Office, Q: q}
	if len(f.Statuses) == 1 {
		d.Status = string(f.Statuses[0])
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
