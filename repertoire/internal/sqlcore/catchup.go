package sqlcore

import (
	"context"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// CatchUpChannels lists the channels of a platform whose messages the log
// holds from since on, with their catch-up checkpoints.
func (s *Core) CatchUpChannels(ctx context.Context, platform string, since time.Time) ([]repertoire.CatchUpChannel, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.space, m.channel_id, max(m.channel_name), max(m.private),
			coalesce(max(k.done_at), 0), coalesce(max(k.pass_at), 0), coalesce(max(k.cursor), ''), coalesce(max(k.cursor_at), 0)
		FROM messages m LEFT JOIN catchup k ON k.platform = m.platform AND k.space = m.space AND k.channel_id = m.channel_id
		WHERE m.platform = ?1 AND m.posted_at >= ?2
		GROUP BY m.space, m.channel_id ORDER BY m.space, m.channel_id`, platform, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("catch-up channels: %w", err)
	}
	defer rows.Close()
	var out []repertoire.CatchUpChannel
	for rows.Next() {
		c := repertoire.CatchUpChannel{Channel: repertoire.Channel{Platform: platform}}
		var done, pass, cursorAt int64
		if err := rows.Scan(&c.Channel.Space, &c.Channel.ID, &c.Channel.Name, &c.Channel.Private, &done, &pass, &c.Cursor, &cursorAt); err != nil {
			return nil, fmt.Errorf("catch-up channels: %w", err)
		}
		c.DoneAt, c.PassAt, c.CursorAt = fromMilli(done), fromMilli(pass), fromMilli(cursorAt)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catch-up channels: %w", err)
	}
	return out, nil
}

// SaveCatchUp records a channel's catch-up checkpoint.
func (s *Core) SaveCatchUp(ctx context.Context, c repertoire.CatchUpChannel) error {
	err := s.tx(ctx, "", func(tx Querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO catchup (platform, space, channel_id, done_at, pass_at, cursor, cursor_at)
			VALUES (?,?,?,?,?,?,?) ON CONFLICT (platform, space, channel_id) DO UPDATE SET done_at = excluded.done_at,
			pass_at = excluded.pass_at, cursor = excluded.cursor, cursor_at = excluded.cursor_at`,
			c.Channel.Platform, c.Channel.Space, c.Channel.ID, toMilli(c.DoneAt), toMilli(c.PassAt), c.Cursor, toMilli(c.CursorAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("save catch-up checkpoint: %w", err)
	}
	return nil
}

func toMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// AnswerFeedbackSince lists a channel's recall answers posted since a time,
// with the 👍/👎 members hold on each.
func (s *Core) AnswerFeedbackSince(ctx context.Context, ch repertoire.Channel, since time.Time) ([]repertoire.AnswerFeedback, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.message_id, coalesce(f.user_id, ''), coalesce(f.helpful, 0)
		FROM recall_answers a LEFT JOIN recall_feedback f ON f.answer_id = a.id
		WHERE a.platform = ? AND a.space = ? AND a.channel_id = ? AND a.posted_at >= ?
		ORDER BY a.posted_at, a.id, f.helpful DESC, f.user_id`, ch.Platform, ch.Space, ch.ID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("answer feedback: %w", err)
	}
	defer rows.Close()
	var out []repertoire.AnswerFeedback
	for rows.Next() {
		var (
			msg, user string
			helpful   int
		)
		if err := rows.Scan(&msg, &user, &helpful); err != nil {
			return nil, fmt.Errorf("answer feedback: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].MessageID != msg {
			out = append(out, repertoire.AnswerFeedback{MessageID: msg})
		}
		a := &out[len(out)-1]
		switch {
		case user == "":
		case helpful == 1:
			a.Helpful = append(a.Helpful, user)
		default:
			a.NotIt = append(a.NotIt, user)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("answer feedback: %w", err)
	}
	return out, nil
}

// ActiveThreads lists the threads of a channel with replies logged since a
// time, the most recently replied first.
func (s *Core) ActiveThreads(ctx context.Context, ch repertoire.Channel, since time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT thread_id FROM messages
		WHERE platform = ? AND space = ? AND channel_id = ? AND thread_id <> '' AND thread_id <> message_id AND posted_at >= ?
		GROUP BY thread_id ORDER BY max(posted_at) DESC, thread_id LIMIT ?`, ch.Platform, ch.Space, ch.ID, since.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("active threads: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("active threads: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("active threads: %w", err)
	}
	return out, nil
}
