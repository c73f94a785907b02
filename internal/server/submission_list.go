package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

type listData struct {
	Subs     []store.Submission
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

// matches is a plain full-text filter over a submission's text.
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

func (s *Server) filteredSubmissions(r *http.Request, c *reqCtx) ([]store.Submission, store.SubmissionFilter, string, error) {
	f, q, err := listFilter(r, c)
	if err != nil {
		return nil, f, q, err
	}
	if !c.isEditor() && f.Office == "" {
		return nil, f, q, errForbidden
	}
	subs, err := s.st.Submissions(f)
	if err != nil {
		return nil, f, q, err
	}
	if q != "" {
		subs = slices.DeleteFunc(subs, func(sub store.Submission) bool { return !matches(sub, q) })
	}
	return subs, f, q, nil
}

// submissionList lists the caller's office's submissions (all for editors).
func (s *Server) submissionList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	subs, f, q, err := s.filteredSubmissions(r, c)
	if err != nil {
		return err
	}
	d := listData{Subs: subs, Statuses: store.Statuses, Office: f.Office, Q: q}
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
