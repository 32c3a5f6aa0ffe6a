package repertoire

import (
	"time"
)

// Quiet says what a channel's digest does when its period brought nothing
// new: a short note, nothing at all, or (empty) whatever the bot's
// configuration says.
type Quiet string

// The quiet-period behaviours.
const (
	QuietDefault Quiet = ""
	QuietNote    Quiet = "note"
	QuietSkip    Quiet = "skip"
)

// Valid reports whether q is a known behaviour.
func (q Quiet) Valid() bool { return q == QuietDefault || q == QuietNote || q == QuietSkip }

// DigestSchedule is a channel's own digest setting, made from chat. The spec
// and zone are stored as given and validated by the caller (the core owns the
// cron grammar); Enabled false means "digest off".
type DigestSchedule struct {
	Channel   Channel
	Spec      string
	Zone      string
	Enabled   bool
	Quiet     Quiet
	UpdatedBy string // member ID
	UpdatedAt time.Time
}

// DigestStatus is where a channel's digest for one period stands.
type DigestStatus string

// The states of a digest record.
const (
	DigestPosting DigestStatus = "posting" // claimed; being posted (or the poster died)
	DigestSent    DigestStatus = "sent"
	DigestSkipped DigestStatus = "skipped" // a quiet period configured to post nothing
	DigestFailed  DigestStatus = "failed"  // posting failed; may be claimed again
)

// DigestRecord is one claimed period of a channel.
type DigestRecord struct {
	Channel      Channel
	Start, End   time.Time
	Status       DigestStatus
	Attempts     int
	ClaimedBy    string
	ClaimedAt    time.Time
	FinishedAt   time.Time
	MessageID    string
	Entries      int
	RediscoverID int64
	Error        string
}

// MaxDigestAttempts bounds how often a failed period is claimed again, so a
// digest that always fails (or panics) does not retry forever.
const MaxDigestAttempts = 3

// DigestClaim is the answer to ClaimDigestLease.
type DigestClaim struct {
	// Claimed: this process may post the period's digest now.
	Claimed bool
	// TakenOver: the period was claimed before by a process that did not
	// finish within the lease (it died, perhaps after posting). Before
	// posting, look for the post it may have made since PrevClaimedAt.
	TakenOver     bool
	PrevClaimedAt time.Time
}

// DigestOutcome is how a claimed period ended.
type DigestOutcome struct {
	Status       DigestStatus // DigestSent, DigestSkipped or DigestFailed
	MessageID    string
	Entries      int
	RediscoverID int64
	Error        string // for DigestFailed: what went wrong, without member text
}

// Contributor is a member who authored or saved entries in a period.
type Contributor struct {
	Person
	Authored int
	Saved    int
}

// DigestData is what a channel's digest is made from: everything the period
// brought, read in one transaction, from that channel only.
type DigestData struct {
	Channel      Channel
	Start, End   time.Time
	Entries      []Entry // the period's best saved entries (votes and feedback, then oldest first), at most the limit
	TotalEntries int
	// Hits counts, per entry of Entries, the recall answers that showed it.
	Hits map[int64]int
	// Detected are the period's entries the detector saved that no member
	// confirmed yet: kept apart, so a digest never passes them off as the
	// community's picks.
	Detected      []Entry
	TotalDetected int
	Contributors  []Contributor // most contributions first
	OpenQuestions []OpenQuestion
	TotalOpen     int
	// OpenSince is the oldest an open question listed may be: questions
	// asked before it have aged out of digests (DigestLimits.OpenFor).
	OpenSince  time.Time
	Rediscover *Entry // an older entry worth another look; nil when there is none
}

// DigestLimits bound a digest's size; zero values take the defaults.
type DigestLimits struct {
	Entries       int // 30
	OpenQuestions int // 10
	Detected      int // 5
	// OpenFor is how long an unanswered question stays on a channel's
	// digests (DefaultOpenFor); a question asked in the period is listed
	// however long the period is.
	OpenFor time.Duration
}

// DefaultOpenFor is how long an open question is listed in digests.
const DefaultOpenFor = 28 * 24 * time.Hour
