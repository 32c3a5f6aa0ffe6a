package repertoire

import (
	"context"
	"database/sql"
	"errors"
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
	return splitTags(joinTags(append(append([]string(nil), e.Tags...), e.Terms...)))
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

func (p *SaveParams) validate() error {
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
	p.Question = cleanText(p.Question)
	p.Answer = cleanText(p.Answer)
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

// Save stores the exchange as an entry, or, when the source message is
// already an entry, refreshes its text and records the member as a saver (if
// nobody saves it any more) or as a vote.
func (s *Store) Save(ctx context.Context, p SaveParams) (Entry, SaveOutcome, error) {
	if err := p.validate(); err != nil {
		return Entry{}, Unchanged, fmt.Errorf("save entry: %w", err)
	}
	at := p.At
	if at.IsZero() {
		at = s.now()
	}
	var (
		e       Entry
		outcome = Unchanged
	)
	err := s.tx(ctx, p.Event, func(tx *sql.Tx) error {
		src := Source{p.Channel.Platform, p.Channel.Space, p.Channel.ID, p.SourceID}
		id, err := entryIDBySource(ctx, tx, src)
		switch {
		case errors.Is(err, ErrNotFound):
			res, err := tx.ExecContext(ctx, `INSERT INTO entries (platform, space, channel_id, channel_name, private,
				source_id, thread_id, question_id, permalink, kind, status, question, question_author_id,
				question_author_name, answer, author_id, author_name, tags, terms, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				p.Channel.Platform, p.Channel.Space, p.Channel.ID, p.Channel.Name, p.Channel.Private,
				p.SourceID, p.ThreadID, p.QuestionID, p.Permalink, p.Kind, p.Status, p.Question,
				p.QuestionAuthor.ID, p.QuestionAuthor.Name, p.Answer, p.Author.ID, p.Author.Name,
				joinTags(p.Tags), joinTags(p.Terms), at.UnixMilli(), at.UnixMilli())
			if err != nil {
				return fmt.Errorf("insert entry: %w", err)
			}
			if id, err = res.LastInsertId(); err != nil {
				return err
			}
			outcome = Created
		case err != nil:
			return err
		default:
			// Refresh the text (it may have been edited while we were not
			// listening) and merge tags; a member's save confirms a detected entry.
			old, err := loadEntry(ctx, tx, id)
			if err != nil {
				return err
			}
			status := old.Status
			if p.Saver.ID != "" {
				status = Saved
			}
			question := p.Question
			if question == "" {
				question = old.Question
			}
			terms := joinTags(p.Terms)
			if terms == "" && question == old.Question && p.Answer == old.Answer {
				terms = joinTags(old.Terms)
			}
			_, err = tx.ExecContext(ctx, `UPDATE entries SET question = ?, answer = ?, tags = ?, terms = ?, status = ?,
				permalink = CASE WHEN ? <> '' THEN ? ELSE permalink END, updated_at = ? WHERE id = ?`,
				question, p.Answer, joinTags(append(old.Tags, p.Tags...)), terms, status, p.Permalink, p.Permalink,
				at.UnixMilli(), id)
			if err != nil {
				return fmt.Errorf("refresh entry: %w", err)
			}
		}
		if p.Saver.ID != "" {
			o, err := addSaverOrVote(ctx, tx, id, p.Saver, at)
			if err != nil {
				return err
			}
			if outcome != Created {
				outcome = o
			}
		}
		e, err = loadEntry(ctx, tx, id)
		return err
	})
	if err != nil {
		return Entry{}, Unchanged, fmt.Errorf("save entry: %w", err)
	}
	return e, outcome, nil
}

func addSaverOrVote(ctx context.Context, tx *sql.Tx, id int64, who Person, at time.Time) (SaveOutcome, error) {
	var savers, mine int
	err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE user_id = ?) FROM savers WHERE entry_id = ?`,
		who.ID, id).Scan(&savers, &mine)
	if err != nil {
		return Unchanged, fmt.Errorf("count savers: %w", err)
	}
	if mine > 0 {
		return Unchanged, nil
	}
	if savers == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM votes WHERE entry_id = ? AND user_id = ?`, id, who.ID); err != nil {
			return Unchanged, fmt.Errorf("move vote to saver: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO savers (entry_id, user_id, user_name, saved_at) VALUES (?,?,?,?)`,
			id, who.ID, who.Name, at.UnixMilli()); err != nil {
			return Unchanged, fmt.Errorf("add saver: %w", err)
		}
		return AddedSaver, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO votes (entry_id, user_id, user_name, voted_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`,
		id, who.ID, who.Name, at.UnixMilli())
	if err != nil {
		return Unchanged, fmt.Errorf("add vote: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Unchanged, nil
	}
	return AddedVote, nil
}

// UnsaveOutcome says what taking back a capture reaction changed.
type UnsaveOutcome int

// The outcomes of Unsave.
const (
	NotSaved     UnsaveOutcome = iota // the member neither saved nor voted for it
	RemovedVote                       // their vote is gone
	RemovedSaver                      // they no longer save it; a voter took over as saver
	Deleted                           // they were the last one: the entry is gone
)

// Unsave takes back a member's capture of the source message: their vote, or
// their save. When the last saver leaves, the earliest voter becomes the saver;
// with nobody left, the entry is deleted.
func (s *Store) Unsave(ctx context.Context, event string, src Source, userID string) (UnsaveOutcome, error) {
	outcome := NotSaved
	err := s.tx(ctx, event, func(tx *sql.Tx) error {
		id, err := entryIDBySource(ctx, tx, src)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM votes WHERE entry_id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return fmt.Errorf("remove vote: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			outcome = RemovedVote
			return nil
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM savers WHERE entry_id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return fmt.Errorf("remove saver: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		outcome = RemovedSaver
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM savers WHERE entry_id = ?`, id).Scan(&left); err != nil {
			return err
		}
		if left > 0 {
			return nil
		}
		var voter, name string
		var at int64
		err = tx.QueryRowContext(ctx, `SELECT user_id, user_name, voted_at FROM votes WHERE entry_id = ? ORDER BY voted_at, user_id LIMIT 1`, id).Scan(&voter, &name, &at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			outcome = Deleted
			_, err = tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, id)
			return err
		case err != nil:
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM votes WHERE entry_id = ? AND user_id = ?`, id, voter); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO savers (entry_id, user_id, user_name, saved_at) VALUES (?,?,?,?)`, id, voter, name, at)
		return err
	})
	if err != nil {
		return NotSaved, fmt.Errorf("unsave entry: %w", err)
	}
	return outcome, nil
}

// Vote records a member's endorsement of an entry; voting twice counts once,
// and a saver's vote is already counted. It reports whether the vote is new.
func (s *Store) Vote(ctx context.Context, event string, entryID int64, userID string) (bool, error) {
	var added bool
	err := s.tx(ctx, event, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO votes (entry_id, user_id, voted_at)
			SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM savers WHERE entry_id = ?1 AND user_id = ?2)
			ON CONFLICT DO NOTHING`, entryID, userID, s.now().UnixMilli())
		if isConstraint(err) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		added = n > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("vote: %w", err)
	}
	return added, nil
}

// Unvote takes a member's vote back. It reports whether there was one.
func (s *Store) Unvote(ctx context.Context, event string, entryID int64, userID string) (bool, error) {
	n, err := s.exec(ctx, event, `DELETE FROM votes WHERE entry_id = ? AND user_id = ?`, entryID, userID)
	if err != nil {
		return false, fmt.Errorf("unvote: %w", err)
	}
	return n > 0, nil
}

// EditSource applies an edit of a platform message to every entry that holds
// its text, as answer or as question, and to the search index. It returns how
// many entries changed.
func (s *Store) EditSource(ctx context.Context, event string, src Source, text string, at time.Time) (int, error) {
	text = cleanText(text)
	if len(text) > MaxTextBytes {
		return 0, fmt.Errorf("edit source: %w", ErrTooLong)
	}
	if at.IsZero() {
		at = s.now()
	}
	var n int
	err := s.tx(ctx, event, func(tx *sql.Tx) error {
		for _, q := range []string{
			`UPDATE entries SET answer = ?, terms = '', updated_at = ? WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ? AND answer <> ?1`,
			`UPDATE entries SET question = ?, terms = '', updated_at = ? WHERE platform = ? AND space = ? AND channel_id = ? AND question_id = ? AND question <> ?1`,
		} {
			res, err := tx.ExecContext(ctx, q, text, at.UnixMilli(), src.Platform, src.Space, src.Channel, src.Message)
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n += int(m)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("edit source: %w", err)
	}
	return n, nil
}

// DeleteSource applies the deletion of a platform message: an entry whose
// answer it was is deleted; an entry whose question it was keeps its answer
// without the question. It returns how many entries changed.
func (s *Store) DeleteSource(ctx context.Context, event string, src Source) (int, error) {
	var n int
	err := s.tx(ctx, event, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM entries WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ?`,
			`UPDATE entries SET question = '', question_id = '', question_author_id = '', question_author_name = '', terms = ''
				WHERE platform = ? AND space = ? AND channel_id = ? AND question_id = ?`,
			`DELETE FROM open_questions WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`,
		} {
			res, err := tx.ExecContext(ctx, q, src.Platform, src.Space, src.Channel, src.Message)
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n += int(m)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete source: %w", err)
	}
	return n, nil
}

