package repertoire

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what sort of knowledge an entry is.
type Kind string

// The kinds of entries.
const (
	Tip      Kind = "tip"
	Solution Kind = "solution"
	Story    Kind = "story"
	HowWeDo  Kind = "how-we-do"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case Tip, Solution, Story, HowWeDo:
		return true
	}
	return false
}

// Status tells a member's save from one the detector proposed.
type Status string

// The statuses of entries.
const (
	Saved    Status = "saved"
	Detected Status = "detected"
)

// Person is a member as the platform names them.
type Person struct {
	ID   string
	Name string
}

// Channel is where an entry came from and who may see it.
type Channel struct {
	Platform string
	Space    string // Slack workspace, Discord guild; empty for DMs where the platform has none
	ID       string
	Name     string
	Private  bool // private channels and DMs: entries are only recalled there
}

// Source identifies one platform message.
type Source struct {
	Platform string
	Space    string
	Channel  string
	Message  string
}

// Entry is one piece of the shared repertoire.
type Entry struct {
	ID             int64
	Channel        Channel
	SourceID       string // the answer message
	ThreadID       string
	QuestionID     string // the thread's opening message, when the answer is a reply
	Permalink      string
	Kind           Kind
	Status         Status
	Question       string
	QuestionAuthor Person
	Answer         string
	Author         Person   // credited
	Tags           []string // members' tags and the channel's name
	Terms          []string // distinctive terms of its text; cleared when the text changes
	Votes          int      // members who endorsed it: savers and voters
	// Helpful and Unhelpful count the 👍 and 👎 members gave recall answers
	// that showed this entry; ranking and digests use them.
	Helpful, Unhelpful int
	Savers             []Person
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Title is the line an entry is known by: its question, or the first line of its answer.
func (e Entry) Title() string {
	t := e.Question
	if strings.TrimSpace(t) == "" {
		t = e.Answer
	}
	t, _, _ = strings.Cut(strings.TrimSpace(t), "\n")
	return truncateRunes(t, 120)
}

// AllTags is what an entry is tagged with: members' tags, then its terms.
func (e Entry) AllTags() []string {
	return SplitTags(JoinTags(append(append([]string(nil), e.Tags...), e.Terms...)))
}

// SaveParams is what a save knows about the exchange being saved.
type SaveParams struct {
	Event          string // platform delivery ID, applied once; may be empty
	Channel        Channel
	SourceID       string
	ThreadID       string
	QuestionID     string
	Permalink      string
	Kind           Kind
	Status         Status // Saved when empty
	Question       string
	QuestionAuthor Person
	Answer         string
	Author         Person
	Tags           []string
	Terms          []string // distinctive terms derived from the text (see Entry.Terms)
	Saver          Person   // empty for a detected entry
	At             time.Time
	// Acted is when the saver acted (reacted, asked to save) as far as
	// known (zero: At). A saver who asked to be forgotten at or after it is
	// not recorded, as if the forget had come after the save: their
	// reaction was still pending when they asked, or catch-up found it
	// later. The exchange is saved all the same.
	Acted time.Time
	// Posted and QuestionPosted are when the answer and the question were
	// posted (zero: not known, taken as At): what a member wrote before
	// they asked to be forgotten is not saved again (ErrForgotten; a
	// forgotten question's text is left out).
	Posted, QuestionPosted time.Time
}

// SaveOutcome says what a save changed.
type SaveOutcome int

// The outcomes of Save.
const (
	Unchanged  SaveOutcome = iota // the member had already saved or voted
	Created                       // a new entry
	AddedSaver                    // an entry nobody was saving any more got a saver
	AddedVote                     // the member endorsed an entry someone else saved
)

func (o SaveOutcome) String() string {
	return [...]string{"unchanged", "created", "added saver", "added vote"}[o]
}

func (p *SaveParams) Validate() error {
	if p.Channel.Platform == "" || p.Channel.ID == "" || p.SourceID == "" {
		return fmt.Errorf("%w: source needs platform, channel and message", ErrInvalid)
	}
	if p.Status == "" {
		p.Status = Saved
	}
	if !p.Kind.Valid() {
		return fmt.Errorf("%w: unknown kind %q", ErrInvalid, p.Kind)
	}
	if p.Author.ID == "" {
		return fmt.Errorf("%w: an entry needs a credited author", ErrInvalid)
	}
	p.Question = CleanText(p.Question)
	p.Answer = CleanText(p.Answer)
	if strings.TrimSpace(p.Answer) == "" {
		return fmt.Errorf("%w: nothing to save in an empty message", ErrInvalid)
	}
	if len(p.Question) > MaxTextBytes || len(p.Answer) > MaxTextBytes {
		return fmt.Errorf("%w: text longer than %d KiB", ErrTooLong, MaxTextBytes>>10)
	}
	return nil
}

// ErrTooLong means a text is over MaxTextBytes; it was refused, not cut.
var ErrTooLong = fmt.Errorf("%w: too long", ErrInvalid)

// UnsaveOutcome says what taking back a capture reaction changed.
type UnsaveOutcome int

// The outcomes of Unsave.
const (
	NotSaved     UnsaveOutcome = iota // the member neither saved nor voted for it
	RemovedVote                       // their vote is gone
	RemovedSaver                      // they no longer save it; a voter took over as saver
	Deleted                           // they were the last one: the entry is gone
	// Unconfirmed: they were the last one of an entry detection kept before
	// their save confirmed it: it stays, detected again (unconfirmed).
	Unconfirmed
)

// ListParams filters Entries.
type ListParams struct {
	Platform string // all platforms when empty
	Channel  string // all channels when empty
	Since    time.Time
	Limit    int // 100 when zero
}

// CleanText makes text safe to store: valid UTF-8 without NUL bytes.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// JoinTags normalises tags to lower case without '#', deduplicated in order.
func JoinTags(tags []string) string {
	seen := make(map[string]bool, len(tags))
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimLeft(strings.TrimSpace(CleanText(t)), "#"))
		t = strings.Join(strings.Fields(t), "-")
		if t == "" || seen[t] || len(t) > 64 {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

func SplitTags(s string) []string { return strings.Fields(s) }
