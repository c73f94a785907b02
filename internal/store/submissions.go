package store

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/banmian/banmian/internal/content"
)

// Limits on submissions. The server enforces tighter limits on request
// bodies; these keep the store sane whatever calls it.
const (
	MaxFieldChars = 200                  // kicker, title, subtitle
	MaxBodyBytes  = content.MaxBodyBytes // Markdown body
	MaxTags       = 20
	MaxTagChars   = 32
	MaxPhotos     = 10
	MaxPhotoBytes = 20 << 20
	MaxNoteChars  = 10000
)

var (
	slugRE      = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	photoNameRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$`)
)

// normalize trims the short fields, turns CRLF into LF in the body and
// cleans the tags (trimmed, no empty ones, no duplicates, order kept).
func normalize(sub *Submission) {
	sub.Office = strings.TrimSpace(sub.Office)
	sub.Kicker = strings.TrimSpace(sub.Kicker)
	sub.Title = strings.TrimSpace(sub.Title)
	sub.Subtitle = strings.TrimSpace(sub.Subtitle)
	sub.Slug = strings.TrimSpace(sub.Slug)
	sub.Body = strings.ReplaceAll(sub.Body, "\r\n", "\n")
	var tags []string
	for _, t := range sub.Tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	sub.Tags = tags
}

func validate(sub *Submission) error {
	if sub.Office == "" {
		return fmt.Errorf("submission has no office: %w", ErrInvalid)
	}
	if err := validateOffice(sub.Office); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"kicker", sub.Kicker}, {"title", sub.Title}, {"subtitle", sub.Subtitle}} {
		if !utf8.ValidString(f.v) {
			return fmt.Errorf("%s is not valid UTF-8: %w", f.name, ErrInvalid)
		}
		if n := utf8.RuneCountInString(f.v); n > MaxFieldChars {
			return fmt.Errorf("%s has %d characters, more than %d: %w", f.name, n, MaxFieldChars, ErrInvalid)
		}
	}
	if !utf8.ValidString(sub.Body) {
		return fmt.Errorf("body is not valid UTF-8: %w", ErrInvalid)
	}
	if err := content.CheckBody(sub.Body); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	if len(sub.Tags) > MaxTags {
		return fmt.Errorf("%d tags, more than %d: %w", len(sub.Tags), MaxTags, ErrInvalid)
	}
	for _, t := range sub.Tags {
		if utf8.RuneCountInString(t) > MaxTagChars || !utf8.ValidString(t) {
			return fmt.Errorf("tag %q is longer than %d characters: %w", t, MaxTagChars, ErrInvalid)
		}
		if content.OnlyDotsOrSlashes(t) {
			return fmt.Errorf("tag %q is made only of dots or slashes: %w", t, ErrInvalid)
		}
	}
	if sub.Slug != "" && (!slugRE.MatchString(sub.Slug) || len(sub.Slug) > 100) {
		return fmt.Errorf("slug %q: use lower-case letters, digits and single hyphens: %w", sub.Slug, ErrInvalid)
	}
	return nil
}

func clone(sub Submission) Submission {
	sub.Tags = slices.Clone(sub.Tags)
	sub.Photos = slices.Clone(sub.Photos)
	return sub
}

func textChanged(a, b Submission) bool {
	return a.Kicker != b.Kicker || a.Title != b.Title || a.Subtitle != b.Subtitle ||
		a.Body != b.Body || !slices.Equal(a.Tags, b.Tags)
}

func revisionOf(sub Submission, author string, at time.Time) Revision {
	return Revision{
		N: sub.Rev, Author: author, Created: at,
		Kicker: sub.Kicker, Title: sub.Title, Subtitle: sub.Subtitle, Body: sub.Body,
		Tags: slices.Clone(sub.Tags),
	}
}

func getSub(tx *bolt.Tx, id string) (Submission, error) {
	var sub Submission
	ok, err := getJSON(tx.Bucket(bSubs), []byte(id), &sub)
	if err != nil {
		return sub, err
	}
	if !ok {
		return sub, fmt.Errorf("submission %q: %w", id, ErrNotFound)
	}
	return sub, nil
}

// putSub stores sub and keeps the indexes in step; old is the stored
// version (nil for a new submission).
func putSub(tx *bolt.Tx, old *Submission, sub Submission) error {
	byStatus, byOffice, slugs := tx.Bucket(bSubStatus), tx.Bucket(bSubOffice), tx.Bucket(bSlugs)
	if sub.Slug != "" && (old == nil || old.Slug != sub.Slug) {
		if other := slugs.Get([]byte(sub.Slug)); other != nil && string(other) != sub.ID {
			return fmt.Errorf("slug %q is taken by submission %s: %w", sub.Slug, other, ErrExists)
		}
	}
	if old != nil {
		if err := byStatus.Delete(indexKey(string(old.Status), old.ID)); err != nil {
			return err
		}
		if err := byOffice.Delete(indexKey(old.Office, old.ID)); err != nil {
			return err
		}
		if old.Slug != "" && old.Slug != sub.Slug {
			if err := slugs.Delete([]byte(old.Slug)); err != nil {
				return err
			}
		}
	}
	if err := byStatus.Put(indexKey(string(sub.Status), sub.ID), nil); err != nil {
		return err
	}
	if err := byOffice.Put(indexKey(sub.Office, sub.ID), nil); err != nil {
		return err
	}
	if sub.Slug != "" {
		if err := slugs.Put([]byte(sub.Slug), []byte(sub.ID)); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(bSubs), []byte(sub.ID), sub)
}

// subBucket returns the nested bucket name (revisions, events, notes,
// photos) of submission id, creating it when create is set. It returns nil
// when it does not exist and create is not set.
func subBucket(tx *bolt.Tx, id string, name []byte, create bool) (*bolt.Bucket, error) {
	data := tx.Bucket(bSubData)
	if !create {
		sb := data.Bucket([]byte(id))
		if sb == nil {
			return nil, nil
		}
		return sb.Bucket(name), nil
	}
	sb, err := data.CreateBucketIfNotExists([]byte(id))
	if err != nil {
		return nil, err
	}
	return sb.CreateBucketIfNotExists(name)
}

func addEvent(tx *bolt.Tx, id string, ev Event) error {
	b, err := subBucket(tx, id, bEvents, true)
	if err != nil {
		return err
	}
	_, err = appendSeq(b, func(n int) { ev.N = n }, &ev)
	return err
}

func addRevision(tx *bolt.Tx, id string, rev Revision) error {
	b, err := subBucket(tx, id, bRevs, true)
	if err != nil {
		return err
	}
	return putJSON(b, seqKey(rev.N), rev)
}

// CreateSubmission stores a new draft and returns it with ID, Status
// (draft), Created, Updated and Rev (1) set; its text becomes revision 1 and
// a create event is recorded, in one transaction. Author defaults to actor.
// Photos must be empty: add them with PutPhoto.
//
// Errors: ErrInvalid (no office, fields too long, bad slug, photos given),
// ErrExists (slug taken).
func (s *Store) CreateSubmission(in Submission, actor string) (Submission, error) {
	return s.create(in, actor, false)
}

// SubmitNew stores a new submission and submits it, in one transaction:
// CreateSubmission then Transition(submit), except that a failure (no
// title or body, say) leaves nothing behind, and the store is written
// once. Like Transition, it does not check roles: the server does.
//
// Errors: those of CreateSubmission, and ErrInvalid (no title or body).
func (s *Store) SubmitNew(in Submission, actor string) (Submission, error) {
	return s.create(in, actor, true)
}

func (s *Store) create(in Submission, actor string, submit bool) (Submission, error) {
	sub := clone(in)
	if sub.Author == "" {
		sub.Author = actor
	}
	normalize(&sub)
	if err := validate(&sub); err != nil {
		return Submission{}, err
	}
	if len(sub.Photos) > 0 {
		return Submission{}, fmt.Errorf("a new submission cannot carry photos; add them with PutPhoto: %w", ErrInvalid)
	}
	now := s.now()
	sub.Status, sub.Created, sub.Updated, sub.Rev, sub.Edition = StatusDraft, now, now, 1, ""
	var out Submission
	err := s.db.Update(func(tx *bolt.Tx) error {
		sub.ID = newID(tx.Bucket(bSubs), now)
		if err := putSub(tx, nil, sub); err != nil {
			return err
		}
		if err := addRevision(tx, sub.ID, revisionOf(sub, actor, now)); err != nil {
			return err
		}
		if err := addEvent(tx, sub.ID, Event{At: now, Actor: actor, Action: ActionCreate, To: StatusDraft}); err != nil {
			return err
		}
		out = sub
		if submit {
			var err error
			out, err = s.transition(tx, sub, ActionSubmit, actor, "", "")
			return err
		}
		return nil
	})
	if err != nil {
		return Submission{}, err
	}
	return out, nil
}

// Submission returns the submission with id.
//
// Errors: ErrNotFound.
func (s *Store) Submission(id string) (Submission, error) {
	var sub Submission
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		sub, err = getSub(tx, id)
		return err
	})
	return sub, err
}

// SubmissionsByID returns the submissions with ids, in the order of ids,
// leaving out those that do not exist, as one transaction sees them. One
// transaction for many reads is much cheaper than one each.
func (s *Store) SubmissionsByID(ids []string) ([]Submission, error) {
	out := make([]Submission, 0, len(ids))
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			sub, err := getSub(tx, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, sub)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SubmissionBySlug returns the submission with slug.
//
// Errors: ErrNotFound.
func (s *Store) SubmissionBySlug(slug string) (Submission, error) {
	var sub Submission
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bSlugs).Get([]byte(slug))
		if id == nil {
			return fmt.Errorf("slug %q: %w", slug, ErrNotFound)
		}
		var err error
		sub, err = getSub(tx, string(id))
		return err
	})
	return sub, err
}

// UpdateSubmission changes a submission in one transaction: fn edits a copy
// of the stored submission and the store saves it. fn may change Office,
// Kicker, Title, Subtitle, Body, Tags, Slug and photo captions (matched by
// name); changes to anything else are ignored (statuses move only by
// Transition and the edition methods, photos by PutPhoto and DeletePhoto).
// When the text (kicker, title, subtitle, body or tags) changed, Rev goes
// up by one and the text is kept as a new revision by actor. An error from
// fn aborts the update and is returned as is, so fn can compare Rev with
// the one a form was based on and return ErrConflict.
//
// Errors: ErrNotFound, ErrNotEditable (rejected or withdrawn; or a new slug
// on a published story), ErrInvalid, ErrExists (slug taken), fn's error.
func (s *Store) UpdateSubmission(id, actor string, fn func(*Submission) error) (Submission, error) {
	var out Submission
	err := s.db.Update(func(tx *bolt.Tx) error {
		cur, err := getSub(tx, id)
		if err != nil {
			return err
		}
		if !cur.Status.Editable() {
			return fmt.Errorf("submission %s is %s: %w", id, cur.Status, ErrNotEditable)
		}
		next := clone(cur)
		if err := fn(&next); err != nil {
			return err
		}
		// Restore what fn may not change.
		captions := map[string]string{}
		for _, p := range next.Photos {
			captions[p.Name] = strings.TrimSpace(p.Caption)
		}
		photos := slices.Clone(cur.Photos)
		for i, p := range photos {
			if c, ok := captions[p.Name]; ok {
				photos[i].Caption = c
			}
		}
		next.ID, next.Author, next.Status, next.Created, next.Rev, next.Edition, next.Photos =
			cur.ID, cur.Author, cur.Status, cur.Created, cur.Rev, cur.Edition, photos
		normalize(&next)
		if err := validate(&next); err != nil {
			return err
		}
		if cur.Status == StatusPublished && next.Slug != cur.Slug {
			return fmt.Errorf("submission %s is published; its slug (the story's address) stays %q: %w", id, cur.Slug, ErrNotEditable)
		}
		now := s.now()
		if textChanged(cur, next) {
			next.Rev++
			if err := addRevision(tx, id, revisionOf(next, actor, now)); err != nil {
				return err
			}
		}
		next.Updated = now
		out = next
		return putSub(tx, &cur, next)
	})
	if err != nil {
		return Submission{}, err
	}
	return out, nil
}

// SaveSubmission stores the editable fields of in (see UpdateSubmission)
// over the submission with in.ID, provided in.Rev is still its latest
// revision.
//
// Errors: those of UpdateSubmission, and ErrConflict when someone saved a
// newer revision since in was read.
func (s *Store) SaveSubmission(in Submission, actor string) (Submission, error) {
	return s.UpdateSubmission(in.ID, actor, func(cur *Submission) error {
		if in.Rev != cur.Rev {
			return fmt.Errorf("submission %s: editing revision %d, but revision %d was saved by someone else: %w", in.ID, in.Rev, cur.Rev, ErrConflict)
		}
		cur.Office, cur.Kicker, cur.Title, cur.Subtitle, cur.Body, cur.Slug = in.Office, in.Kicker, in.Title, in.Subtitle, in.Body, in.Slug
		cur.Tags = slices.Clone(in.Tags)
		cur.Photos = slices.Clone(in.Photos)
		return nil
	})
}

// Transition applies action (submit, return, accept, reject, withdraw) to
// a submission and records who did it, when, from which status to which,
// and the note, in one transaction. See Next for the table of moves.
// Submitting needs a title and a body; returning needs a note (it tells the
// office what to change). The store does not check roles: the server does.
// Schedule, unschedule and publish are not done here but by PutEdition,
// DeleteEdition and PublishEdition, which change the edition in the same
// transaction.
//
// Errors: ErrNotFound, ErrInvalidTransition (not allowed from the current
// status, or an edition action), ErrInvalid (missing title, body or note;
// note too long).
func (s *Store) Transition(id string, action Action, actor, note string) error {
	if editionActions[action] {
		return fmt.Errorf("submission %s: %s is done by the edition builder: %w", id, action, ErrInvalidTransition)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		cur, err := getSub(tx, id)
		if err != nil {
			return err
		}
		_, err = s.transition(tx, cur, action, actor, note, "")
		return err
	})
}

// transition moves cur by action inside tx, setting Edition to edition for
// schedule and clearing it for unschedule, and records the event.
func (s *Store) transition(tx *bolt.Tx, cur Submission, action Action, actor, note, edition string) (Submission, error) {
	to, ok := Next(cur.Status, action)
	if !ok {
		return cur, fmt.Errorf("submission %s is %s; cannot %s it: %w", cur.ID, cur.Status, action, ErrInvalidTransition)
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNoteChars {
		return cur, fmt.Errorf("note is longer than %d characters: %w", MaxNoteChars, ErrInvalid)
	}
	switch action {
	case ActionSubmit:
		if cur.Title == "" || strings.TrimSpace(cur.Body) == "" {
			return cur, fmt.Errorf("submission %s needs a title and a body before it is submitted: %w", cur.ID, ErrInvalid)
		}
	case ActionReturn:
		if note == "" {
			return cur, fmt.Errorf("returning submission %s needs a note saying what to change: %w", cur.ID, ErrInvalid)
		}
	case ActionSchedule:
		cur.Edition = edition
	case ActionUnschedule:
		cur.Edition = ""
	}
	now := s.now()
	next := cur
	next.Status, next.Updated = to, now
	if err := putSub(tx, &cur, next); err != nil {
		return cur, err
	}
	if err := addEvent(tx, cur.ID, Event{At: now, Actor: actor, Action: action, From: cur.Status, To: to, Note: note}); err != nil {
		return cur, err
	}
	list, err := notify(tx, next, cur.Status, action, actor, note, now)
	if err != nil {
		return cur, err
	}
	s.notifyAfterCommit(tx, list)
	return next, nil
}

// History returns the events of a submission (creation and every
// transition), oldest first.
//
// Errors: ErrNotFound.
func (s *Store) History(id string) ([]Event, error) {
	var out []Event
	err := s.listSub(id, bEvents, func(v []byte) error {
		var e Event
		err := jsonUnmarshal(v, &e)
		out = append(out, e)
		return err
	})
	return out, err
}

// Revisions returns every revision of a submission, oldest (1) first.
//
// Errors: ErrNotFound.
func (s *Store) Revisions(id string) ([]Revision, error) {
	var out []Revision
	err := s.listSub(id, bRevs, func(v []byte) error {
		var r Revision
		err := jsonUnmarshal(v, &r)
		out = append(out, r)
		return err
	})
	return out, err
}

// Revision returns revision n of a submission.
//
// Errors: ErrNotFound (no such submission or revision).
func (s *Store) Revision(id string, n int) (Revision, error) {
	var r Revision
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := getSub(tx, id); err != nil {
			return err
		}
		b, err := subBucket(tx, id, bRevs, false)
		if err != nil {
			return err
		}
		if n < 1 || b == nil {
			return fmt.Errorf("submission %s revision %d: %w", id, n, ErrNotFound)
		}
		ok, err := getJSON(b, seqKey(n), &r)
		if err == nil && !ok {
			err = fmt.Errorf("submission %s revision %d: %w", id, n, ErrNotFound)
		}
		return err
	})
	return r, err
}

// AddNote appends a message to a submission's thread. Notes can be added
// in every status.
//
// Errors: ErrNotFound, ErrInvalid (empty or longer than MaxNoteChars).
func (s *Store) AddNote(id, author, text string) (Note, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" || !utf8.ValidString(text) {
		return Note{}, fmt.Errorf("note is empty: %w", ErrInvalid)
	}
	if utf8.RuneCountInString(text) > MaxNoteChars {
		return Note{}, fmt.Errorf("note is longer than %d characters: %w", MaxNoteChars, ErrInvalid)
	}
	n := Note{Author: author, Created: s.now(), Text: text}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := getSub(tx, id); err != nil {
			return err
		}
		b, err := subBucket(tx, id, bNotes, true)
		if err != nil {
			return err
		}
		_, err = appendSeq(b, func(i int) { n.N = i }, &n)
		return err
	})
	if err != nil {
		return Note{}, err
	}
	return n, nil
}

// Notes returns a submission's thread, oldest first.
//
// Errors: ErrNotFound.
func (s *Store) Notes(id string) ([]Note, error) {
	var out []Note
	err := s.listSub(id, bNotes, func(v []byte) error {
		var n Note
		err := jsonUnmarshal(v, &n)
		out = append(out, n)
		return err
	})
	return out, err
}

func (s *Store) listSub(id string, name []byte, decode func([]byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		if _, err := getSub(tx, id); err != nil {
			return err
		}
		b, err := subBucket(tx, id, name, false)
		if err != nil || b == nil {
			return err
		}
		return listSeq(b, decode)
	})
}

// PutPhoto stores a photo's bytes and metadata on a submission, replacing a
// photo with the same name, in one transaction; Size is set from data. The
// server sniffs, re-encodes (stripping metadata) and resizes first. Photo
// bytes live in the store, not on disk, so a backup holds everything and a
// photo is never out of step with its submission.
//
// Errors: ErrNotFound, ErrNotEditable, ErrInvalid (name, type, size,
// dimensions, more than MaxPhotos).
func (s *Store) PutPhoto(id, actor string, p Photo, data []byte) (Submission, error) {
	p.Caption = strings.TrimSpace(p.Caption)
	switch {
	case !photoNameRE.MatchString(p.Name):
		return Submission{}, fmt.Errorf("photo name %q: use letters, digits, '.', '_' or '-': %w", p.Name, ErrInvalid)
	case !strings.HasPrefix(p.Type, "image/"):
		return Submission{}, fmt.Errorf("photo %s: type %q is not an image type: %w", p.Name, p.Type, ErrInvalid)
	case p.Width <= 0 || p.Height <= 0:
		return Submission{}, fmt.Errorf("photo %s: size %d×%d: %w", p.Name, p.Width, p.Height, ErrInvalid)
	case len(data) == 0 || len(data) > MaxPhotoBytes:
		return Submission{}, fmt.Errorf("photo %s: %d bytes (at most %d): %w", p.Name, len(data), MaxPhotoBytes, ErrInvalid)
	case utf8.RuneCountInString(p.Caption) > MaxFieldChars:
		return Submission{}, fmt.Errorf("photo %s: caption longer than %d characters: %w", p.Name, MaxFieldChars, ErrInvalid)
	}
	p.Size = int64(len(data))
	var out Submission
	err := s.db.Update(func(tx *bolt.Tx) error {
		cur, err := getSub(tx, id)
		if err != nil {
			return err
		}
		if !cur.Status.Editable() {
			return fmt.Errorf("submission %s is %s: %w", id, cur.Status, ErrNotEditable)
		}
		next := clone(cur)
		i := slices.IndexFunc(next.Photos, func(q Photo) bool { return q.Name == p.Name })
		if i >= 0 {
			next.Photos[i] = p
		} else {
			if len(next.Photos) >= MaxPhotos {
				return fmt.Errorf("submission %s already has %d photos: %w", id, MaxPhotos, ErrInvalid)
			}
			next.Photos = append(next.Photos, p)
		}
		b, err := subBucket(tx, id, bPhotos, true)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(p.Name), data); err != nil {
			return err
		}
		next.Updated = s.now()
		out = next
		return putSub(tx, &cur, next)
	})
	if err != nil {
		return Submission{}, err
	}
	return out, nil
}

// PhotoData returns a photo's metadata and a copy of its bytes.
//
// Errors: ErrNotFound (no such submission or photo).
func (s *Store) PhotoData(id, name string) (Photo, []byte, error) {
	var p Photo
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		sub, err := getSub(tx, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(sub.Photos, func(q Photo) bool { return q.Name == name })
		b, err := subBucket(tx, id, bPhotos, false)
		if err != nil {
			return err
		}
		if i < 0 || b == nil || b.Get([]byte(name)) == nil {
			return fmt.Errorf("submission %s photo %q: %w", id, name, ErrNotFound)
		}
		p = sub.Photos[i]
		data = bytes.Clone(b.Get([]byte(name)))
		return nil
	})
	return p, data, err
}

// DeletePhoto removes a photo from a submission, bytes and metadata, in one
// transaction.
//
// Errors: ErrNotFound (no such submission or photo), ErrNotEditable.
func (s *Store) DeletePhoto(id, name, actor string) (Submission, error) {
	var out Submission
	err := s.db.Update(func(tx *bolt.Tx) error {
		cur, err := getSub(tx, id)
		if err != nil {
			return err
		}
		if !cur.Status.Editable() {
			return fmt.Errorf("submission %s is %s: %w", id, cur.Status, ErrNotEditable)
		}
		next := clone(cur)
		i := slices.IndexFunc(next.Photos, func(q Photo) bool { return q.Name == name })
		if i < 0 {
			return fmt.Errorf("submission %s photo %q: %w", id, name, ErrNotFound)
		}
		next.Photos = slices.Delete(next.Photos, i, i+1)
		if b, err := subBucket(tx, id, bPhotos, false); err != nil {
			return err
		} else if b != nil {
			if err := b.Delete([]byte(name)); err != nil {
				return err
			}
		}
		next.Updated = s.now()
		out = next
		return putSub(tx, &cur, next)
	})
	if err != nil {
		return Submission{}, err
	}
	return out, nil
}

// Submissions returns the submissions f selects, newest first.
//
// Errors: ErrInvalid (unknown status in the filter).
func (s *Store) Submissions(f SubmissionFilter) ([]Submission, error) {
	subs, _, err := s.SubmissionPage(f)
	return subs, err
}

// SubmissionPage returns one page of the submissions f selects, newest
// first: f.Offset of them skipped, then at most f.Limit (all when 0); and
// how many f selects in all, as one transaction sees them. Only the
// submissions of the page are read: the others are selected by the
// store's indexes (unless f.Author is set, which needs each submission).
//
// Errors: ErrInvalid (unknown status in the filter).
func (s *Store) SubmissionPage(f SubmissionFilter) ([]Submission, int, error) {
	return s.page(f, nil, false)
}

// SubmissionPageByID is SubmissionPage over ids, in their order (search
// hits, most relevant first): those that no longer exist or that f does
// not select are left out, and do not count in the total.
//
// Errors: ErrInvalid (unknown status in the filter).
func (s *Store) SubmissionPageByID(ids []string, f SubmissionFilter) ([]Submission, int, error) {
	return s.page(f, ids, true)
}

func (s *Store) page(f SubmissionFilter, ids []string, byID bool) ([]Submission, int, error) {
	want := map[Status]bool{}
	for _, st := range f.Statuses {
		if !st.Valid() {
			return nil, 0, fmt.Errorf("unknown status %q: %w", st, ErrInvalid)
		}
		want[st] = true
	}
	var out []Submission
	total := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if !byID {
			ids = candidates(tx, f, want)
		}
		sel := make([]string, 0, len(ids))
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] || (f.Before != "" && id >= f.Before) {
				continue
			}
			seen[id] = true
			ok, err := selects(tx, id, f, want)
			if err != nil {
				return err
			}
			if ok {
				sel = append(sel, id)
			}
		}
		total = len(sel)
		start := min(max(f.Offset, 0), total)
		end := total
		if f.Limit > 0 {
			end = min(start+f.Limit, total)
		}
		out = make([]Submission, 0, end-start)
		for _, id := range sel[start:end] {
			sub, err := getSub(tx, id)
			if err != nil {
				return err
			}
			out = append(out, sub)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// candidates returns the IDs of the submissions that may match f, newest
// first, from the narrowest index: those of f.Office, or of the statuses
// wanted, or all.
func candidates(tx *bolt.Tx, f SubmissionFilter, want map[Status]bool) []string {
	var ids []string
	collect := func(b *bolt.Bucket, prefix []byte) {
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			ids = append(ids, string(k[len(prefix):]))
		}
	}
	switch {
	case f.Office != "":
		collect(tx.Bucket(bSubOffice), append([]byte(f.Office), 0))
	case len(want) > 0:
		for st := range want {
			collect(tx.Bucket(bSubStatus), append([]byte(st), 0))
		}
	default:
		collect(tx.Bucket(bSubs), nil)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	return ids
}

// selects reports whether submission id exists and matches f's office,
// statuses (want) and author. Office and status are read from the
// indexes, which putSub and DeleteDraft keep in step with the
// submissions; only an author filter reads the submission.
func selects(tx *bolt.Tx, id string, f SubmissionFilter, want map[Status]bool) (bool, error) {
	if !hasKey(tx.Bucket(bSubs), []byte(id)) {
		return false, nil
	}
	if f.Office != "" && !hasKey(tx.Bucket(bSubOffice), indexKey(f.Office, id)) {
		return false, nil
	}
	if len(want) > 0 {
		found := false
		for st := range want {
			if hasKey(tx.Bucket(bSubStatus), indexKey(string(st), id)) {
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	if f.Author != "" {
		sub, err := getSub(tx, id)
		if err != nil {
			return false, err
		}
		return sub.Author == f.Author, nil
	}
	return true, nil
}

// hasKey reports whether b holds key. (Index entries have empty values,
// which Bucket.Get cannot tell from missing ones.)
func hasKey(b *bolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return bytes.Equal(k, key)
}

// MonthlyCounts counts submissions per office per month of creation (in
// Options.Location), sorted by month then office. With statuses, only
// submissions now in one of them count (e.g. leave out drafts).
//
// Errors: ErrInvalid (unknown status).
func (s *Store) MonthlyCounts(statuses ...Status) ([]MonthlyCount, error) {
	for _, st := range statuses {
		if !st.Valid() {
			return nil, fmt.Errorf("unknown status %q: %w", st, ErrInvalid)
		}
	}
	type key struct{ office, month string }
	counts := map[key]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bSubs).ForEach(func(_, v []byte) error {
			var sub struct {
				Office  string    `json:"office"`
				Status  Status    `json:"status"`
				Created time.Time `json:"created"`
			}
			if err := jsonUnmarshal(v, &sub); err != nil {
				return err
			}
			if len(statuses) > 0 && !slices.Contains(statuses, sub.Status) {
				return nil
			}
			counts[key{sub.Office, sub.Created.In(s.loc).Format("2006-01")}]++
			return nil
		})
	})
	out := make([]MonthlyCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, MonthlyCount{Office: k.office, Month: k.month, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month < out[j].Month
		}
		return out[i].Office < out[j].Office
	})
	return out, err
}
