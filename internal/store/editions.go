package store

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/banmian/banmian/internal/content"
)

var boxIDRE = slugRE

func getEdition(tx *bolt.Tx, date string) (Edition, bool, error) {
	var e Edition
	ok, err := getJSON(tx.Bucket(bEditions), []byte(date), &e)
	return e, ok, err
}

func validateDate(date string) error {
	if _, err := time.Parse(content.DateLayout, date); err != nil {
		return fmt.Errorf("edition date %q is not YYYY-MM-DD: %w", date, ErrInvalid)
	}
	return nil
}

func validateEdition(e *Edition) error {
	if err := validateDate(e.Date); err != nil {
		return err
	}
	if e.Page < 0 || e.Page > 999 {
		return fmt.Errorf("page %d: %w", e.Page, ErrInvalid)
	}
	seen := map[string]bool{}
	leads := 0
	for i := range e.Items {
		it := &e.Items[i]
		if (it.Submission == "") == (it.Box == nil) {
			return fmt.Errorf("item %d: give either a submission or a box: %w", i+1, ErrInvalid)
		}
		if it.Lead {
			leads++
		}
		if it.Box != nil {
			b := *it.Box
			b.Rows = slices.Clone(b.Rows)
			it.Box = &b
			if b.Type == "" {
				b.Type = content.BoxHonourRoll
			}
			if !boxIDRE.MatchString(b.ID) {
				return fmt.Errorf("item %d: box id %q: use lower-case letters, digits and single hyphens: %w", i+1, b.ID, ErrInvalid)
			}
			if seen["box:"+b.ID] {
				return fmt.Errorf("item %d: box %q twice: %w", i+1, b.ID, ErrInvalid)
			}
			seen["box:"+b.ID] = true
			continue
		}
		if seen[it.Submission] {
			return fmt.Errorf("item %d: submission %s twice: %w", i+1, it.Submission, ErrInvalid)
		}
		seen[it.Submission] = true
	}
	if leads > 1 {
		return fmt.Errorf("%d lead items; a page has at most one 头条: %w", leads, ErrInvalid)
	}
	return nil
}

func submissionIDs(e Edition) []string {
	var ids []string
	for _, it := range e.Items {
		if it.Submission != "" {
			ids = append(ids, it.Submission)
		}
	}
	return ids
}

// Built names the version of an edition a publish wrote out: the
// edition's revision and the revision of each of its submissions (by ID).
type Built struct {
	Rev     int
	Stories map[string]int
}

// BuiltFrom is the Built of edition e whose submissions are subs.
func BuiltFrom(e Edition, subs []Submission) Built {
	b := Built{Rev: e.Rev, Stories: make(map[string]int, len(subs))}
	for _, s := range subs {
		b.Stories[s.ID] = s.Rev
	}
	return b
}

// PutEdition creates or replaces the edition for e.Date with e's page,
// title, note, masthead and items, in one transaction that also moves the
// submissions: each newly placed one goes from accepted to scheduled (with
// Edition set), each one no longer listed goes back from scheduled to
// accepted. Status, PublishAt and Created are kept from the stored edition
// (a new one is a draft); change them with ScheduleEdition and
// PublishEdition. Inline boxes are copied; an empty box type means 荣誉榜.
//
// Errors: ErrInvalid (date, items, more than one lead), ErrNotEditable
// (the edition is published), ErrNotFound (a listed submission does not
// exist), ErrInvalidTransition (a listed submission is not accepted),
// ErrConflict (a listed submission is on another edition).
func (s *Store) PutEdition(e Edition, actor string) (Edition, error) {
	e.Items = slices.Clone(e.Items)
	e.Title, e.Note = strings.TrimSpace(e.Title), strings.TrimSpace(e.Note)
	if err := validateEdition(&e); err != nil {
		return Edition{}, err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		old, exists, err := getEdition(tx, e.Date)
		if err != nil {
			return err
		}
		now := s.now()
		if exists {
			if old.Status == EditionPublished {
				return fmt.Errorf("edition %s is published: %w", e.Date, ErrNotEditable)
			}
			e.Status, e.PublishAt, e.Created = old.Status, old.PublishAt, old.Created
			e.Rev = old.Rev + 1
		} else {
			e.Rev = 1
			e.Status, e.PublishAt, e.Created = EditionDraft, time.Time{}, now
		}
		e.Published, e.PublishedBy = time.Time{}, ""
		e.Updated, e.UpdatedBy = now, actor
		newIDs := submissionIDs(e)
		for _, id := range submissionIDs(old) {
			if slices.Contains(newIDs, id) {
				continue
			}
			sub, err := getSub(tx, id)
			if err != nil {
				return err
			}
			if sub.Status == StatusScheduled && sub.Edition == e.Date {
				if _, err := s.transition(tx, sub, ActionUnschedule, actor, "", ""); err != nil {
					return err
				}
			}
		}
		for _, id := range newIDs {
			sub, err := getSub(tx, id)
			if err != nil {
				return err
			}
			switch {
			case sub.Status == StatusScheduled && sub.Edition == e.Date:
				// Already here.
			case sub.Status == StatusScheduled:
				return fmt.Errorf("submission %s is already on edition %s: %w", id, sub.Edition, ErrConflict)
			default:
				if _, err := s.transition(tx, sub, ActionSchedule, actor, "", e.Date); err != nil {
					return err
				}
			}
		}
		return putJSON(tx.Bucket(bEditions), []byte(e.Date), e)
	})
	if err != nil {
		return Edition{}, err
	}
	return e, nil
}

