package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// RecordRecall remembers which entries a recall answer (the bot's posted
// message msg) showed, in order, so that 👍 or 👎 on that message becomes
// feedback on them. Recording the same message again changes nothing.
func (s *Core) RecordRecall(ctx context.Context, msg repertoire.Source, entryIDs []int64) error {
	if msg.Message == "" || len(entryIDs) == 0 {
		return nil
	}
	err := s.tx(ctx, "", func(tx Querier) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO recall_answers (platform, space, channel_id, message_id, posted_at)
			VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING id`, msg.Platform, msg.Space, msg.Channel, msg.Message, s.now().UnixMilli()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		for i, e := range entryIDs {
			// An entry deleted meanwhile is skipped, not an error.
			if _, err := tx.ExecContext(ctx, `INSERT INTO recall_answer_entries (answer_id, entry_id, position)
				SELECT CAST(? AS BIGINT), id, CAST(? AS INTEGER) FROM entries WHERE id = ? ON CONFLICT DO NOTHING`, id, i+1, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record recall answer: %w", err)
	}
	return nil
}

// Feedback records a member's 👍 (helpful) or 👎 on a recall answer. It
// returns ErrNotFound when msg is not a recall answer (a thumbs-up anywhere
// else is none of recall's business) and reports whether the feedback is new.
func (s *Core) Feedback(ctx context.Context, event string, msg repertoire.Source, userID string, helpful bool, acted time.Time) (bool, error) {
	return s.feedback(ctx, event, msg, userID, helpful, true, acted)
}

// Unfeedback takes a member's 👍 or 👎 back. Like Feedback, ErrNotFound when
// msg is not a recall answer; it reports whether there was such feedback.
func (s *Core) Unfeedback(ctx context.Context, event string, msg repertoire.Source, userID string, helpful bool) (bool, error) {
	return s.feedback(ctx, event, msg, userID, helpful, false, time.Time{})
}

func (s *Core) feedback(ctx context.Context, event string, msg repertoire.Source, userID string, helpful, add bool, acted time.Time) (bool, error) {
	// Most thumbs are on other messages: find out on the read pool, so they
	// never queue for the writer.
	if _, err := recallAnswerID(ctx, s.r, msg); err != nil {
		return false, fmt.Errorf("feedback: %w", err)
	}
	var changed bool
	err := s.tx(ctx, event, func(tx Querier) error {
		id, err := recallAnswerID(ctx, tx, msg)
		if err != nil {
			return err
		}
		var res sql.Result
		if add {
			if gone, err := s.forgottenWhen(ctx, tx, msg.Platform, userID, acted); err != nil || gone {
				return err // a forgotten member's thumb still pending at the forget
			}
			res, err = tx.ExecContext(ctx, `INSERT INTO recall_feedback (answer_id, user_id, helpful, given_at)
				VALUES (?,?,?,?) ON CONFLICT DO NOTHING`, id, userID, helpful, s.now().UnixMilli())
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM recall_feedback WHERE answer_id = ? AND user_id = ? AND helpful = ?`,
				id, userID, helpful)
		}
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("feedback: %w", err)
	}
	return changed, nil
}

func recallAnswerID(ctx context.Context, q Reader, msg repertoire.Source) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM recall_answers WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`,
		msg.Platform, msg.Space, msg.Channel, msg.Message).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, repertoire.ErrNotFound
	}
	return id, err
}

// SetNudges turns similar-question nudges on or off for a channel.
func (s *Core) SetNudges(ctx context.Context, ch repertoire.Channel, on bool) error {
	err := s.tx(ctx, "", func(tx Querier) error {
		var err error
		if on {
			_, err = tx.ExecContext(ctx, `INSERT INTO nudge_channels (platform, space, channel_id, enabled_at)
				VALUES (?,?,?,?) ON CONFLICT DO NOTHING`, ch.Platform, ch.Space, ch.ID, s.now().UnixMilli())
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM nudge_channels WHERE platform = ? AND space = ? AND channel_id = ?`,
				ch.Platform, ch.Space, ch.ID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set nudges: %w", err)
	}
	return nil
}

// NudgesOn reports whether a channel opted in to nudges.
func (s *Core) NudgesOn(ctx context.Context, ch repertoire.Channel) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM nudge_channels WHERE platform = ? AND space = ? AND channel_id = ?`,
		ch.Platform, ch.Space, ch.ID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("nudges on: %w", err)
	}
	return n > 0, nil
}

// ClaimNudge records that the bot nudges in a thread, before it posts. It
// reports false when the thread was nudged before: never twice per thread.
func (s *Core) ClaimNudge(ctx context.Context, event string, ch repertoire.Channel, threadID string, at time.Time) (bool, error) {
	if at.IsZero() {
		at = s.now()
	}
	n, err := s.exec(ctx, event, `INSERT INTO nudged_threads (platform, space, channel_id, thread_id, nudged_at)
			VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING`, ch.Platform, ch.Space, ch.ID, threadID, at.UnixMilli())
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim nudge: %w", err)
	}
	return n > 0, nil
}

// EntryFeedback records a member's verdict on one entry of a recall answer
// (the bot's posted message msg): helpful ("This helped") or not ("Not it").
// A member has one verdict per entry, however given: pressing the same
// button again changes nothing, the other one replaces it. It returns
// ErrNotFound when msg is not a recall answer or did not show the entry
// (a forged or stale button changes nothing) and reports whether the
// verdict is new.
func (s *Core) EntryFeedback(ctx context.Context, event string, msg repertoire.Source, entryID int64, userID string, helpful bool, acted time.Time) (bool, error) {
	if userID == "" {
		return false, fmt.Errorf("entry feedback: %w: no member", repertoire.ErrInvalid)
	}
	var changed bool
	err := s.tx(ctx, event, func(tx Querier) error {
		id, err := recallAnswerID(ctx, tx, msg)
		if err != nil {
			return err
		}
		var shown int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM recall_answer_entries WHERE answer_id = ? AND entry_id = ?`,
			id, entryID).Scan(&shown); err != nil {
			return err
		}
		if shown == 0 {
			return repertoire.ErrNotFound
		}
		if gone, err := s.forgottenWhen(ctx, tx, msg.Platform, userID, acted); err != nil || gone {
			return err // a forgotten member's press still pending at the forget
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO entry_feedback (entry_id, platform, user_id, helpful, answer_id, given_at)
			VALUES (?,?,?,?,?,?) ON CONFLICT (entry_id, platform, user_id) DO UPDATE SET helpful = excluded.helpful,
			answer_id = excluded.answer_id, given_at = excluded.given_at WHERE entry_feedback.helpful != excluded.helpful`,
			entryID, msg.Platform, userID, helpful, id, s.now().UnixMilli())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("entry feedback: %w", err)
	}
	return changed, nil
}