// EntryBySource returns the entry saved from a message.
func (s *Store) EntryBySource(ctx context.Context, src Source) (Entry, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	defer tx.Rollback()
	id, err := entryIDBySource(ctx, tx, src)
	if err != nil {
		return Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	e, err := loadEntry(ctx, tx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	return e, nil
}

// Entry returns one entry by ID.
func (s *Store) Entry(ctx context.Context, id int64) (Entry, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	defer tx.Rollback()
	e, err := loadEntry(ctx, tx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	return e, nil
}

// ListParams filters Entries.
type ListParams struct {
	Platform string // all platforms when empty
	Channel  string // all channels when empty
	Since    time.Time
	Limit    int // 100 when zero
}

// Entries lists entries, newest first, savers included.
func (s *Store) Entries(ctx context.Context, p ListParams) ([]Entry, error) {
	if p.Limit <= 0 {
		p.Limit = 100
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e
		WHERE (?1 = '' OR platform = ?1) AND (?2 = '' OR channel_id = ?2) AND created_at >= ?3
		ORDER BY created_at DESC, id DESC LIMIT ?4`, p.Platform, p.Channel, p.Since.UnixMilli(), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list entries: %w", err)
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	for i := range out {
		if out[i].Savers, err = loadSavers(ctx, tx, out[i].ID); err != nil {
			return nil, fmt.Errorf("list entries: %w", err)
		}
	}
	return out, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func entryIDBySource(ctx context.Context, q querier, src Source) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM entries WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ?`,
		src.Platform, src.Space, src.Channel, src.Message).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find entry by source: %w", err)
	}
	return id, nil
}

const entryColumns = `e.id, e.platform, e.space, e.channel_id, e.channel_name, e.private, e.source_id, e.thread_id,
	e.question_id, e.permalink, e.kind, e.status, e.question, e.question_author_id, e.question_author_name,
	e.answer, e.author_id, e.author_name, e.tags, e.votes, e.helpful, e.unhelpful, e.created_at, e.updated_at, e.terms`

type scanner interface{ Scan(dest ...any) error }

func scanEntry(r scanner, extra ...any) (Entry, error) {
	var (
		e                Entry
		tags, terms      string
		created, updated int64
		kind, status     string
	)
	dest := []any{&e.ID, &e.Channel.Platform, &e.Channel.Space, &e.Channel.ID, &e.Channel.Name, &e.Channel.Private,
		&e.SourceID, &e.ThreadID, &e.QuestionID, &e.Permalink, &kind, &status, &e.Question,
		&e.QuestionAuthor.ID, &e.QuestionAuthor.Name, &e.Answer, &e.Author.ID, &e.Author.Name, &tags,
		&e.Votes, &e.Helpful, &e.Unhelpful, &created, &updated, &terms}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return Entry{}, err
	}
	e.Kind, e.Status = Kind(kind), Status(status)
	e.Tags, e.Terms = splitTags(tags), splitTags(terms)
	e.CreatedAt, e.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return e, nil
}

func loadEntry(ctx context.Context, q querier, id int64) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM entries e WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("load entry: %w", err)
	}
	if e.Savers, err = loadSavers(ctx, q, id); err != nil {
		return Entry{}, err
	}
	return e, nil
}

func loadSavers(ctx context.Context, q querier, id int64) ([]Person, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id, user_name FROM savers WHERE entry_id = ? ORDER BY saved_at, user_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load savers: %w", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, fmt.Errorf("load savers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// cleanText makes text safe to store: valid UTF-8 without NUL bytes.
func cleanText(s string) string {
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

// joinTags normalises tags to lower case without '#', deduplicated in order.
func joinTags(tags []string) string {
	seen := make(map[string]bool, len(tags))
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimLeft(strings.TrimSpace(cleanText(t)), "#"))
		t = strings.Join(strings.Fields(t), "-")
		if t == "" || seen[t] || len(t) > 64 {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

func splitTags(s string) []string { return strings.Fields(s) }
