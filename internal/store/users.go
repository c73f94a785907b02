package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/banmian/banmian/internal/content"
	"golang.org/x/crypto/bcrypt"
)

// userRec is a user as stored, with the password hash.
type userRec struct {
	User
	Hash []byte `json:"hash"`
}

// sessionRec is a session as stored, under the SHA-256 of its ID.
type sessionRec = Session

// Operator is the actor name of the person at the server's console: the
// banmian CLI, which holds the data file (or talks to the server over its
// owner-only socket). Methods that take an actor let the operator do
// everything an admin may.
const Operator = ""

// ValidateName checks a user name: 1 to 32 letters (Chinese included),
// digits, '.', '_' or '-'.
//
// Errors: ErrInvalid.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("user name is empty: %w", ErrInvalid)
	}
	if utf8.RuneCountInString(name) > 32 {
		return fmt.Errorf("user name %q is longer than 32 characters: %w", name, ErrInvalid)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-", r) {
			return fmt.Errorf("user name %q contains %q; use letters, digits, '.', '_' or '-': %w", name, r, ErrInvalid)
		}
	}
	return nil
}

func validateRole(role Role, office string) error {
	if !role.Valid() {
		return fmt.Errorf("unknown role %q (want submitter, editor or admin): %w", role, ErrInvalid)
	}
	if role == RoleSubmitter && strings.TrimSpace(office) == "" {
		return fmt.Errorf("a submitter needs an office (e.g. 长征镇): %w", ErrInvalid)
	}
	return validateOffice(office)
}

func validateOffice(office string) error {
	if office != "" && content.OnlyDotsOrSlashes(office) {
		return fmt.Errorf("office %q is made only of dots or slashes: %w", office, ErrInvalid)
	}
	if utf8.RuneCountInString(office) > 32 {
		return fmt.Errorf("office %q is longer than 32 characters: %w", office, ErrInvalid)
	}
	for _, r := range office {
		if unicode.IsControl(r) || r == 0 {
			return fmt.Errorf("office %q contains a control character: %w", office, ErrInvalid)
		}
	}
	return nil
}

func (s *Store) hash(name, pw string) ([]byte, error) {
	if err := ValidatePassword(name, pw); err != nil {
		return nil, err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.cost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// checkActor checks, inside the transaction that makes the change, that
// actor by (Operator, or an enabled user) has one of roles.
func checkActor(tx *bolt.Tx, by string, roles ...Role) error {
	if by == Operator {
		return nil
	}
	r, err := getUser(tx, by)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%q is not a user: %w", by, ErrForbidden)
	}
	if err != nil {
		return err
	}
	if r.Disabled {
		return fmt.Errorf("%q is disabled: %w", by, ErrForbidden)
	}
	for _, role := range roles {
		if r.Role == role {
			return nil
		}
	}
	return fmt.Errorf("%q (%s) may not do this: %w", by, r.Role, ErrForbidden)
}

// CreateUser adds a user as the Operator; see CreateUserAs.
func (s *Store) CreateUser(u User, password string) (User, error) {
	return s.CreateUserAs(Operator, u, password)
}

// CreateUserAs adds a user with a bcrypt hash of password on behalf of by
// (an admin, or Operator) and returns it with Created set. The office is
// trimmed. An admin may only give a submitter an office on the office list
// (Offices); the Operator's new office joins the list.
//
// Errors: ErrForbidden (by is not an enabled admin), ErrInvalid (name,
// role, office; *PasswordError for the password), ErrExists.
func (s *Store) CreateUserAs(by string, u User, password string) (User, error) {
	u.Office = strings.TrimSpace(u.Office)
	u.Disabled = false
	if err := ValidateName(u.Name); err != nil {
		return User{}, err
	}
	if err := validateRole(u.Role, u.Office); err != nil {
		return User{}, err
	}
	// Hash outside the transaction: bcrypt is slow on purpose.
	h, err := s.hash(u.Name, password)
	if err != nil {
		return User{}, err
	}
	u.Created = s.now()
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := checkActor(tx, by, RoleAdmin); err != nil {
			return err
		}
		b := tx.Bucket(bUsers)
		if b.Get([]byte(u.Name)) != nil {
			return fmt.Errorf("user %q: %w", u.Name, ErrExists)
		}
		if err := s.useOffice(tx, by, u.Office); err != nil {
			return err
		}
		return putJSON(b, []byte(u.Name), userRec{User: u, Hash: h})
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// CreateFirstAdmin adds the first user, an admin, only while there are no
// users at all (the first-run setup page); the check and the write are one
// transaction, so two browsers cannot both create one.
//
// Errors: ErrExists (there are users already), ErrInvalid (name;
// *PasswordError).
func (s *Store) CreateFirstAdmin(name, password string) (User, error) {
	if err := ValidateName(name); err != nil {
		return User{}, err
	}
	h, err := s.hash(name, password)
	if err != nil {
		return User{}, err
	}
	u := User{Name: name, Role: RoleAdmin, Created: s.now()}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bUsers)
		if k, _ := b.Cursor().First(); k != nil {
			return fmt.Errorf("there are users already: %w", ErrExists)
		}
		return putJSON(b, []byte(u.Name), userRec{User: u, Hash: h})
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func getUser(tx *bolt.Tx, name string) (userRec, error) {
	var r userRec
	ok, err := getJSON(tx.Bucket(bUsers), []byte(name), &r)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return r, nil
}

// User returns the user called name.
//
// Errors: ErrNotFound.
func (s *Store) User(name string) (User, error) {
	var u User
	err := s.db.View(func(tx *bolt.Tx) error {
		r, err := getUser(tx, name)
		u = r.User
		return err
	})
	return u, err
}

// Users returns every user, sorted by name (byte order), disabled ones
// included.
//
// Errors: none but a corrupt file.
func (s *Store) Users() ([]User, error) {
	var out []User
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bUsers).ForEach(func(_, v []byte) error {
			var r userRec
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r.User)
			return nil
		})
	})
	return out, err
}

