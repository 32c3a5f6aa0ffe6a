package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// A forgotten member's words written before the forget are not stored
// again (migration 0024 SQLite, 0006 PostgreSQL): a delivery of theirs
// still pending in the inbox when they asked, a catch-up pass over the
// recent history, an edit of an old message, another member's capture of
// one, or an import would otherwise put back what the forget removed.

// recordForgotten notes, in the forget's transaction, that the member
// asked to be forgotten at at.
func recordForgotten(ctx context.Context, tx Querier, platform, userID string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO forgotten_members (platform, user_id, forgotten_at) VALUES (?, ?, ?)
		ON CONFLICT (platform, user_id) DO UPDATE SET forgotten_at = excluded.forgotten_at`, platform, userID, at.UnixMilli())
	return err
}

// forgottenWhen reports whether userID asked to be forgotten at or after
// posted: what they posted then is not to be stored. A zero posted (not
// known) counts as posted now.
func (s *Core) forgottenWhen(ctx context.Context, tx Querier, platform, userID string, posted time.Time) (bool, error) {
	if posted.IsZero() {
		posted = s.now()
	}
	return forgottenSince(ctx, tx, platform, userID, posted)
}

// forgottenSince reports whether userID asked to be forgotten at or after
// posted.
func forgottenSince(ctx context.Context, tx Querier, platform, userID string, posted time.Time) (bool, error) {
	if userID == "" {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forgotten_members WHERE platform = ? AND user_id = ? AND forgotten_at >= ?`,
		platform, userID, posted.UnixMilli()).Scan(&n)
	return n > 0, err
}

// DropForgotten takes out of an import's records and open questions
// those whose author asked to be forgotten after writing them, the
// question of the records whose question's author did, and the saves and
// votes given before their giver's forget. It returns what
// is left (new slices) and how many it left out; one look when nobody was
// forgotten.
func DropForgotten(ctx context.Context, tx Querier, records []repertoire.Record, questions []repertoire.OpenQuestion) ([]repertoire.Record, []repertoire.OpenQuestion, int, error) {
	var any int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM forgotten_members LIMIT 1) AS f`).Scan(&any); err != nil || any == 0 {
		return records, questions, 0, err
	}
	var keptR []repertoire.Record
	var keptQ []repertoire.OpenQuestion
	dropped := 0
	for _, r := range records {
		gone, err := forgottenSince(ctx, tx, r.Channel.Platform, r.Author.ID, r.CreatedAt)
		if err != nil {
			return nil, nil, 0, err
		}
		if gone {
			dropped++
			continue
		}
		if gone, err = forgottenSince(ctx, tx, r.Channel.Platform, r.QuestionAuthor.ID, r.CreatedAt); err != nil {
			return nil, nil, 0, err
		} else if gone {
			r.Question, r.QuestionID, r.QuestionAuthor = "", "", repertoire.Person{}
		}
		if r.Savers, err = keptEndorsements(ctx, tx, r.Channel.Platform, r.Savers); err != nil {
			return nil, nil, 0, err
		}
		if r.Voters, err = keptEndorsements(ctx, tx, r.Channel.Platform, r.Voters); err != nil {
			return nil, nil, 0, err
		}
		keptR = append(keptR, r)
	}
	for _, q := range questions {
		gone, err := forgottenSince(ctx, tx, q.Channel.Platform, q.Asker.ID, q.AskedAt)
		if err != nil {
			return nil, nil, 0, err
		}
		if gone {
			dropped++
			continue
		}
		keptQ = append(keptQ, q)
	}
	return keptR, keptQ, dropped, nil
}

// keptEndorsements is es without those given before their giver asked to
// be forgotten (a new slice when any goes).
func keptEndorsements(ctx context.Context, tx Querier, platform string, es []repertoire.Endorsement) ([]repertoire.Endorsement, error) {
	var kept []repertoire.Endorsement
	for i, e := range es {
		gone, err := forgottenSince(ctx, tx, platform, e.ID, e.At)
		if err != nil {
			return nil, err
		}
		if gone && kept == nil {
			kept = append(make([]repertoire.Endorsement, 0, len(es)), es[:i]...)
		}
		if !gone && kept != nil {
			kept = append(kept, e)
		}
	}
	if kept == nil {
		return es, nil
	}
	return kept, nil
}

// AskForget records a member's "forget me" awaiting its confirmation
// (migration 0035 SQLite, 0007 PostgreSQL), in place of an earlier one;
// the same request again keeps its time. Requests older than a day go.
func (s *Core) AskForget(ctx context.Context, platform, userID string, r repertoire.ForgetRequest) error {
	err := s.tx(ctx, "", func(tx Querier) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM forget_requests WHERE asked_at < ?`, r.At.Add(-24*time.Hour).UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO forget_requests (platform, user_id, request, asked_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (platform, user_id) DO UPDATE SET request = excluded.request, asked_at = excluded.asked_at
			WHERE forget_requests.request <> excluded.request`, platform, userID, r.Request, r.At.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("ask forget: %w", err)
	}
	return nil
}

// ForgetAsked returns the member's "forget me" awaiting confirmation,
// ErrNotFound when none.
func (s *Core) ForgetAsked(ctx context.Context, platform, userID string) (repertoire.ForgetRequest, error) {
	var r repertoire.ForgetRequest
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT request, asked_at FROM forget_requests WHERE platform = ? AND user_id = ?`, platform, userID).Scan(&r.Request, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("forget asked: %w", repertoire.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("forget asked: %w", err)
	}
	r.At = time.UnixMilli(at).UTC()
	return r, nil
}
