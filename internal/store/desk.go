package store

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bNotifications holds every user's inbox: user \x00 8-byte sequence →
// Notification. It is created by the first write that needs it, so older
// data files need no migration.
var bNotifications = []byte("notifications")

// NotificationKind says what happened to a submission.
type NotificationKind string

const (
	// For the submitting office: the editor's decisions and publication.
	NoticeReturned  NotificationKind = "returned"
	NoticeAccepted  NotificationKind = "accepted"
	NoticeRejected  NotificationKind = "rejected"
	NoticePublished NotificationKind = "published"
	// For editors: new work in the queue.
	NoticeSubmitted   NotificationKind = "submitted"
	NoticeResubmitted NotificationKind = "resubmitted"
)

// Label is the kind in the user interface.
func (k NotificationKind) Label() string {
	switch k {
	case NoticeReturned:
		return "稿件被退回"
	case NoticeAccepted:
		return "稿件已采用"
	case NoticeRejected:
		return "稿件未采用"
	case NoticePublished:
		return "稿件已见报"
	case NoticeSubmitted:
		return "新投稿"
	case NoticeResubmitted:
		return "修改后重新投稿"
	}
	return string(k)
}

// Notification is one entry of a user's inbox.
type Notification struct {
	ID         string           `json:"id"`
	User       string           `json:"-"`
	Submission string           `json:"submission"`
	Title      string           `json:"title,omitempty"` // the story's title when it happened
	Kind       NotificationKind `json:"kind"`
	Note       string           `json:"note,omitempty"`
	Actor      string           `json:"actor,omitempty"`
	At         time.Time        `json:"at"`
	Read       bool             `json:"read"`
}

// noticeFor is the kind of notification a transition sends, and whether it
// goes to the editors (true) or to the story's author (false).
func noticeFor(from Status, action Action) (NotificationKind, bool, bool) {
	switch action {
	case ActionSubmit:
		if from == StatusReturned {
			return NoticeResubmitted, true, true
		}
		return NoticeSubmitted, true, true
	case ActionReturn:
		return NoticeReturned, false, true
	case ActionAccept:
		return NoticeAccepted, false, true
	case ActionReject:
		return NoticeRejected, false, true
	case ActionPublish:
		return NoticePublished, false, true
	}
	return "", false, false
}

// notify records the notifications a transition of sub sends, inside the
// transaction that made it, and returns them (for mail).
func notify(tx *bolt.Tx, sub Submission, from Status, action Action, actor, note string, at time.Time) ([]Notification, error) {
	kind, toEditors, ok := noticeFor(from, action)
	if !ok {
		return nil, nil
	}
	var to []string
	if toEditors {
		err := tx.Bucket(bUsers).ForEach(func(k, v []byte) error {
			var r userRec
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			if (r.Role == RoleEditor || r.Role == RoleAdmin) && r.Name != actor {
				to = append(to, r.Name)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else if sub.Author != "" && sub.Author != actor {
		to = append(to, sub.Author)
	}
	if len(to) == 0 {
		return nil, nil
	}
	b, err := tx.CreateBucketIfNotExists(bNotifications)
	if err != nil {
		return nil, err
	}
	var out []Notification
	for _, user := range to {
		seq, err := b.NextSequence()
		if err != nil {
			return nil, err
		}
		n := Notification{ID: strconv.FormatUint(seq, 10), User: user, Submission: sub.ID, Title: sub.Title,
			Kind: kind, Note: note, Actor: actor, At: at}
		if err := putJSON(b, noticeKey(user, seq), n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// OnNotify sets fn to be called with the notifications of each committed
// transition (after the commit, outside the transaction), for mail. nil
// removes it. fn must not block for long: it runs on the writer's
// goroutine.
func (s *Store) OnNotify(fn func([]Notification)) {
	if fn == nil {
		s.onNotify.Store(nil)
		return
	}
	s.onNotify.Store(&fn)
}

// notifyAfterCommit hands list to the OnNotify hook once tx commits.
func (s *Store) notifyAfterCommit(tx *bolt.Tx, list []Notification) {
	fn := s.onNotify.Load()
	if fn == nil || len(list) == 0 {
		return
	}
	tx.OnCommit(func() { (*fn)(list) })
}

func noticeKey(user string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(user), 0), seq)
}

// Notifications returns user's inbox, newest first, at most limit entries
// (0 means all), and how many are unread.
//
// Errors: none but a corrupt file.
func (s *Store) Notifications(user string, limit int) ([]Notification, int, error) {
	out := []Notification{}
	unread := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bNotifications)
		if b == nil {
			return nil
		}
		prefix := append([]byte(user), 0)
		c := b.Cursor()
		// Walk the user's range backwards: seek past its end.
		k, v := c.Seek(append([]byte(user), 1))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Prev() {
			var n Notification
			if err := jsonUnmarshal(v, &n); err != nil {
				return err
			}
			n.User = user
			if !n.Read {
				unread++
			}
			if limit == 0 || len(out) < limit {
				out = append(out, n)
			}
		}
		return nil
	})
	return out, unread, err
}

// MarkNotificationRead marks one of user's notifications read; id "all"
// marks every one. A notification of another user is not found.
//
// Errors: ErrNotFound.
func (s *Store) MarkNotificationRead(user, id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bNotifications)
		if id == "all" {
			if b == nil {
				return nil
			}
			prefix := append([]byte(user), 0)
			c := b.Cursor()
			var keys [][]byte
			var vals []Notification
			for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
				var n Notification
				if err := jsonUnmarshal(v, &n); err != nil {
					return err
				}
				if !n.Read {
					n.Read = true
					keys, vals = append(keys, append([]byte(nil), k...)), append(vals, n)
				}
			}
			for i, k := range keys {
				if err := putJSON(b, k, vals[i]); err != nil {
					return err
				}
			}
			return nil
		}
		seq, err := strconv.ParseUint(id, 10, 64)
		if err != nil || b == nil {
			return fmt.Errorf("notification %q: %w", id, ErrNotFound)
		}
		key := noticeKey(user, seq)
		var n Notification
		ok, err := getJSON(b, key, &n)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("notification %q of %s: %w", id, user, ErrNotFound)
		}
		n.Read = true
		return putJSON(b, key, n)
	})
}

