package server

import (
	"encoding/json"
	"errors"
	"github.com/banmian/banmian/internal/markdown"
	"io"
	"mime"
	"net/http"

	"github.com/banmian/banmian/internal/store"
)

// submissionJSON is the API's form of a submission's editable fields.
type submissionJSON struct {
	Office   string   `json:"office"`
	Kicker   string   `json:"kicker"`
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle"`
	Body     string   `json:"body"`
	Tags     []string `json:"tags"`
	// Rev, on PUT, is the revision the change is based on (0: no check).
	Rev int `json:"rev"`
}

func badJSON(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return err
	}
	return &Error{Status: http.StatusBadRequest, Message: "请求正文不是有效的 JSON", Err: err}
}

// readSubmission reads an API body: text/markdown with front matter, or
// JSON.
func readSubmission(r *http.Request) (submissionJSON, error) {
	var in submissionJSON
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "text/markdown", "text/plain", "text/x-markdown":
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return in, err
		}
		f, err := parseMarkdown(data)
		if err != nil {
			return in, err
		}
		in.Kicker, in.Title, in.Subtitle, in.Body, in.Tags = f.Kicker, f.Title, f.Subtitle, f.Body, f.Tags
		in.Office = r.URL.Query().Get("office")
		return in, nil
	case "application/json", "":
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return in, badJSON(err)
		}
		// Copy sent as JSON follows the desk's rule: one line, one
		// paragraph. A Markdown file (above) keeps CommonMark.
		in.Body = markdown.LinesToParagraphs(in.Body)
		return in, nil
	}
	return in, errorf(http.StatusUnsupportedMediaType, "请求正文应为 application/json 或 text/markdown（收到 %s）", mt)
}

// apiSubmissionCreate: POST /api/submissions → 201 {"id","status"}. With
// ?submit=1 the new draft is submitted at once.
func (s *Server) apiSubmissionCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in, err := readSubmission(r)
	if err != nil {
		return err
	}
	office, err := officeFor(c, in.Office)
	if err != nil {
		return err
	}
	sub := store.Submission{Office: office}
	storyFields{Kicker: in.Kicker, Title: in.Title, Subtitle: in.Subtitle, Body: in.Body, Tags: in.Tags}.apply(&sub)
	if err := checkBody(sub.Body); err != nil {
		return err
	}
	if v := r.URL.Query().Get("submit"); (v == "1" || v == "true") && c.mayAct(store.ActionSubmit) {
		// Created and submitted in one transaction: a failed submit
		// leaves nothing behind, as the form's does.
		sub, err = s.st.SubmitNew(sub, c.user.Name)
	} else {
		sub, err = s.st.CreateSubmission(sub, c.user.Name)
	}
	if err != nil {
		return err
	}
	defer s.indexSubmissions(sub.ID)
	w.Header().Set("Location", "/api/submissions/"+sub.ID)
	s.json(w, http.StatusCreated, map[string]any{"id": sub.ID, "status": sub.Status})
	return nil
}

// listedSubmission is a submission as the list API gives it without
// ?body=1: every field but the body (a page of 200 bodies near the body
// cap would be tens of megabytes; GET /api/submissions/{id} has it).
type listedSubmission struct {
	store.Submission
	Body *string `json:"body,omitempty"` // hides the embedded Body
}

// apiSubmissionList: GET /api/submissions[?status=&office=&q=&limit=&offset=&body=1]
// → {"submissions","total","next"}: one page (limit, default 50, at most
// 200) of the submissions selected, newest first (most relevant first
// with q), how many are selected in all, and the URL of the next page
// (left out on the last).
func (s *Server) apiSubmissionList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := pageOf(r, maxListLimit)
	if err != nil {
		return err
	}
	res, err := s.filteredSubmissions(r, c, p, false)
	if err != nil {
		return err
	}
	if res.Subs == nil {
		res.Subs = []store.Submission{}
	}
	out := map[string]any{"total": res.Total}
	if v := r.URL.Query().Get("body"); v == "1" || v == "true" {
		out["submissions"] = res.Subs
	} else {
		list := make([]listedSubmission, len(res.Subs))
		for i, sub := range res.Subs {
			list[i].Submission = sub
		}
		out["submissions"] = list
	}
	if p.Offset+len(res.Subs) < res.Total {
		out["next"] = pageURL(r, p.Offset+p.Limit)
	}
	s.json(w, http.StatusOK, out)
	return nil
}

// apiSubmissionGet: GET /api/submissions/{id}, with history and notes.
func (s *Server) apiSubmissionGet(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	hist, err := s.st.History(sub.ID)
	if err != nil {
		return err
	}
	notes, err := s.st.Notes(sub.ID)
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, map[string]any{"submission": sub, "history": hist, "notes": notes})
	return nil
}

// apiSubmissionPut: PUT /api/submissions/{id} replaces the text fields.
func (s *Server) apiSubmissionPut(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sub, err := s.submission(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.mayEdit(sub) || sub.Status == store.StatusPublished {
		return errForbidden
	}
	in, err := readSubmission(r)
	if err != nil {
		return err
	}
	office := ""
	if c.isEditor() {
		office = in.Office
	}
	sub, err = s.saveText(sub.ID, c.user.Name, in.Rev, storyFields{Kicker: in.Kicker, Title: in.Title, Subtitle: in.Subtitle, Body: in.Body, Tags: in.Tags}, office, c.editCheck(false))
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, map[string]any{"submission": sub})
	return nil
}

// apiSubmissionTransition: POST /api/submissions/{id}/{action} with an
// optional JSON {"note"}.
func (s *Server) apiSubmissionTransition(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil && !errors.Is(err, io.EOF) {
			return badJSON(err)
		}
	}
	sub, _, err := s.transition(r, c, in.Note)
	if err != nil {
		return err
	}
	s.json(w, http.StatusOK, map[string]any{"id": sub.ID, "status": sub.Status})
	return nil
}
