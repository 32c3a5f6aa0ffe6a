package sqlcore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Save stores the exchange as an entry, or, when the source message is
// already an entry, refreshes its text and records the member as a saver (if
// nobody saves it any more) or as a vote.
func (s *Core) Save(ctx context.Context, p repertoire.SaveParams) (repertoire.Entry, repertoire.SaveOutcome, error) {
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
	err := s.tx(ctx, p.Event, func(tx Querier) error {
		if gone, err := s.forgottenWhen(ctx, tx, p.Channel.Platform, p.Author.ID, cmp.Or(p.Posted, at)); err != nil {
			return err
		} else if gone {
			return repertoire.ErrForgotten
		}
		if gone, err := s.forgottenWhen(ctx, tx, p.Channel.Platform, p.QuestionAuthor.ID, cmp.Or(p.QuestionPosted, at)); err != nil {
			return err
		} else if gone {
			p.Question, p.QuestionID, p.QuestionAuthor = "", "", repertoire.Person{}
		}
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
				repertoire.JoinTags(p.Tags), repertoire.JoinTags(p.Terms), at.UnixMilli(), at.UnixMilli()).Scan(&id)
			if err != nil {
				return fmt.Errorf("insert entry: %w", err)
			}
			outcome = repertoire.Created
		case err != nil:
			return err
		default:
			// Refresh the text (it may have been edited while we were not
			// listening) and merge tags; a member's save confirms a detected entry.
			old, err := LoadEntry(ctx, tx, id)
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
			terms := repertoire.JoinTags(p.Terms)
			if terms == "" && question == old.Question && p.Answer == old.Answer {
				terms = repertoire.JoinTags(old.Terms)
			}
			_, err = tx.ExecContext(ctx, `UPDATE entries SET question = ?, answer = ?, tags = ?, terms = ?, status = ?,
				permalink = CASE WHEN ? <> '' THEN ? ELSE permalink END, updated_at = ? WHERE id = ?`,
				question, p.Answer, repertoire.JoinTags(append(old.Tags, p.Tags...)), terms, status, p.Permalink, p.Permalink,
				at.UnixMilli(), id)
			if err != nil {
				return fmt.Errorf("refresh entry: %w", err)
			}
		}
		if gone, err := s.forgottenWhen(ctx, tx, p.Channel.Platform, p.Saver.ID, cmp.Or(p.Acted, at)); err != nil {
			return err
		} else if gone {
			p.Saver = repertoire.Person{} // their save still pending at the forget: the exchange stays, not them
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
		e, err = LoadEntry(ctx, tx, id)
		return err
	})
	if err != nil {
		return repertoire.Entry{}, repertoire.Unchanged, fmt.Errorf("save entry: %w", err)
	}
	return e, outcome, nil
}

