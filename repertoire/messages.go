package repertoire

import (
	"time"
)

// LoggedMessage is one message of the message log: what the detector reads
// back to assemble a conversation. It is kept only for the retention period.
type LoggedMessage struct {
	Channel   Channel
	ID        string
	Thread    string // the thread's opening message when this is a thread reply
	ReplyTo   string // the message this one explicitly answers, when the platform says
	Author    Person
	Bot       bool
	Text      string
	Permalink string
	At        time.Time
	Reactions []LoggedReaction
}

// LoggedReaction is one member's emoji on a logged message.
type LoggedReaction struct {
	UserID string
	Emoji  string // unicode or shortcode, as the platform gave it
}

// MessageQuery selects logged messages of one channel.
type MessageQuery struct {
	Channel Channel // Platform, Space and ID are used
	Thread  string  // only this thread (its opening message and replies) when not empty
	Since   time.Time
	Limit   int // 200 when zero; the newest are kept
}

// DetectMode is what detection does in a channel.
type DetectMode string

// The detection modes.
const (
	DetectSuggest DetectMode = "suggest" // one quiet reply inviting a 💡 (the default)
	DetectAuto    DetectMode = "auto"    // saved with status detected
	DetectOff     DetectMode = "off"
)

// Valid reports whether m is one of the modes.
func (m DetectMode) Valid() bool { return m == DetectSuggest || m == DetectAuto || m == DetectOff }

// Detection is a decision of the detector about one conversation, with the
// reasons it gave. Reasons name signals, never quote members.
type Detection struct {
	ID           int64
	Channel      Channel
	ThreadID     string // the conversation's opening message: the key that makes a decision once per thread
	QuestionID   string
	AnswerID     string
	AskerID      string
	AnswererID   string
	Kind         Kind
	Score        float64
	Action       string // "suggested" or "saved"
	Reasons      []string
	SuggestionID string // the bot's suggestion post
	EntryID      int64  // the entry saved in auto mode
	At           time.Time
}

// The actions a detection records.
const (
	ActionSuggested = "suggested"
	ActionSaved     = "saved"
)
