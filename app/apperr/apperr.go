// Package apperr holds the error kinds every domain package returns, so that
// the web layer can map them to HTTP statuses in one place.
package apperr

import (
	"errors"
	"slices"
	"sort"
	"strings"
)

// Sentinel errors; domain errors wrap them.
var (
	// ErrNotFound means the object does not exist (or its existence is private).
	ErrNotFound = errors.New("not found")
	// ErrForbidden means the acting user may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict means the change clashes with existing data, such as a taken phone number.
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated means the request needs a logged-in user.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrTooMany means a rate limit or lockout refused the request.
	ErrTooMany = errors.New("too many requests")
	// ErrUnavailable means a backing service (object storage, say) is down for now.
	ErrUnavailable = errors.New("service unavailable")
)

// ValidationError carries user-facing messages (Simplified Chinese) per form field.
// The empty field name holds messages about the form as a whole.
type ValidationError struct {
	Fields map[string]string
}

// Invalid returns a ValidationError with one message for field.
func Invalid(field, msg string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Add records msg for field, keeping the first message given for a field.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Err returns e when it holds any message, else nil.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			parts = append(parts, e.Fields[k])
			continue
		}
		parts = append(parts, k+": "+e.Fields[k])
	}
	return strings.Join(parts, "; ")
}

// Message is what a page shows of e: its messages, without the field
// names (which are for code and logs), each once, in field order.
func (e *ValidationError) Message() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if m := e.Fields[k]; !slices.Contains(parts, m) {
			parts = append(parts, m)
		}
	}
	return strings.Join(parts, "；")
}

// AsValidation returns the ValidationError inside err, if any.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}

// Public is an error whose message is written for the user (in Chinese)
// and safe to show; Kind is the sentinel it unwraps to.
type Public struct {
	Kind error
	Msg  string
}

// New returns a Public error of the given kind.
func New(kind error, msg string) error { return &Public{Kind: kind, Msg: msg} }

func (e *Public) Error() string { return e.Msg }

// Unwrap returns the sentinel kind.
func (e *Public) Unwrap() error { return e.Kind }

// UserMessage returns the message of the first Public error in err's chain,
// or "" when there is none.
func UserMessage(err error) string {
	var p *Public
	if errors.As(err, &p) {
		return p.Msg
	}
	return ""
}
