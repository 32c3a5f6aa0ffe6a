package repertoire

import (
	"time"
)

// CatchUpChannel is a channel the bot heard recently, with how far its
// history has been reconciled after downtime (the core's catch-up).
type CatchUpChannel struct {
	Channel Channel // Platform, Space, ID, and Name and Private as logged
	// DoneAt is when the last complete pass over the channel started; zero
	// when none has.
	DoneAt time.Time
	// PassAt, Cursor and CursorAt describe a pass in progress (PassAt zero
	// when none): it started at PassAt and has read back to the message
	// Cursor, posted at CursorAt.
	PassAt   time.Time
	Cursor   string
	CursorAt time.Time
}

// AnswerFeedback is one recall answer the bot posted in a channel, with the
// members who hold a 👍 (Helpful) or a 👎 (NotIt) on it: what catch-up
// compares the answer's reactions with.
type AnswerFeedback struct {
	MessageID      string
	Helpful, NotIt []string // member IDs, sorted
}