// DeleteDraft removes a draft with its revisions, history, notes and
// photos. Only its author may delete it, and only while it is a draft
// (checked in the transaction that deletes it).
//
// Errors: ErrNotFound, ErrForbidden (not the author), ErrNotEditable (no
// longer a draft).
func (s *Store) DeleteDraft(id, actor string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		sub, err := getSub(tx, id)
		if err != nil {
			return err
		}
		if sub.Author != actor {
			return fmt.Errorf("submission %s was written by %s, not %s: %w", id, sub.Author, actor, ErrForbidden)
		}
		if sub.Status != StatusDraft {
			return fmt.Errorf("submission %s is %s, not a draft: %w", id, sub.Status, ErrNotEditable)
		}
		for _, del := range []func() error{
			func() error { return tx.Bucket(bSubStatus).Delete(indexKey(string(sub.Status), sub.ID)) },
			func() error { return tx.Bucket(bSubOffice).Delete(indexKey(sub.Office, sub.ID)) },
			func() error {
				if sub.Slug == "" {
					return nil
				}
				return tx.Bucket(bSlugs).Delete([]byte(sub.Slug))
			},
			func() error {
				if tx.Bucket(bSubData).Bucket([]byte(id)) == nil {
					return nil
				}
				return tx.Bucket(bSubData).DeleteBucket([]byte(id))
			},
			func() error { return tx.Bucket(bSubs).Delete([]byte(id)) },
		} {
			if err := del(); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reopen turns a withdrawn or rejected submission back into a draft. The
// actor must be an editor or admin, or a submitter of the story's office;
// the role is checked in the transaction that reopens it.
//
// Errors: ErrNotFound, ErrForbidden, ErrInvalidTransition (not withdrawn
// or rejected).
func (s *Store) Reopen(id, actor string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		u, err := getUser(tx, actor)
		if err != nil {
			return fmt.Errorf("reopening %s: %w", id, ErrForbidden)
		}
		cur, err := getSub(tx, id)
		if err != nil {
			return err
		}
		if u.Role == RoleSubmitter && (u.Office == "" || u.Office != cur.Office) {
			return fmt.Errorf("%s may not reopen a story of %s: %w", actor, cur.Office, ErrForbidden)
		}
		_, err = s.transition(tx, cur, ActionReopen, actor, "", "")
		return err
	})
}
