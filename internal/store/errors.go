package store

import "errors"

// Sentinel errors. Methods wrap them with context (fmt.Errorf("…: %w", …)),
// so callers test with errors.Is. The server maps them to HTTP statuses:
// ErrNotFound 404, ErrExists and ErrConflict 409, ErrInvalid 400,
// ErrInvalidTransition and ErrNotEditable 409, ErrAuth 401, ErrExpired 401,
// ErrForbidden 403, ErrDisabled 401 (403 at login), ErrLastAdmin 409,
// ErrNotListed 400.
var (
	// ErrLocked: another process (usually banmian serve) holds the data
	// file; Open gave up after Options.Timeout instead of waiting forever.
	ErrLocked = errors.New("the data folder is in use by another banmian process (is banmian serve running?)")
	// ErrSchemaTooNew: the data file was written by a newer banmian whose
	// schema this binary does not know.
	ErrSchemaTooNew = errors.New("the data folder was written by a newer banmian; upgrade banmian")
	// ErrNotFound: no user, session, token, submission, revision, photo or
	// edition with that key.
	ErrNotFound = errors.New("not found")
	// ErrExists: a user with that name, or a submission with that slug,
	// already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalid: a value failed validation (empty title, unknown role,
	// malformed date, password too short, …). The wrapped message says which.
	ErrInvalid = errors.New("invalid")
	// ErrInvalidTransition: the action is not allowed from the
	// submission's (or edition's) current status.
	ErrInvalidTransition = errors.New("invalid status transition")
	// ErrNotEditable: the submission or edition is in a status that no
	// longer accepts changes (rejected, withdrawn, published edition).
	ErrNotEditable = errors.New("not editable in its current status")
	// ErrConflict: an update was based on an older revision than the
	// stored one (see Submission.Rev), or a submission is already placed on
	// another edition.
	ErrConflict = errors.New("changed by someone else")
	// ErrAuth: unknown user name, wrong password or unknown API token. The
	// store never says which, so the server cannot leak it.
	ErrAuth = errors.New("wrong user name or password")
	// ErrExpired: the session existed but has expired.
	ErrExpired = errors.New("session expired")
	// ErrForbidden: the user acting may not make this change (checked in
	// the transaction that makes it), or is disabled.
	ErrForbidden = errors.New("not allowed")
	// ErrDisabled: the account is disabled; it cannot log in, and its
	// sessions and API tokens are refused.
	ErrDisabled = errors.New("account disabled")
	// ErrNotListed: the office is not on the office list (Offices); an
	// editor adds it first. It wraps nothing: the server says which office.
	ErrNotListed = errors.New("office not on the list")
	// ErrLastAdmin: the change would leave no enabled admin.
	ErrLastAdmin = errors.New("the last enabled admin must stay an enabled admin")
)
