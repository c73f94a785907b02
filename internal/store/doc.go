// Package store is banmian's editorial database: users, API tokens,
// sessions, submissions with their revisions, history, notes and photos, and
// editions being built. It is the only package that imports bbolt; the rest
// of banmian sees plain Go values and the sentinel errors in errors.go.
//
// # Files
//
// Everything lives in one bbolt file, DataFile(dir) = dir/banmian.db,
// photo bytes included (so one backup holds everything and a photo is
// never out of step with its submission). Values are stored as JSON.
//
// # Guarantees
//
//   - One writer process. bbolt locks the file exclusively; Open waits at
//     most Options.Timeout (1s by default) and then fails with an error
//     wrapping ErrLocked, never hanging. Read-only opens share the lock
//     with each other but not with a writer.
//   - Safe for concurrent use by many goroutines. Reads run in parallel
//     and see a consistent snapshot; writes are serialised.
//   - Atomic and durable. Every method that changes anything does so in
//     exactly one bbolt transaction, fsynced before it returns (unless
//     Options.NoSync): a crash leaves either all of the change or none of
//     it. Compound changes are single methods for this reason: placing a
//     story on an edition schedules it (PutEdition), publishing an edition
//     publishes its stories (PublishEdition), changing a password ends
//     the user's sessions (SetPassword).
//   - Values returned are copies: callers may modify them freely, and
//     nothing returned aliases bbolt's memory map.
//   - Workflow integrity. A submission's status changes only through the
//     transition table (Next), by Transition or the edition methods; every
//     change is recorded as an Event (who, when, from, to, note), and every
//     save that changes its text is kept as a numbered Revision.
//   - Schema versions. The file records its schema version; Open applies
//     pending migrations in one transaction, and refuses files from a newer
//     banmian with ErrSchemaTooNew.
//   - Hot backup. Backup writes a consistent copy while other goroutines
//     keep writing; the copy opens with Open.
//   - Secrets. Passwords are kept as bcrypt hashes; API tokens and session
//     IDs only as SHA-256 digests, so a stolen copy of the file does not
//     log anyone in. CSRF tokens are stored as is (they are useless without
//     the session ID).
//
// # Caveats
//
// The store checks data and workflow; of permissions it checks only who
// may change accounts, API tokens and the office list (the methods taking
// an actor, by), inside the transaction that writes. Whether a submitter
// may see or change a submission is the server's decision. Users are never
// deleted: ChangeUser disables them, so history stays attributable. Times are
// stored in the zone the clock (Options.Now) returns; months for
// MonthlyCounts are taken in Options.Location (China Standard Time by
// default). Long-running read transactions are not exposed, so callers
// cannot block bbolt's file growth.
package store
