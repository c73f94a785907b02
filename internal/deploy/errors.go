package deploy

import (
	"errors"
	"fmt"
)

// Kinds of deploy failure, for errors.Is.
var (
	// ErrConfig: the target is missing or its URL is malformed.
	ErrConfig = errors.New("bad deploy target")
	// ErrCredentials: no credentials, or the target refused them.
	ErrCredentials = errors.New("bad credentials")
	// ErrNoBucket: the bucket does not exist.
	ErrNoBucket = errors.New("no such bucket")
	// ErrTooManyDeletes: the deploy would delete more than MaxDeletes
	// files; nothing was changed.
	ErrTooManyDeletes = errors.New("too many deletes")
	// ErrNoSite: the built site folder is missing or empty.
	ErrNoSite = errors.New("no built site")
)

// Error is a deploy failure explained in Chinese (for the desk) and
// English, with its kind and cause.
type Error struct {
	Kind error  // one of the Err… sentinels, or nil for other failures
	Zh   string // for people: what went wrong and what to do
	En   string
	Err  error // the cause, may be nil
}

func (e *Error) Error() string {
	s := e.Zh + " / " + e.En
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	var l []error
	if e.Kind != nil {
		l = append(l, e.Kind)
	}
	if e.Err != nil {
		l = append(l, e.Err)
	}
	return l
}

func newError(kind, cause error, zh, en string, args ...any) *Error {
	return &Error{Kind: kind, Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...), Err: cause}
}

// plainError is an error with no kind, its messages given whole.
func plainError(cause error, zh, en string) *Error { return &Error{Zh: zh, En: en, Err: cause} }

// Reason is err in Chinese for the desk: the Chinese half of an *Error,
// or a generic sentence for anything else (the log has the cause).
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Zh
	}
	return "部署出错，详情见服务器日志"
}