// Edition returns the edition for date (YYYY-MM-DD).
//
// Errors: ErrNotFound.
func (s *Store) Edition(date string) (Edition, error) {
	var e Edition
	err := s.db.View(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		e, ok, err = getEdition(tx, date)
		if err == nil && !ok {
			err = fmt.Errorf("edition %s: %w", date, ErrNotFound)
		}
		return err
	})
	return e, err
}

// Editions returns every edition, newest date first.
//
// Errors: none but a corrupt file.
func (s *Store) Editions() ([]Edition, error) {
	var out []Edition
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bEditions).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var e Edition
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// DeleteEdition removes an unpublished edition and moves its submissions
// back from scheduled to accepted, in one transaction.
//
// Errors: ErrNotFound, ErrNotEditable (published).
func (s *Store) DeleteEdition(date, actor string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		e, ok, err := getEdition(tx, date)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("edition %s: %w", date, ErrNotFound)
		}
		if e.Status == EditionPublished {
			return fmt.Errorf("edition %s is published: %w", date, ErrNotEditable)
		}
		for _, id := range submissionIDs(e) {
			sub, err := getSub(tx, id)
			if err != nil {
				return err
			}
			if sub.Status == StatusScheduled && sub.Edition == date {
				if _, err := s.transition(tx, sub, ActionUnschedule, actor, "", ""); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bEditions).Delete([]byte(date))
	})
}

// ScheduleEdition sets an unpublished edition to be published at at
// (status scheduled), or back to draft when at is zero. The server
// publishes due editions itself (DueEditions), also after a restart.
//
// Errors: ErrNotFound, ErrInvalidTransition (published).
func (s *Store) ScheduleEdition(date string, at time.Time, actor string) (Edition, error) {
	var e Edition
	err := s.db.Update(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		e, ok, err = getEdition(tx, date)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("edition %s: %w", date, ErrNotFound)
		}
		if e.Status == EditionPublished {
			return fmt.Errorf("edition %s is already published: %w", date, ErrInvalidTransition)
		}
		if at.IsZero() {
			e.Status, e.PublishAt = EditionDraft, time.Time{}
		} else {
			e.Status, e.PublishAt = EditionScheduled, at
		}
		e.Updated, e.UpdatedBy = s.now(), actor
		return putJSON(tx.Bucket(bEditions), []byte(date), e)
	})
	if err != nil {
		return Edition{}, err
	}
	return e, nil
}

// DueEditions returns the scheduled editions whose PublishAt is not after
// now, earliest first.
//
// Errors: none but a corrupt file.
func (s *Store) DueEditions(now time.Time) ([]Edition, error) {
	all, err := s.Editions()
	if err != nil {
		return nil, err
	}
	var out []Edition
	for _, e := range all {
		if e.Status == EditionScheduled && !e.PublishAt.After(now) {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PublishAt.Before(out[j].PublishAt) })
	return out, nil
}

// PublishEdition marks an edition published and every submission on it
// published, recording the events, in one transaction: either all of it
// happens or none. Call it after the content files and site are written;
// if it fails, the caller rolls those back. built is the version that was
// written: when the edition or one of its stories was saved since, the
// store refuses, so it never claims what the site does not show.
//
// Errors: ErrNotFound, ErrInvalidTransition (already published), ErrInvalid
// (no items), ErrConflict (the edition or a story changed since built, or a
// listed submission is not scheduled on this edition).
func (s *Store) PublishEdition(date, actor string, built Built) (Edition, error) {
	var e Edition
	err := s.db.Update(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		e, ok, err = getEdition(tx, date)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("edition %s: %w", date, ErrNotFound)
		}
		if e.Status == EditionPublished {
			return fmt.Errorf("edition %s is already published: %w", date, ErrInvalidTransition)
		}
		if len(e.Items) == 0 {
			return fmt.Errorf("edition %s has nothing on it: %w", date, ErrInvalid)
		}
		if e.Rev != built.Rev {
			return fmt.Errorf("edition %s: revision %d was built, but revision %d was saved since: %w", date, built.Rev, e.Rev, ErrConflict)
		}
		for _, id := range submissionIDs(e) {
			sub, err := getSub(tx, id)
			if err != nil {
				return err
			}
			if sub.Status != StatusScheduled || sub.Edition != date {
				return fmt.Errorf("submission %s is %s (edition %q), not scheduled on %s: %w", id, sub.Status, sub.Edition, date, ErrConflict)
			}
			if rev, ok := built.Stories[id]; !ok || rev != sub.Rev {
				return fmt.Errorf("submission %s: revision %d was built, but it is at revision %d: %w", id, rev, sub.Rev, ErrConflict)
			}
			if _, err := s.transition(tx, sub, ActionPublish, actor, "", ""); err != nil {
				return err
			}
		}
		now := s.now()
		e.Status, e.Published, e.PublishedBy = EditionPublished, now, actor
		e.Updated, e.UpdatedBy = now, actor
		return putJSON(tx.Bucket(bEditions), []byte(date), e)
	})
	if err != nil {
		return Edition{}, err
	}
	return e, nil
}
