package repertoire

import (
	"errors"
)

// Errors a caller can test with errors.Is.
var (
	// ErrNotFound means no entry matched.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyApplied means the platform delivery was applied before; nothing changed.
	ErrAlreadyApplied = errors.New("event already applied")
	// ErrInvalid means the input cannot be stored as it is.
	ErrInvalid = errors.New("invalid input")
	// ErrForgotten means the words are a forgotten member's, written
	// before they asked to be forgotten: they are not stored again.
	ErrForgotten = errors.New("the author asked to be forgotten")
)

// MaxTextBytes bounds a stored question or answer; longer text is refused, not cut.
const MaxTextBytes = 64 << 10
