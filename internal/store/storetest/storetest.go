// Package storetest helps tests that need a store: a fresh one in a
// temporary folder, fast password hashing, and a clock the test moves.
package storetest

import (
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/banmian/banmian/internal/store"
)

// Clock is a settable clock for store.Options.Now. It is safe for concurrent
// use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// MustOpen opens a store in a new temporary folder with bcrypt.MinCost and
// no fsync, and closes it when the test ends (failing the test if Close
// fails). opts may set Now, Location or BcryptCost (MinCost when zero);
// NoSync is always on.
func MustOpen(tb testing.TB, opts ...store.Options) *store.Store {
	tb.Helper()
	var o store.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.BcryptCost == 0 {
		o.BcryptCost = bcrypt.MinCost
	}
	o.NoSync = true
	s, err := store.Open(store.DataFile(tb.TempDir()), o)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// MustCreateUser adds a user with password Password and fails the test
// on error.
func MustCreateUser(tb testing.TB, s *store.Store, name string, role store.Role, office string) store.User {
	tb.Helper()
	u, err := s.CreateUser(store.User{Name: name, Role: role, Office: office}, Password)
	if err != nil {
		tb.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// Password is the password MustCreateUser gives every user.
const Password = "newsroom-lamp-42"
