package store_test

import (
	"errors"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// current is the Built of the edition as stored now.
func current(t testing.TB, s *store.Store, date string) store.Built {
	t.Helper()
	e, err := s.Edition(date)
	if err != nil {
		return store.Built{}
	}
	var subs []store.Submission
	for _, it := range e.Items {
		if it.Submission != "" {
			sub, err := s.Submission(it.Submission)
			if err != nil {
				t.Fatal(err)
			}
			subs = append(subs, sub)
		}
	}
	return store.BuiltFrom(e, subs)
}

// Break 4: a publish names the version it wrote; the store refuses when
// the edition or one of its stories was saved since, so it never marks
// published a story that did not go out.
func TestPublishEditionRefusesAChangedVersion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		change func(t *testing.T, s *store.Store, a, b store.Submission)
	}{
		{"story added", func(t *testing.T, s *store.Store, a, b store.Submission) {
			if _, err := s.PutEdition(store.Edition{Date: "2025-05-28", Page: 12, Items: []store.EditionItem{{Submission: a.ID}, {Submission: b.ID}}}, "王编辑"); err != nil {
				t.Fatal(err)
			}
		}},
		{"page changed", func(t *testing.T, s *store.Store, a, b store.Submission) {
			if _, err := s.PutEdition(store.Edition{Date: "2025-05-28", Page: 13, Items: []store.EditionItem{{Submission: a.ID}}}, "王编辑"); err != nil {
				t.Fatal(err)
			}
		}},
		{"story text changed", func(t *testing.T, s *store.Store, a, b store.Submission) {
			if _, err := s.UpdateSubmission(a.ID, "王编辑", func(sub *store.Submission) error { sub.Body = "改过的正文。"; return nil }); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			a := reach(t, s, store.StatusAccepted, "2025-05-28")
			b := reach(t, s, store.StatusAccepted, "2025-05-28")
			if _, err := s.PutEdition(store.Edition{Date: "2025-05-28", Page: 12, Items: []store.EditionItem{{Submission: a.ID}}}, "王编辑"); err != nil {
				t.Fatal(err)
			}
			built := current(t, s, "2025-05-28")
			c.change(t, s, a, b)
			if _, err := s.PublishEdition("2025-05-28", "王编辑", built); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("publish of an older version: %v, want ErrConflict", err)
			}
			for _, id := range []string{a.ID, b.ID} {
				if sub, _ := s.Submission(id); sub.Status == store.StatusPublished {
					t.Errorf("%s marked published", id)
				}
			}
			if e, _ := s.Edition("2025-05-28"); e.Status == store.EditionPublished {
				t.Error("edition marked published")
			}
			if _, err := s.PublishEdition("2025-05-28", "王编辑", current(t, s, "2025-05-28")); err != nil {
				t.Errorf("publish of the current version: %v", err)
			}
		})
	}
}
