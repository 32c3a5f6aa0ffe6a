package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/repertoire/repertoire/repertoire"
	"time"
)

// Kind says what sort of knowledge an entry is.

// The kinds of entries.

// Valid reports whether k is one of the known kinds.

// Status tells a member's save from one the detector proposed.

// The statuses of entries.

// Person is a member as the platform names them.

// Channel is where an entry came from and who may see it.

// Slack workspace, Discord guild; empty for DMs where the platform has none

// private channels and DMs: entries are only recalled there

// Source identifies one platform message.

// Entry is one piece of the shared repertoire.

// the answer message

// the thread's opening message, when the answer is a reply

// credited
// members' tags and the channel's name
// distinctive terms of its text; cleared when the text changes
// members who endorsed it: savers and voters
// Helpful and Unhelpful count the 👍 and 👎 members gave recall answers
// that showed this entry; ranking and digests use them.

// Title is the line an entry is known by: its question, or the first line of its answer.

// AllTags is what an entry is tagged with: members' tags, then its terms.

// SaveParams is what a save knows about the exchange being saved.

// platform delivery ID, applied once; may be empty

// Saved when empty

// distinctive terms derived from the text (see Entry.Terms)
// empty for a detected entry

// SaveOutcome says what a save changed.

// The outcomes of Save.

// the member had already saved or voted
// a new entry
// an entry nobody was saving any more got a saver
// the member endorsed an entry someone else saved

// ErrTooLong means a text is over MaxTextBytes; it was refused, not cut.

