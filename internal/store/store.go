package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/banmian/banmian/internal/content"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/crypto/bcrypt"
)

// FileName is the data file inside a data folder.
const FileName = "banmian.db"

// DataFile returns the path of the data file in data folder dir.
func DataFile(dir string) string { return filepath.Join(dir, FileName) }

// DefaultTimeout is how long Open waits for another process to release the
// data file when Options.Timeout is zero.
const DefaultTimeout = time.Second

// Options configure Open. The zero value is ready for production use.
type Options struct {
	// Timeout is how long Open waits for the file lock another process
	// holds before failing with ErrLocked; zero means DefaultTimeout.
	Timeout time.Duration
	// ReadOnly opens the file with a shared lock; every write fails. Several
	// read-only opens may coexist, but not with a writer.
	ReadOnly bool
	// Now is the clock (session expiry, timestamps); nil means time.Now.
	Now func() time.Time
	// BcryptCost is the cost of new password hashes; zero means
	// bcrypt.DefaultCost. Tests use bcrypt.MinCost.
	BcryptCost int
	// Location is the time zone months are counted in (MonthlyCounts);
	// nil means China Standard Time (UTC+8).
	Location *time.Location
	// NoSync skips fsync after each commit. For tests only: a crash may
	// then lose or corrupt data.
	NoSync bool
}

// Store is the editorial database. It is safe for concurrent use by
// multiple goroutines.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time
	cost int
	loc  *time.Location

	dummyHash func() []byte // a hash to compare against for unknown users

	onNotify atomic.Pointer[func([]Notification)] // see OnNotify
}

// cst is the newsroom's time zone (the house rule in content).
var cst = content.Newsroom

// Open opens (creating if needed, with its folder) the data file at path and
// migrates it to the current schema in one transaction.
//
// Errors: ErrLocked when another process holds the file for longer than
// Options.Timeout; ErrSchemaTooNew when a newer banmian wrote it; otherwise
// the underlying file system or bbolt error, wrapped with the path.
func Open(path string, opts Options) (*Store, error) {
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	db, err := openBolt(path, opts.Timeout, opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	db.NoSync = opts.NoSync
	s := &Store{db: db, path: path, now: opts.Now, cost: opts.BcryptCost, loc: opts.Location}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cost == 0 {
		s.cost = bcrypt.DefaultCost
	}
	if s.loc == nil {
		s.loc = cst
	}
	s.dummyHash = sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("banmian-dummy-password"), s.cost)
		return h
	})
	if err := s.migrate(opts.ReadOnly); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

func openBolt(path string, timeout time.Duration, readOnly bool) (*bolt.DB, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Close releases the file and its lock. Transactions in progress finish
// first.
func (s *Store) Close() error { return s.db.Close() }

// Path is the data file's path.
func (s *Store) Path() string { return s.path }

// Backup writes a consistent copy of the whole data file to w, even while
// other goroutines write, and returns the bytes written. The copy is a
// valid data file: Open reads it.
//
// Errors: those of w, wrapped.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// BackupFile writes a consistent copy of the data file at path to w without
// running migrations, opening it read-only (a shared lock). It fails with
// ErrLocked when a writer (banmian serve) holds the file: then back up
// through the server, which calls Store.Backup.
//
// Errors: ErrLocked, os errors for a missing file, those of w.
func BackupFile(path string, w io.Writer, timeout time.Duration) (int64, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	db, err := openBolt(path, timeout, true)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.View(func(tx *bolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", path, err)
	}
	return n, nil
}

// Bucket names. Per-submission data lives in a nested bucket per ID under
// bSubData, holding bRevs, bEvents, bNotes and bPhotos.
var (
	bMeta      = []byte("meta")
	bUsers     = []byte("users")
	bTokens    = []byte("tokens")
	bSessions  = []byte("sessions")
	bSubs      = []byte("submissions")
	bSubStatus = []byte("submissions_by_status") // status \x00 id → ""
	bSubOffice = []byte("submissions_by_office") // office \x00 id → ""
	bSlugs     = []byte("slugs")                 // slug → id
	bSubData   = []byte("submission_data")
	bEditions  = []byte("editions")

	bRevs   = []byte("revisions")
	bEvents = []byte("events")
	bNotes  = []byte("notes")
	bPhotos = []byte("photos")

	kSchema = []byte("schema")
)

// migration moves the data file from schema version `to`-1 to `to`.
type migration struct {
	to   int
	desc string
	run  func(tx *bolt.Tx) error
}

// migrations is every schema change, in order. Append only: never edit or
// reorder a released migration.
var migrations = []migration{
	{1, "create buckets", func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bUsers, bTokens, bSessions, bSubs, bSubStatus, bSubOffice, bSlugs, bSubData, bEditions} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	}},
}

