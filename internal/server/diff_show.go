package server

import (
	"net/http"
	"strconv"

	"github.com/banmian/banmian/internal/diff"
	"github.com/banmian/banmian/internal/store"
)

type diffData struct {
	Sub       store.Submission
	A, B      store.Revision
	Edits     []diffEdit
	Deleted   int
	Inserted  int
	Revisions []store.Revision
}

type diffEdit struct {
	Op   string // "eq", "del", "ins"
	Text string
}

// diffShow shows the character-level difference between two revisions
// (?a=N&b=M; by default the last two).
func (s *Server) diffShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	revs, err := s.st.Revisions(sub.ID)
	if err != nil {
		return err
	}
	b := len(revs)
	a := max(1, b-1)
	if v, err := strconv.Atoi(r.URL.Query().Get("a")); err == nil {
		a = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("b")); err == nil {
		b = v
	}
	if a < 1 || b < 1 || a > len(revs) || b > len(revs) {
		return errorf(http.StatusNotFound, "没有这个版本")
	}
	d := diffData{Sub: sub, A: revs[a-1], B: revs[b-1], Revisions: revs}
	edits := diff.Runes(d.A.Text(), d.B.Text())
	d.Deleted, d.Inserted = diff.Count(edits)
	for _, e := range edits {
		op := "eq"
		switch e.Op {
		case diff.Delete:
			op = "del"
		case diff.Insert:
			op = "ins"
		}
		d.Edits = append(d.Edits, diffEdit{Op: op, Text: e.Text})
	}
	return s.render(w, r, c, "diff", "修改对比", d)
}