// UserCount returns the number of users (the server offers the first-run
// setup when it is zero).
//
// Errors: none but a corrupt file.
func (s *Store) UserCount() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bUsers).Stats().KeyN
		return nil
	})
	return n, err
}

// UserChange is a change to an account; nil fields stay as they are.
type UserChange struct {
	Disabled *bool   `json:"disabled,omitempty"`
	Role     *Role   `json:"role,omitempty"`
	Office   *string `json:"office,omitempty"`
	Password *string `json:"password,omitempty"`
}

// ChangeUser applies ch to the user called name on behalf of by (an admin,
// or Operator), in one transaction with the role check. Disabling a user
// or setting their password ends their sessions; a disabled user cannot
// log in and their API tokens are refused until they are enabled again.
// Users are never deleted, so that history stays attributable. The last
// enabled admin cannot be disabled or lose the role. An admin may only
// give a submitter an office on the office list.
//
// Errors: ErrForbidden, ErrNotFound, ErrInvalid (role, office, last admin;
// *PasswordError for the password).
func (s *Store) ChangeUser(by, name string, ch UserChange) (User, error) {
	var h []byte
	if ch.Password != nil {
		var err error
		if h, err = s.hash(name, *ch.Password); err != nil {
			return User{}, err
		}
	}
	var u User
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := checkActor(tx, by, RoleAdmin); err != nil {
			return err
		}
		r, err := getUser(tx, name)
		if err != nil {
			return err
		}
		wasAdmin := r.Role == RoleAdmin && !r.Disabled
		if ch.Role != nil {
			r.Role = *ch.Role
		}
		if ch.Office != nil {
			r.Office = strings.TrimSpace(*ch.Office)
		}
		if ch.Disabled != nil {
			r.Disabled = *ch.Disabled
		}
		if err := validateRole(r.Role, r.Office); err != nil {
			return err
		}
		if ch.Office != nil || ch.Role != nil {
			if err := s.useOffice(tx, by, r.Office); err != nil {
				return err
			}
		}
		if wasAdmin && (r.Role != RoleAdmin || r.Disabled) {
			n, err := enabledAdmins(tx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return fmt.Errorf("%q is the last enabled admin: %w", name, ErrLastAdmin)
			}
		}
		if h != nil {
			r.Hash = h
		}
		if err := putJSON(tx.Bucket(bUsers), []byte(name), r); err != nil {
			return err
		}
		u = r.User
		if h != nil || r.Disabled {
			_, err = deleteSessionsOf(tx, name)
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func enabledAdmins(tx *bolt.Tx) (int, error) {
	n := 0
	err := tx.Bucket(bUsers).ForEach(func(_, v []byte) error {
		var r userRec
		if err := jsonUnmarshal(v, &r); err != nil {
			return err
		}
		if r.Role == RoleAdmin && !r.Disabled {
			n++
		}
		return nil
	})
	return n, err
}

// UpdateUser changes a user's role and office as the Operator.
//
// Errors: ErrNotFound, ErrInvalid.
func (s *Store) UpdateUser(name string, role Role, office string) (User, error) {
	return s.ChangeUser(Operator, name, UserChange{Role: &role, Office: &office})
}

// SetPassword replaces a user's password as the Operator and ends all
// their sessions, in one transaction. API tokens stay valid.
//
// Errors: ErrNotFound, ErrInvalid (*PasswordError).
func (s *Store) SetPassword(name, password string) error {
	_, err := s.ChangeUser(Operator, name, UserChange{Password: &password})
	return err
}

// ChangeOwnPassword replaces the password of user name after checking
// their current one, and ends their other sessions (keep, when not "", is
// the session to keep).
//
// Errors: ErrAuth (wrong current password), ErrDisabled, ErrInvalid
// (*PasswordError).
func (s *Store) ChangeOwnPassword(name, current, password, keep string) error {
	if _, err := s.Authenticate(name, current); err != nil {
		return err
	}
	h, err := s.hash(name, password)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		r, err := getUser(tx, name)
		if err != nil {
			return err
		}
		if r.Disabled {
			return fmt.Errorf("user %q: %w", name, ErrDisabled)
		}
		r.Hash = h
		if err := putJSON(tx.Bucket(bUsers), []byte(name), r); err != nil {
			return err
		}
		var keepKey []byte
		if keep != "" {
			keepKey = sessionKey(keep)
		}
		b := tx.Bucket(bSessions)
		var del [][]byte
		err = b.ForEach(func(k, v []byte) error {
			var sess sessionRec
			if err := jsonUnmarshal(v, &sess); err != nil {
				return err
			}
			if sess.User == name && !bytes.Equal(k, keepKey) {
				del = append(del, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range del {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Authenticate checks a user name and password and returns the user.
//
// Errors: ErrAuth for an unknown name or a wrong password alike;
// ErrDisabled for the right password of a disabled user.
func (s *Store) Authenticate(name, password string) (User, error) {
	var r userRec
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = getUser(tx, name)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		// Spend as long as for a wrong password, so timing does not tell
		// which names exist.
		bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return User{}, ErrAuth
	}
	if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword(r.Hash, []byte(password)) != nil {
		return User{}, ErrAuth
	}
	if r.Disabled {
		// Said only to whoever knows the password.
		return User{}, fmt.Errorf("user %q: %w", name, ErrDisabled)
	}
	return r.User, nil
}

// tokenPrefix marks banmian API tokens so they are recognisable in logs and
// secret scanners.
const tokenPrefix = "bm_"

func tokenKey(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// CreateToken creates an API token for user as the Operator; see
// CreateTokenAs.
func (s *Store) CreateToken(user, label string) (secret string, t Token, err error) {
	return s.CreateTokenAs(Operator, user, label)
}

// CreateTokenAs creates an API token for user on behalf of by (an admin,
// or Operator) and returns its secret, which is shown once: the store
// keeps only its SHA-256. Clients send it as "Authorization: Bearer
// <secret>".
//
// Errors: ErrForbidden, ErrNotFound (no such user), ErrInvalid (label
// longer than 100 characters).
func (s *Store) CreateTokenAs(by, user, label string) (secret string, t Token, err error) {
	label = strings.TrimSpace(label)
	if utf8.RuneCountInString(label) > 100 {
		return "", Token{}, fmt.Errorf("token label is longer than 100 characters: %w", ErrInvalid)
	}
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	key := tokenKey(secret)
	t = Token{ID: hex.EncodeToString(key)[:12], User: user, Label: label, Created: s.now()}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := checkActor(tx, by, RoleAdmin); err != nil {
			return err
		}
		if _, err := getUser(tx, user); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bTokens), key, t)
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// UserByToken returns the user an API token secret belongs to, and the
// token.
//
// Errors: ErrAuth (unknown token, or its user is gone), ErrDisabled (its
// user is disabled).
func (s *Store) UserByToken(secret string) (User, Token, error) {
	var u User
	var t Token
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bTokens), tokenKey(secret), &t)
		if err != nil {
			return err
		}
		if !ok {
			return ErrAuth
		}
		r, err := getUser(tx, t.User)
		if errors.Is(err, ErrNotFound) {
			return ErrAuth
		}
		if err == nil && r.Disabled {
			return fmt.Errorf("user %q: %w", t.User, ErrDisabled)
		}
		u = r.User
		return err
	})
	if err != nil {
		return User{}, Token{}, err
	}
	return u, t, nil
}

// Tokens returns the API tokens of user (every user's when user is ""),
// oldest first.
//
// Errors: none but a corrupt file.
func (s *Store) Tokens(user string) ([]Token, error) {
	var out []Token
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bTokens).ForEach(func(_, v []byte) error {
			var t Token
			if err := jsonUnmarshal(v, &t); err != nil {
				return err
			}
			if user == "" || t.User == user {
				out = append(out, t)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// RevokeToken deletes the API token with the given ID (Token.ID) as the
// Operator; see RevokeTokenAs.
func (s *Store) RevokeToken(id string) error { return s.RevokeTokenAs(Operator, id) }

// RevokeTokenAs deletes the API token with the given ID (Token.ID) on
// behalf of by (an admin, or Operator); the next request with it fails.
//
// Errors: ErrForbidden, ErrNotFound.
func (s *Store) RevokeTokenAs(by, id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := checkActor(tx, by, RoleAdmin); err != nil {
			return err
		}
		found := false
		err := deleteWhere(tx.Bucket(bTokens), func(v []byte) (bool, error) {
			var t Token
			err := jsonUnmarshal(v, &t)
			if t.ID == id {
				found = true
			}
			return t.ID == id, err
		})
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("token %q: %w", id, ErrNotFound)
		}
		return nil
	})
}

func sessionKey(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	return sum[:]
}

// CreateSession starts a session for user lasting ttl, with a fresh random
// ID and CSRF token.
//
// Errors: ErrNotFound (no such user), ErrDisabled, ErrInvalid (ttl not
// positive).
func (s *Store) CreateSession(user string, ttl time.Duration) (Session, error) {
	if ttl <= 0 {
		return Session{}, fmt.Errorf("session lifetime %v: %w", ttl, ErrInvalid)
	}
	now := s.now()
	sess := Session{
		ID:      base64.RawURLEncoding.EncodeToString(randomBytes(32)),
		User:    user,
		CSRF:    base64.RawURLEncoding.EncodeToString(randomBytes(32)),
		Created: now,
		Expires: now.Add(ttl),
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := getUser(tx, user)
		if err != nil {
			return err
		}
		if r.Disabled {
			return fmt.Errorf("user %q: %w", user, ErrDisabled)
		}
		return putJSON(tx.Bucket(bSessions), sessionKey(sess.ID), sess)
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Session returns the live session with id and its user.
//
// Errors: ErrNotFound (unknown or deleted, or its user is gone),
// ErrExpired (past Expires; PurgeSessions removes it later), ErrDisabled
// (its user is disabled).
func (s *Store) Session(id string) (Session, User, error) {
	var sess Session
	var u User
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bSessions), sessionKey(id), &sess)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("session: %w", ErrNotFound)
		}
		if !s.now().Before(sess.Expires) {
			return ErrExpired
		}
		r, err := getUser(tx, sess.User)
		if err == nil && r.Disabled {
			return fmt.Errorf("user %q: %w", sess.User, ErrDisabled)
		}
		u = r.User
		return err
	})
	if err != nil {
		return Session{}, User{}, err
	}
	sess.ID = id
	return sess, u, nil
}

