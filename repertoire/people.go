package repertoire

import (
	"time"
)

// OpenQuestion is a recall question the repertoire could not answer yet.
type OpenQuestion struct {
	ID        int64
	Channel   Channel
	MessageID string
	Asker     Person
	Text      string
	AskedAt   time.Time
}

// Forgotten counts what ForgetUser removed.
type Forgotten struct {
	Entries       int // entries they authored, deleted
	Questions     int // entries that kept an answer but lost the question they asked
	Saves         int // saver records
	Votes         int
	OpenQuestions int
	Messages      int // messages of theirs in the message log
	Feedback      int // 👍/👎 on recall answers
}