// SchemaVersion is the schema this binary writes.
var SchemaVersion = migrations[len(migrations)-1].to

func (s *Store) migrate(readOnly bool) error {
	var cur int
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		cur, err = schemaOf(tx)
		return err
	})
	if err != nil {
		return err
	}
	if cur > SchemaVersion {
		return fmt.Errorf("schema version %d, this banmian knows up to %d: %w", cur, SchemaVersion, ErrSchemaTooNew)
	}
	if cur == SchemaVersion {
		return nil
	}
	if readOnly {
		return fmt.Errorf("schema version %d needs migrating to %d; open it once read-write", cur, SchemaVersion)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		for _, m := range migrations {
			if m.to <= cur {
				continue
			}
			if err := m.run(tx); err != nil {
				return fmt.Errorf("migrate to schema %d (%s): %w", m.to, m.desc, err)
			}
		}
		return meta.Put(kSchema, []byte(strconv.Itoa(SchemaVersion)))
	})
}

func schemaOf(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(kSchema)
	if v == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, fmt.Errorf("corrupt schema version %q", v)
	}
	return n, nil
}

// Schema returns the schema version recorded in the data file.
func (s *Store) Schema() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = schemaOf(tx)
		return err
	})
	return n, err
}

// getJSON decodes the value at key into v; false when there is none.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("decode %s/%s: %w", b, key, err)
	}
	return true, nil
}

// jsonUnmarshal decodes a stored value.
func jsonUnmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode stored %T: %w", v, err)
	}
	return nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// seqKey is a big-endian key for numbered records (revisions, events,
// notes), so they sort by number.
func seqKey(n int) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(n))
}

// appendSeq stores v under the next number in b and returns the number;
// setN sets the number on v before it is encoded.
func appendSeq(b *bolt.Bucket, setN func(int), v any) (int, error) {
	k, _ := b.Cursor().Last()
	n := 1
	if k != nil {
		n = int(binary.BigEndian.Uint32(k)) + 1
	}
	setN(n)
	return n, putJSON(b, seqKey(n), v)
}

// listSeq decodes every value in b, in number order, with decode.
func listSeq(b *bolt.Bucket, decode func([]byte) error) error {
	return b.ForEach(func(_, v []byte) error { return decode(v) })
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never returns an error (crypto/rand, Go 1.24+)
	return b
}

// newID returns a submission ID greater than every key in b: 12 hex digits
// of Unix milliseconds and 8 random hex digits. Writers are serialised by
// bbolt, so checking the last key inside the transaction is enough.
func newID(b *bolt.Bucket, now time.Time) string {
	ms := uint64(now.UnixMilli())
	r := binary.BigEndian.Uint32(randomBytes(4))
	if last, _ := b.Cursor().Last(); len(last) == 20 {
		lb, err := hex.DecodeString(string(last))
		if err == nil {
			lms := uint64(lb[0])<<40 | uint64(lb[1])<<32 | uint64(binary.BigEndian.Uint32(lb[2:6]))
			lr := binary.BigEndian.Uint32(lb[6:10])
			if ms < lms || (ms == lms && r <= lr) {
				ms, r = lms, lr+1
				if r == 0 { // wrapped
					ms++
				}
			}
		}
	}
	return fmt.Sprintf("%012x%08x", ms&(1<<48-1), r)
}

// indexKey joins index parts with NUL.
func indexKey(parts ...string) []byte {
	var buf bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			buf.WriteByte(0)
		}
		buf.WriteString(p)
	}
	return buf.Bytes()
}