// DeleteSession ends a session (logout). Deleting an unknown session is not
// an error, so logging out twice is harmless.
//
// Errors: none but a failing disk.
func (s *Store) DeleteSession(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bSessions).Delete(sessionKey(id))
	})
}

// DeleteSessions ends every session of user and returns how many there were.
//
// Errors: none but a failing disk.
func (s *Store) DeleteSessions(user string) (int, error) {
	var n int
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = deleteSessionsOf(tx, user)
		return err
	})
	return n, err
}

// PurgeSessions deletes expired sessions and returns how many it deleted.
// The server calls it now and then.
//
// Errors: none but a failing disk.
func (s *Store) PurgeSessions() (int, error) {
	now := s.now()
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		return deleteWhere(tx.Bucket(bSessions), func(v []byte) (bool, error) {
			var sess sessionRec
			err := jsonUnmarshal(v, &sess)
			del := err == nil && !now.Before(sess.Expires)
			if del {
				n++
			}
			return del, err
		})
	})
	return n, err
}

func deleteSessionsOf(tx *bolt.Tx, user string) (int, error) {
	n := 0
	err := deleteWhere(tx.Bucket(bSessions), func(v []byte) (bool, error) {
		var sess sessionRec
		err := jsonUnmarshal(v, &sess)
		if sess.User == user {
			n++
		}
		return sess.User == user, err
	})
	return n, err
}

// deleteWhere deletes the entries of b whose value pred selects.
func deleteWhere(b *bolt.Bucket, pred func(v []byte) (bool, error)) error {
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		del, err := pred(v)
		if err != nil {
			return err
		}
		if del {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
