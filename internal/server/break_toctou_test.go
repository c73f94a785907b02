package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// gateBody is a request body whose first Read tells the test the handler
// started reading (after any check made before the body), then waits.
type gateBody struct {
	reading chan struct{}
	release chan struct{}
	r       *strings.Reader
	started bool
}

func (g *gateBody) Read(p []byte) (int, error) {
	if !g.started {
		g.started = true
		close(g.reading)
		<-g.release
	}
	return g.r.Read(p)
}

// Break 3: the edit permission was checked before the body was read, so a
// slow PUT that finished after the editor accepted the story changed it.
func TestSlowEditAfterAcceptIsRefused(t *testing.T) {
	t.Parallel()
	for _, returned := range []bool{false, true} {
		e := newEnv(t)
		var id string
		if returned {
			id = e.mustSubmission("changzheng", "长征镇", "原来的标题", "原来的正文。", store.StatusSubmitted)
			if err := e.st.Transition(id, store.ActionReturn, "editor", "请补充"); err != nil {
				t.Fatal(err)
			}
		} else {
			sub, err := e.st.CreateSubmission(store.Submission{Office: "长征镇", Title: "原来的标题", Body: "原来的正文。"}, "changzheng")
			if err != nil {
				t.Fatal(err)
			}
			id = sub.ID
		}
		g := &gateBody{reading: make(chan struct{}), release: make(chan struct{}),
			r: strings.NewReader(`{"title":"被偷改的标题","body":"被偷改的正文。"}`)}
		req := httptest.NewRequest("PUT", "/api/submissions/"+id, g)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens["changzheng"])
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.srv.Handler().ServeHTTP(rec, req)
		}()
		<-g.reading
		if err := e.st.Transition(id, store.ActionSubmit, "changzheng", ""); err != nil {
			t.Fatal(err)
		}
		if err := e.st.Transition(id, store.ActionAccept, "editor", ""); err != nil {
			t.Fatal(err)
		}
		close(g.release)
		<-done
		if rec.Code == 200 {
			t.Errorf("returned=%v: slow edit after accept: %d %s", returned, rec.Code, rec.Body)
		}
		sub, _ := e.st.Submission(id)
		if sub.Title != "原来的标题" || strings.Contains(sub.Body, "偷改") || sub.Status != store.StatusAccepted || sub.Rev != 1 {
			t.Errorf("returned=%v: accepted story changed: %+v", returned, sub)
		}
		h, _ := e.st.History(id)
		for _, ev := range h {
			if strings.Contains(ev.Note, "偷改") {
				t.Errorf("history has the refused edit: %+v", ev)
			}
		}
	}
}
