package store

import (
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// bOffices holds the office list (供稿单位): office → {"by","created"}. It is
// created on first write, so older data files need no migration; the
// offices of existing users count as listed.
var bOffices = []byte("offices")

// officeRec is an entry of the office list.
type officeRec struct {
	By string `json:"by,omitempty"`
}

// Offices returns the office list: every office added with AddOffice and
// every office a user belongs to, sorted (byte order).
//
// Errors: none but a corrupt file.
func (s *Store) Offices() ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = offices(tx)
		return err
	})
	return out, err
}

func offices(tx *bolt.Tx) ([]string, error) {
	set := map[string]bool{}
	if b := tx.Bucket(bOffices); b != nil {
		b.ForEach(func(k, _ []byte) error {
			set[string(k)] = true
			return nil
		})
	}
	err := tx.Bucket(bUsers).ForEach(func(_, v []byte) error {
		var r userRec
		if err := jsonUnmarshal(v, &r); err != nil {
			return err
		}
		if r.Office != "" {
			set[r.Office] = true
		}
		return nil
	})
	out := make([]string, 0, len(set))
	for o := range set {
		out = append(out, o)
	}
	slices.Sort(out)
	return out, err
}

// AddOffice puts office on the list on behalf of by (an editor, an admin,
// or Operator). Adding a listed office again is not an error.
//
// Errors: ErrForbidden, ErrInvalid (empty, too long, control characters).
func (s *Store) AddOffice(by, office string) error {
	office = strings.TrimSpace(office)
	if office == "" {
		return fmt.Errorf("office is empty: %w", ErrInvalid)
	}
	if err := validateOffice(office); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := checkActor(tx, by, RoleEditor, RoleAdmin); err != nil {
			return err
		}
		return putOffice(tx, by, office)
	})
}

func putOffice(tx *bolt.Tx, by, office string) error {
	b, err := tx.CreateBucketIfNotExists(bOffices)
	if err != nil {
		return err
	}
	if b.Get([]byte(office)) != nil {
		return nil
	}
	return putJSON(b, []byte(office), officeRec{By: by})
}

// RemoveOffice takes office off the list on behalf of by (an editor, an
// admin, or Operator). Submissions keep the office they were sent with.
//
// Errors: ErrForbidden, ErrNotFound (not listed), ErrConflict (a user
// still belongs to it).
func (s *Store) RemoveOffice(by, office string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := checkActor(tx, by, RoleEditor, RoleAdmin); err != nil {
			return err
		}
		var user string
		err := tx.Bucket(bUsers).ForEach(func(_, v []byte) error {
			var r userRec
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			if r.Office == office && user == "" {
				user = r.Name
			}
			return nil
		})
		if err != nil {
			return err
		}
		if user != "" {
			return fmt.Errorf("office %q: user %q belongs to it: %w", office, user, ErrConflict)
		}
		b := tx.Bucket(bOffices)
		if b == nil || b.Get([]byte(office)) == nil {
			return fmt.Errorf("office %q: %w", office, ErrNotFound)
		}
		return b.Delete([]byte(office))
	})
}

// useOffice checks that a user given office by by may have it: an admin
// picks from the list; the Operator's new office joins the list.
func (s *Store) useOffice(tx *bolt.Tx, by, office string) error {
	if office == "" {
		return nil
	}
	if by == Operator {
		return putOffice(tx, by, office)
	}
	list, err := offices(tx)
	if err != nil {
		return err
	}
	if !slices.Contains(list, office) {
		return fmt.Errorf("office %q is not on the office list: %w", office, ErrNotListed)
	}
	return nil
}
