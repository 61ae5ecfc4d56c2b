package consult

import (
	"errors"
	"fmt"
)

// Error codes shared by the store and the web layer. The web layer maps
// them to HTTP statuses; the message is fit to show a resident.
const (
	ECONFLICT  = "conflict"  // the thing exists already, or changed underneath
	EINTERNAL  = "internal"  // a fault of ours, never shown in detail
	EINVALID   = "invalid"   // the input breaks a rule
	ENOTFOUND  = "not_found" // no such thing
	ECLOSED    = "closed"    // the consultation accepts no answers
	ESUBMITTED = "submitted" // the response is complete and cannot change
	// EFORBIDDEN: the caller may not do this — a signed-in user's role
	// does not allow it, or a device is not assigned the consultation.
	EFORBIDDEN = "forbidden"
)

// Error is a domain error with a code and a message fit for a resident.
type Error struct {
	Code    string
	Message string
	// Fields names each broken rule's place in the input, for an EINVALID
	// error about several answers or a definition's parts; it may be empty.
	Fields []FieldError
	skip   *SkipError
}

// Unwrap gives the *SkipError of an ESKIPPED error.
func (e *Error) Unwrap() error {
	if e.skip != nil {
		return e.skip
	}
	return nil
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("budgetgrid error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the domain error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the domain error in err's chain, or a
// generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Sorry, there is a problem with the service. Try again later."
}

// ErrorFields returns the field errors of the domain error in err's chain,
// or nil.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
