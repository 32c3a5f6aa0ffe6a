package repertoire

import (
	"fmt"
	"strings"
	"time"
)

// Endorsement is a member's save or vote with the time they gave it.
type Endorsement struct {
	Person
	At time.Time
}

// Record is an entry complete with who saved and voted for it and when: what
// a bulk import writes and an export reads, so that an export imported into
// an empty store and exported again is the same.
type Record struct {
	Channel        Channel
	SourceID       string
	ThreadID       string
	QuestionID     string
	Permalink      string
	Kind           Kind
	Status         Status
	Question       string
	QuestionAuthor Person
	Answer         string
	Author         Person
	Tags           []string
	Savers         []Endorsement
	Voters         []Endorsement // endorsements by members who are not savers
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Validate reports why r cannot be stored, with the same rules as Save, so an
// importer can check a whole archive before writing any of it.
func (r *Record) Validate() error {
	if r.Channel.Platform == "" || r.Channel.ID == "" || r.SourceID == "" {
		return fmt.Errorf("%w: source needs platform, channel and message", ErrInvalid)
	}
	if r.Status == "" {
		r.Status = Saved
	}
	if r.Status != Saved && r.Status != Detected {
		return fmt.Errorf("%w: unknown status %q", ErrInvalid, r.Status)
	}
	if !r.Kind.Valid() {
		return fmt.Errorf("%w: unknown kind %q", ErrInvalid, r.Kind)
	}
	if r.Author.ID == "" {
		return fmt.Errorf("%w: an entry needs a credited author", ErrInvalid)
	}
	r.Question, r.Answer = CleanText(r.Question), CleanText(r.Answer)
	if strings.TrimSpace(r.Answer) == "" {
		return fmt.Errorf("%w: nothing to save in an empty message", ErrInvalid)
	}
	if len(r.Question) > MaxTextBytes || len(r.Answer) > MaxTextBytes {
		return fmt.Errorf("%w: text longer than %d KiB", ErrTooLong, MaxTextBytes>>10)
	}
	if r.CreatedAt.IsZero() {
		return fmt.Errorf("%w: an entry needs its creation time", ErrInvalid)
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	for _, e := range append(append([]Endorsement(nil), r.Savers...), r.Voters...) {
		if e.ID == "" || e.At.IsZero() {
			return fmt.Errorf("%w: a saver or voter needs an ID and a time", ErrInvalid)
		}
	}
	return nil
}

// Validate reports why q cannot be stored.
func (q OpenQuestion) Validate() error {
	switch {
	case q.Channel.Platform == "" || q.Channel.ID == "" || q.Asker.ID == "":
		return fmt.Errorf("%w: an open question needs platform, channel and asker", ErrInvalid)
	case strings.TrimSpace(q.Text) == "":
		return fmt.Errorf("%w: an open question needs its text", ErrInvalid)
	case len(q.Text) > MaxTextBytes:
		return fmt.Errorf("%w: open question", ErrTooLong)
	case q.AskedAt.IsZero():
		return fmt.Errorf("%w: an open question needs the time it was asked", ErrInvalid)
	}
	return nil
}

// Batch is a unit of an import written at once: its records and the unit's
// name, recorded as finished in the same transaction.
type Batch struct {
	Import        string // identity of the import (a hash of the export)
	Unit          string // the file or batch inside it; empty records nothing
	Records       []Record
	OpenQuestions []OpenQuestion // added unless the same question is there already
}

// BatchResult counts what a batch changed.
type BatchResult struct {
	Created   int // new entries
	Updated   int // entries that existed and changed (text, savers or votes)
	Unchanged int // entries that existed as they are
	Forgotten int // records and open questions left out: their author asked to be forgotten after writing them

	OpenQuestions int // open questions added
}

// Add sums r into b.
func (b *BatchResult) Add(r BatchResult) {
	b.Created += r.Created
	b.Updated += r.Updated
	b.Unchanged += r.Unchanged
	b.Forgotten += r.Forgotten
	b.OpenQuestions += r.OpenQuestions
}

// ExportParams selects what Export reads.
type ExportParams struct {
	Platform string // all when empty
	Channel  string // all when empty
	// Private includes entries of private channels and DMs. Without it an
	// export holds only what any channel may see.
	Private bool
}
