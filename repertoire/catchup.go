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
