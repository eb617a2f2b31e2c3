package watchlist

import (
	"errors"
	"strings"
)

// ErrInvalid is the error every validation failure matches (errors.Is): an
// alert, traveller or party that breaks the contract. The concrete error is
// a *ValidationError naming each failing field.
var ErrInvalid = errors.New("invalid input")

// ErrNotFound means no alert has the requested ID.
var ErrNotFound = errors.New("not found")

// ErrClosed means the engine was closed.
var ErrClosed = errors.New("watchlist closed")

// ErrNotEmpty means Load was given a store that already holds records.
var ErrNotEmpty = errors.New("store is not empty")

// ErrStoreFormat means the store on disk was written in a layout this
// build does not read.
var ErrStoreFormat = errors.New("unsupported store format")

// ErrDuplicate means an alert appears more than once in a bulk load.
var ErrDuplicate = errors.New("duplicate")

// FieldError names one invalid field by its JSON path and says why.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ValidationError lists every invalid field of one input.
type ValidationError struct {
	Fields []FieldError `json:"errors"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes every ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// problems collects field errors while validating.
type problems struct{ list []FieldError }

func (p *problems) add(field, reason string) {
	p.list = append(p.list, FieldError{Field: field, Reason: reason})
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Fields: p.list}
}