func addSaverOrVote(ctx context.Context, tx Querier, id int64, who repertoire.Person, at time.Time) (repertoire.SaveOutcome, error) {
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

// Unsave takes back a member's capture of the source message: their vote, or
// their save. When the last saver leaves, the earliest voter becomes the saver;
// with nobody left, the entry is deleted.
func (s *Core) Unsave(ctx context.Context, event string, src repertoire.Source, userID string) (repertoire.UnsaveOutcome, error) {
	outcome := repertoire.NotSaved
	err := s.tx(ctx, event, func(tx Querier) error {
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
			// An exchange detection kept, which the member's save confirmed,
			// goes back to what it was: detected, unconfirmed.
			var detected bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM detections WHERE entry_id = ? AND action = 'saved')`, id).Scan(&detected); err != nil {
				return err
			}
			if detected {
				outcome = repertoire.Unconfirmed
				_, err = tx.ExecContext(ctx, `UPDATE entries SET status = ? WHERE id = ?`, repertoire.Detected, id)
				return err
			}
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
func (s *Core) Vote(ctx context.Context, event string, entryID int64, userID string) (bool, error) {
	var added bool
	err := s.tx(ctx, event, func(tx Querier) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO votes (entry_id, user_id, voted_at)
			SELECT CAST(?1 AS BIGINT), CAST(?2 AS TEXT), CAST(?3 AS BIGINT) WHERE NOT EXISTS (SELECT 1 FROM savers WHERE entry_id = ?1 AND user_id = ?2)
			ON CONFLICT DO NOTHING`, entryID, userID, s.now().UnixMilli())
		if s.d.Constraint(err) {
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
func (s *Core) Unvote(ctx context.Context, event string, entryID int64, userID string) (bool, error) {
	n, err := s.exec(ctx, event, `DELETE FROM votes WHERE entry_id = ? AND user_id = ?`, entryID, userID)
	if err != nil {
		return false, fmt.Errorf("unvote: %w", err)
	}
	return n > 0, nil
}

// EditSource applies an edit of a platform message to every entry that holds
// its text, as answer or as question, and to the search index. It returns how
// many entries changed.
func (s *Core) EditSource(ctx context.Context, event string, src repertoire.Source, text string, at time.Time) (int, error) {
	text = repertoire.CleanText(text)
	if len(text) > repertoire.MaxTextBytes {
		return 0, fmt.Errorf("edit source: %w", repertoire.ErrTooLong)
	}
	if at.IsZero() {
		at = s.now()
	}
	var n int
	err := s.tx(ctx, event, func(tx Querier) error {
		var err error
		n, err = execEach(ctx, tx, []string{
			`UPDATE entries SET answer = ?, terms = '', updated_at = ? WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ? AND answer <> ?1`,
			`UPDATE entries SET question = ?, terms = '', updated_at = ? WHERE platform = ? AND space = ? AND channel_id = ? AND question_id = ? AND question <> ?1`,
		}, text, at.UnixMilli(), src.Platform, src.Space, src.Channel, src.Message)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("edit source: %w", err)
	}
	return n, nil
}

// DeleteSource applies the deletion of a platform message: an entry whose
// answer it was is deleted; an entry whose question it was keeps its answer
// without the question. It returns how many entries changed.
func (s *Core) DeleteSource(ctx context.Context, event string, src repertoire.Source) (int, error) {
	var n int
	err := s.tx(ctx, event, func(tx Querier) error {
		var err error
		n, err = execEach(ctx, tx, []string{
			`DELETE FROM entries WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ?`,
			`UPDATE entries SET question = '', question_id = '', question_author_id = '', question_author_name = '', terms = ''
				WHERE platform = ? AND space = ? AND channel_id = ? AND question_id = ?`,
			`DELETE FROM open_questions WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`,
		}, src.Platform, src.Space, src.Channel, src.Message)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete source: %w", err)
	}
	return n, nil
}

// WithdrawSource applies an edit that takes a platform message back ("nvm",
// emptied): an entry whose answer it was is deleted, as by DeleteSource; an
// entry whose question it was loses the question's text but keeps its link to
// the message, so an edit that restores the question restores it there too
// (EditSource). It returns how many entries changed.
func (s *Core) WithdrawSource(ctx context.Context, event string, src repertoire.Source) (int, error) {
	var n int
	err := s.tx(ctx, event, func(tx Querier) error {
		var err error
		n, err = execEach(ctx, tx, []string{
			`DELETE FROM entries WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ?`,
			`UPDATE entries SET question = '', terms = ''
				WHERE platform = ? AND space = ? AND channel_id = ? AND question_id = ? AND question <> ''`,
			`DELETE FROM open_questions WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`,
		}, src.Platform, src.Space, src.Channel, src.Message)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("withdraw source: %w", err)
	}
	return n, nil
}

// execEach runs each statement with the same arguments, in order, and
// returns how many rows they changed in all.
func execEach(ctx context.Context, tx Querier, queries []string, args ...any) (int, error) {
	n := 0
	for _, q := range queries {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return n, err
		}
		m, _ := res.RowsAffected()
		n += int(m)
	}
	return n, nil
}

// EntryBySource returns the entry saved from a message.
func (s *Core) EntryBySource(ctx context.Context, src repertoire.Source) (repertoire.Entry, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	defer tx.Rollback()
	id, err := entryIDBySource(ctx, tx, src)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	e, err := LoadEntry(ctx, tx, id)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry by source: %w", err)
	}
	return e, nil
}

// Entry returns one entry by ID.
func (s *Core) Entry(ctx context.Context, id int64) (repertoire.Entry, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	defer tx.Rollback()
	e, err := LoadEntry(ctx, tx, id)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	return e, nil
}

// Entries lists entries, newest first, savers included.
func (s *Core) Entries(ctx context.Context, p repertoire.ListParams) ([]repertoire.Entry, error) {
	if p.Limit <= 0 {
		p.Limit = 100
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+EntryColumns+` FROM entries e
		WHERE (?1 = '' OR platform = ?1) AND (?2 = '' OR channel_id = ?2) AND created_at >= ?3
		ORDER BY created_at DESC, id DESC LIMIT ?4`, p.Platform, p.Channel, p.Since.UnixMilli(), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	var out []repertoire.Entry
	for rows.Next() {
		e, err := ScanEntry(rows)
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
		if out[i].Savers, err = LoadSavers(ctx, tx, out[i].ID); err != nil {
			return nil, fmt.Errorf("list entries: %w", err)
		}
	}
	return out, nil
}

func entryIDBySource(ctx context.Context, q Reader, src repertoire.Source) (int64, error) {
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
