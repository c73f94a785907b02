package store

import (
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"
)

func TestSchemaTooNew(t *testing.T) {
	t.Parallel()
	path := DataFile(t.TempDir())
	s, err := Open(path, Options{NoSync: true, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kSchema, []byte("99")) })
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestMigrationsAreOrdered(t *testing.T) {
	t.Parallel()
	for i, m := range migrations {
		if m.to != i+1 {
			t.Errorf("migration %d goes to %d, want %d", i, m.to, i+1)
		}
	}
}
