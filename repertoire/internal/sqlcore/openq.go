package sqlcore

import (
	"context"
	"fmt"
	"slices"

	"github.com/repertoire/repertoire/repertoire"
)

// CloseOpenQuestions removes the open questions asked by the given messages
// of a channel (a thread whose answer was saved answers the question that
// opened it) and the open questions with the given IDs (a later entry
// answered them). It returns how many it closed.
func (s *Core) CloseOpenQuestions(ctx context.Context, ch repertoire.Channel, messageIDs []string, ids []int64) (int, error) {
	if len(ids) == 0 && !slices.ContainsFunc(messageIDs, func(m string) bool { return m != "" }) {
		return 0, nil // nothing to close: no write transaction (every capture asks)
	}
	var n int
	err := s.tx(ctx, "", func(tx Querier) error {
		for _, m := range messageIDs {
			if m == "" {
				continue
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM open_questions WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`,
				ch.Platform, ch.Space, ch.ID, m)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `DELETE FROM open_questions WHERE id = ? AND platform = ? AND space = ? AND channel_id = ?`,
				id, ch.Platform, ch.Space, ch.ID)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("close open questions: %w", err)
	}
	return n, nil
}

// SetEntryTags replaces the members' tags of an entry (an edit added or
// removed a #hashtag). It reports whether they changed.
func (s *Core) SetEntryTags(ctx context.Context, id int64, tags []string) (bool, error) {
	n, err := s.exec(ctx, "", `UPDATE entries SET tags = ? WHERE id = ? AND tags <> ?1`, repertoire.JoinTags(tags), id)
	if err != nil {
		return false, fmt.Errorf("set entry tags: %w", err)
	}
	return n > 0, nil
}

// SetEntryKind changes what kind of knowledge an entry is. It reports
// whether the kind changed.
func (s *Core) SetEntryKind(ctx context.Context, id int64, kind repertoire.Kind) (bool, error) {
	if !kind.Valid() {
		return false, fmt.Errorf("set entry kind: %w: unknown kind %q", repertoire.ErrInvalid, kind)
	}
	n, err := s.exec(ctx, "", `UPDATE entries SET kind = ? WHERE id = ? AND kind <> ?1`, string(kind), id)
	if err != nil {
		return false, fmt.Errorf("set entry kind: %w", err)
	}
	return n > 0, nil
}

// QuestionAnswered reports whether an entry already holds the message as
// its question.
func (s *Core) QuestionAnswered(ctx context.Context, src repertoire.Source) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE platform = ? AND space = ? AND channel_id = ? AND question_id = ?`,
		src.Platform, src.Space, src.Channel, src.Message).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("question answered: %w", err)
	}
	return n > 0, nil
}

// EntriesHolding returns the entries that hold the message's text, as
// answer or as question.
func (s *Core) EntriesHolding(ctx context.Context, src repertoire.Source) ([]repertoire.Entry, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("entries holding: %w", err)
	}
	defer tx.Rollback()
	out, err := QueryEntries(ctx, tx, `SELECT `+EntryColumns+` FROM entries e WHERE platform = ?1 AND space = ?2 AND channel_id = ?3
		AND (source_id = ?4 OR question_id = ?4) ORDER BY id`, src.Platform, src.Space, src.Channel, src.Message)
	if err != nil {
		return nil, fmt.Errorf("entries holding: %w", err)
	}
	return out, nil
}
