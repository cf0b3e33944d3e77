// Package gonogo holds the domain of the release board: releases, their
// checklists, the roles that sign them off and the rules that decide whether
// a release may enter production. It is pure Go with no I/O, so every rule
// can be tested as a plain function of plain values.
package gonogo

import (
	"errors"
	"fmt"
)

// Error codes. Handlers map each to an HTTP status in one table.
const (
	EINVALID      = "invalid"      // the input breaks a rule; the message says which
	ENOTFOUND     = "not_found"    // no such thing
	ECONFLICT     = "conflict"     // the thing exists already, or its state forbids the change
	EFORBIDDEN    = "forbidden"    // the actor may not do this
	EUNAUTHORIZED = "unauthorized" // the actor is not known
	ETOOMANY      = "too_many"     // slow down
	EINTERNAL     = "internal"     // our fault; details go to the log, not the user
)

// Error is the one error type of the domain. Message is written for people;
// Fields, when set, names the form fields at fault so a form can show each
// message beside its field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	Details []string // the reasons behind a refusal, e.g. what blocks the gate
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
// The message is a sentence: its first letter is a capital when the format
// starts with our own words, and left as typed when it starts with a value.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(sentence(format), args...)}
}

// FieldErrorf returns an EINVALID error that belongs to one form field.
func FieldErrorf(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(sentence(format), args...)
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not ours
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of err meant for people. Internal errors
// say only "internal error" so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the per-field messages of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects field errors while validating a whole form, so the user
// sees every mistake at once rather than one per submit.
type Problems map[string]string

// Add records msg for field unless the field already has a message. As
// with Errorf, the format's own first word gets a capital.
func (p Problems) Add(field, format string, args ...any) {
	if _, ok := p[field]; !ok {
		p[field] = fmt.Sprintf(sentence(format), args...)
	}
}

// Err returns nil when there are no problems, or an EINVALID error carrying them.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	msg := "Please correct the highlighted fields"
	if len(p) == 1 {
		for _, m := range p {
			msg = m
		}
	}
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string(p)}
}

// ErrorDetails returns the reasons behind err, if it carries any.
func ErrorDetails(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}