// Save stores the exchange as an entry, or, when the source message is
// already an entry, refreshes its text and records the member as a saver (if
// nobody saves it any more) or as a vote.
func (s *Store) Save(ctx context.Context, p repertoire.SaveParams) (repertoire.Entry, repertoire.SaveOutcome, error) {
	if err := p.Validate(); err != nil {
		return repertoire.Entry{}, repertoire.Unchanged, fmt.Errorf("save entry: %w", err)
	}
	at := p.At
	if at.IsZero() {
		at = s.now()
	}
	var (
		e       repertoire.Entry
		outcome = repertoire.Unchanged
	)
	err := s.tx(ctx, p.Event, func(tx *dbTx) error {
		src := repertoire.Source{Platform: p.Channel.Platform, Space: p.Channel.Space, Channel: p.Channel.ID, Message: p.SourceID}
		id, err := entryIDBySource(ctx, tx, src)
		switch {
		case errors.Is(err, repertoire.ErrNotFound):
			err := tx.QueryRowContext(ctx, `INSERT INTO entries (platform, space, channel_id, channel_name, private,
				source_id, thread_id, question_id, permalink, kind, status, question, question_author_id,
				question_author_name, answer, author_id, author_name, tags, terms, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
				p.Channel.Platform, p.Channel.Space, p.Channel.ID, p.Channel.Name, p.Channel.Private,
				p.SourceID, p.ThreadID, p.QuestionID, p.Permalink, p.Kind, p.Status, p.Question,
				p.QuestionAuthor.ID, p.QuestionAuthor.Name, p.Answer, p.Author.ID, p.Author.Name,
				joinTags(p.Tags), joinTags(p.Terms), at.UnixMilli(), at.UnixMilli()).Scan(&id)
			if err != nil {
				return fmt.Errorf("insert entry: %w", err)
			}
			outcome = repertoire.Created
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
				status = repertoire.Saved
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
			if outcome != repertoire.Created {
				outcome = o
			}
		}
		e, err = loadEntry(ctx, tx, id)
		return err
	})
	if err != nil {
		return repertoire.Entry{}, repertoire.Unchanged, fmt.Errorf("save entry: %w", err)
	}
	return e, outcome, nil
}

func addSaverOrVote(ctx context.Context, tx *dbTx, id int64, who repertoire.Person, at time.Time) (repertoire.SaveOutcome, error) {
	var savers, mine int
	err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE user_id = ?) FROM savers WHERE entry_id = ?`,
		who.ID, id).Scan(&savers, &mine)
	if err != nil {
		return repertoire.Unchanged, fmt.Errorf("count savers: %w", err)
	}
	if mine > 0 {
		return repertoire.Unchanged, nil
	}
	if savers == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM votes WHERE entry_id = ? AND user_id = ?`, id, who.ID); err != nil {
			return repertoire.Unchanged, fmt.Errorf("move vote to saver: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO savers (entry_id, user_id, user_name, saved_at) VALUES (?,?,?,?)`,
			id, who.ID, who.Name, at.UnixMilli()); err != nil {
			return repertoire.Unchanged, fmt.Errorf("add saver: %w", err)
		}
		return repertoire.AddedSaver, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO votes (entry_id, user_id, user_name, voted_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`,
		id, who.ID, who.Name, at.UnixMilli())
	if err != nil {
		return repertoire.Unchanged, fmt.Errorf("add vote: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return repertoire.Unchanged, nil
	}
	return repertoire.AddedVote, nil
}

// UnsaveOutcome says what taking back a capture reaction changed.

// The outcomes of Unsave.

// the member neither saved nor voted for it
// their vote is gone
// they no longer save it; a voter took over as saver
// they were the last one: the entry is gone

// Unsave takes back a member's capture of the source message: their vote, or
// their save. When the last saver leaves, the earliest voter becomes the saver;
// with nobody left, the entry is deleted.
func (s *Store) Unsave(ctx context.Context, event string, src repertoire.Source, userID string) (repertoire.UnsaveOutcome, error) {
	outcome := repertoire.NotSaved
	err := s.tx(ctx, event, func(tx *dbTx) error {
		id, err := entryIDBySource(ctx, tx, src)
		if errors.Is(err, repertoire.ErrNotFound) {
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
			outcome = repertoire.RemovedVote
			return nil
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM savers WHERE entry_id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return fmt.Errorf("remove saver: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		outcome = repertoire.RemovedSaver
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
			outcome = repertoire.Deleted
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
		return repertoire.NotSaved, fmt.Errorf("unsave entry: %w", err)
	}
	return outcome, nil
}

// Vote records a member's endorsement of an entry; voting twice counts once,
// and a saver's vote is already counted. It reports whether the vote is new.
func (s *Store) Vote(ctx context.Context, event string, entryID int64, userID string) (bool, error) {
	var added bool
	err := s.tx(ctx, event, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO votes (entry_id, user_id, voted_at)
			SELECT ?1::bigint, ?2::text, ?3::bigint WHERE NOT EXISTS (SELECT 1 FROM savers WHERE entry_id = ?1 AND user_id = ?2)
			ON CONFLICT DO NOTHING`, entryID, userID, s.now().UnixMilli())
		if isConstraint(err) {
			return repertoire.ErrNotFound
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
func (s *Store) EditSource(ctx context.Context, event string, src repertoire.Source, text string, at time.Time) (int, error) {
	text = cleanText(text)
	if len(text) > repertoire.MaxTextBytes {
		return 0, fmt.Errorf("edit source: %w", repertoire.ErrTooLong)
	}
	if at.IsZero() {
		at = s.now()
	}
	var n int
	err := s.tx(ctx, event, func(tx *dbTx) error {
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
func (s *Store) DeleteSource(ctx context.Context, event string, src repertoire.Source) (int, error) {
	var n int
	err := s.tx(ctx, event, func(tx *dbTx) error {
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
func (s *Store) EntryBySource(ctx context.Context, src repertoire.Source) (repertoire.Entry, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	defer tx.Rollback()
	id, err := entryIDBySource(ctx, tx, src)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	e, err := loadEntry(ctx, tx, id)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	return e, nil
}

// Entry returns one entry by ID.
func (s *Store) Entry(ctx context.Context, id int64) (repertoire.Entry, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	defer tx.Rollback()
	e, err := loadEntry(ctx, tx, id)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	return e, nil
}

// ListParams filters Entries.

// all platforms when empty
// all channels when empty

// 100 when zero

// Entries lists entries, newest first, savers included.
func (s *Store) Entries(ctx context.Context, p repertoire.ListParams) ([]repertoire.Entry, error) {
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
	var out []repertoire.Entry
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

func entryIDBySource(ctx context.Context, q querier, src repertoire.Source) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM entries WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ?`,
		src.Platform, src.Space, src.Channel, src.Message).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, repertoire.ErrNotFound
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

func scanEntry(r scanner, extra ...any) (repertoire.Entry, error) {
	var (
		e                repertoire.Entry
		tags, terms      string
		created, updated int64
		kind, status     string
	)
	dest := []any{&e.ID, &e.Channel.Platform, &e.Channel.Space, &e.Channel.ID, &e.Channel.Name, &e.Channel.Private,
		&e.SourceID, &e.ThreadID, &e.QuestionID, &e.Permalink, &kind, &status, &e.Question,
		&e.QuestionAuthor.ID, &e.QuestionAuthor.Name, &e.Answer, &e.Author.ID, &e.Author.Name, &tags,
		&e.Votes, &e.Helpful, &e.Unhelpful, &created, &updated, &terms}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return repertoire.Entry{}, err
	}
	e.Kind, e.Status = repertoire.Kind(kind), repertoire.Status(status)
	e.Tags, e.Terms = splitTags(tags), splitTags(terms)
	e.CreatedAt, e.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return e, nil
}

func loadEntry(ctx context.Context, q querier, id int64) (repertoire.Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM entries e WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return repertoire.Entry{}, repertoire.ErrNotFound
	}
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("load entry: %w", err)
	}
	if e.Savers, err = loadSavers(ctx, q, id); err != nil {
		return repertoire.Entry{}, err
	}
	return e, nil
}

func loadSavers(ctx context.Context, q querier, id int64) ([]repertoire.Person, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id, user_name FROM savers WHERE entry_id = ? ORDER BY saved_at, user_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load savers: %w", err)
	}
	defer rows.Close()
	var out []repertoire.Person
	for rows.Next() {
		var p repertoire.Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, fmt.Errorf("load savers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func cleanText(s string) string     { return repertoire.CleanText(s) }
func joinTags(tags []string) string { return repertoire.JoinTags(tags) }
func splitTags(s string) []string   { return repertoire.SplitTags(s) }
