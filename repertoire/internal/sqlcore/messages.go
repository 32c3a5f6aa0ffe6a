package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// LogMessage records a posted message. A redelivery returns
// ErrAlreadyApplied; a message logged before (another delivery of the same
// post) keeps its reactions and takes the new text.
func (s *Core) LogMessage(ctx context.Context, event string, m repertoire.LoggedMessage) error {
	m.Text = repertoire.CleanText(m.Text)
	if len(m.Text) > repertoire.MaxTextBytes {
		return fmt.Errorf("log message: %w", repertoire.ErrTooLong)
	}
	if m.Channel.Platform == "" || m.Channel.ID == "" || m.ID == "" {
		return fmt.Errorf("log message: %w: needs platform, channel and message", repertoire.ErrInvalid)
	}
	if m.At.IsZero() {
		m.At = s.now()
	}
	err := s.tx(ctx, event, func(tx Querier) error {
		if gone, err := s.forgottenWhen(ctx, tx, m.Channel.Platform, m.Author.ID, m.At); err != nil || gone {
			return err // a forgotten member's earlier message is not logged again
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO messages (platform, space, channel_id, message_id, channel_name, private,
			thread_id, reply_to, author_id, author_name, author_bot, text, permalink, posted_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (platform, space, channel_id, message_id) DO UPDATE SET text = excluded.text`,
			m.Channel.Platform, m.Channel.Space, m.Channel.ID, m.ID, m.Channel.Name, m.Channel.Private,
			m.Thread, m.ReplyTo, m.Author.ID, m.Author.Name, m.Bot, m.Text, m.Permalink, m.At.UnixMilli())
		if err != nil {
			return err
		}
		for _, r := range m.Reactions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO message_reactions (platform, space, channel_id, message_id, user_id, emoji)
				VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING`, m.Channel.Platform, m.Channel.Space, m.Channel.ID, m.ID, r.UserID, r.Emoji); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("log message: %w", err)
	}
	return nil
}

// LogReaction records (add) or takes back (!add) a reaction on a logged
// message. A reaction on a message the log does not hold changes nothing.
func (s *Core) LogReaction(ctx context.Context, src repertoire.Source, userID, emoji string, add bool, acted time.Time) error {
	err := s.tx(ctx, "", func(tx Querier) error {
		var err error
		if add {
			if gone, err := s.forgottenWhen(ctx, tx, src.Platform, userID, acted); err != nil || gone {
				return err // a forgotten member's reaction still pending at the forget
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO message_reactions (platform, space, channel_id, message_id, user_id, emoji)
				SELECT platform, space, channel_id, message_id, CAST(? AS TEXT), CAST(? AS TEXT) FROM messages
				WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ? ON CONFLICT DO NOTHING`,
				userID, emoji, src.Platform, src.Space, src.Channel, src.Message)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM message_reactions WHERE platform = ? AND space = ? AND channel_id = ?
				AND message_id = ? AND user_id = ? AND emoji = ?`, src.Platform, src.Space, src.Channel, src.Message, userID, emoji)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("log reaction: %w", err)
	}
	return nil
}

// EditLoggedMessage applies an edit to the log. It reports whether the log held the message.
func (s *Core) EditLoggedMessage(ctx context.Context, src repertoire.Source, text string, at time.Time) (bool, error) {
	text = repertoire.CleanText(text)
	if len(text) > repertoire.MaxTextBytes {
		return false, fmt.Errorf("edit logged message: %w", repertoire.ErrTooLong)
	}
	if at.IsZero() {
		at = s.now()
	}
	n, err := s.exec(ctx, "", `UPDATE messages SET text = ?, edited_at = ? WHERE platform = ? AND space = ?
			AND channel_id = ? AND message_id = ?`, text, at.UnixMilli(), src.Platform, src.Space, src.Channel, src.Message)
	if err != nil {
		return false, fmt.Errorf("edit logged message: %w", err)
	}
	return n > 0, nil
}

// DeleteLoggedMessage removes a deleted message (and its reactions) from the
// log. It reports whether the log held it.
func (s *Core) DeleteLoggedMessage(ctx context.Context, src repertoire.Source) (bool, error) {
	n, err := s.exec(ctx, "", `DELETE FROM messages WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`,
		src.Platform, src.Space, src.Channel, src.Message)
	if err != nil {
		return false, fmt.Errorf("delete logged message: %w", err)
	}
	return n > 0, nil
}

// PruneMessages removes logged messages posted before the given time: the
// log is a short memory, not an archive.
func (s *Core) PruneMessages(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.exec(ctx, "", `DELETE FROM messages WHERE posted_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune messages: %w", err)
	}
	return n, nil
}

// LoggedMessages returns a channel's logged messages, oldest first, with their reactions.
// The bot reads a window of them for every message and reaction it applies,
// so it is one query (the window, each message joined with its reactions)
// that reads back no column the query fixes (the channel's keys).
func (s *Core) LoggedMessages(ctx context.Context, q repertoire.MessageQuery) ([]repertoire.LoggedMessage, error) {
	if q.Limit <= 0 {
		q.Limit = 200
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("logged messages: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT m.message_id, m.channel_name, m.private, m.thread_id, m.reply_to,
			m.author_id, m.author_name, m.author_bot, m.text, m.permalink, m.posted_at, r.user_id, r.emoji
		FROM (SELECT message_id, channel_name, private, thread_id, reply_to, author_id, author_name, author_bot,
				text, permalink, posted_at FROM messages
			WHERE platform = ?1 AND space = ?2 AND channel_id = ?3 AND posted_at >= ?4
			  AND (?5 = '' OR thread_id = ?5 OR message_id = ?5)
			ORDER BY posted_at DESC, message_id DESC LIMIT ?6) m
		LEFT JOIN message_reactions r ON r.platform = ?1 AND r.space = ?2 AND r.channel_id = ?3 AND r.message_id = m.message_id
		ORDER BY m.posted_at DESC, m.message_id DESC, r.user_id, r.emoji`,
		q.Channel.Platform, q.Channel.Space, q.Channel.ID, q.Since.UnixMilli(), q.Thread, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("logged messages: %w", err)
	}
	defer rows.Close()
	var out []repertoire.LoggedMessage
	for rows.Next() {
		var (
			m           repertoire.LoggedMessage
			at          int64
			user, emoji sql.NullString
		)
		if err := rows.Scan(&m.ID, &m.Channel.Name, &m.Channel.Private, &m.Thread, &m.ReplyTo, &m.Author.ID,
			&m.Author.Name, &m.Bot, &m.Text, &m.Permalink, &at, &user, &emoji); err != nil {
			return nil, fmt.Errorf("logged messages: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].ID != m.ID { // a message's rows are adjacent (ordered by it)
			m.Channel.Platform, m.Channel.Space, m.Channel.ID = q.Channel.Platform, q.Channel.Space, q.Channel.ID
			m.At = time.UnixMilli(at).UTC()
			out = append(out, m)
		}
		if user.Valid {
			last := &out[len(out)-1]
			last.Reactions = append(last.Reactions, repertoire.LoggedReaction{UserID: user.String, Emoji: emoji.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("logged messages: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// LoggedMessageBySource returns one logged message, ErrNotFound when the log does not hold it.
func (s *Core) LoggedMessageBySource(ctx context.Context, src repertoire.Source) (repertoire.LoggedMessage, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return repertoire.LoggedMessage{}, fmt.Errorf("logged message: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`, src.Platform, src.Space, src.Channel, src.Message)
	if err != nil {
		return repertoire.LoggedMessage{}, fmt.Errorf("logged message: %w", err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return repertoire.LoggedMessage{}, fmt.Errorf("logged message: %w", err)
	}
	if len(out) == 0 {
		return repertoire.LoggedMessage{}, fmt.Errorf("logged message: %w", repertoire.ErrNotFound)
	}
	if err := s.loadReactions(ctx, tx, out); err != nil {
		return repertoire.LoggedMessage{}, fmt.Errorf("logged message: %w", err)
	}
	return out[0], nil
}

const messageColumns = `platform, space, channel_id, channel_name, private, message_id, thread_id, reply_to,
	author_id, author_name, author_bot, text, permalink, posted_at`

func scanMessages(rows *sql.Rows) ([]repertoire.LoggedMessage, error) {
	defer rows.Close()
	var out []repertoire.LoggedMessage
	for rows.Next() {
		var m repertoire.LoggedMessage
		var at int64
		if err := rows.Scan(&m.Channel.Platform, &m.Channel.Space, &m.Channel.ID, &m.Channel.Name, &m.Channel.Private,
			&m.ID, &m.Thread, &m.ReplyTo, &m.Author.ID, &m.Author.Name, &m.Bot, &m.Text, &m.Permalink, &at); err != nil {
			return nil, err
		}
		m.At = time.UnixMilli(at).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// loadReactions fills in the reactions of messages of one channel with one query.
func (s *Core) loadReactions(ctx context.Context, q Reader, msgs []repertoire.LoggedMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	at := make(map[string]int, len(msgs))
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		at[m.ID] = i
		ids[i] = m.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT message_id, user_id, emoji FROM message_reactions
		WHERE platform = ? AND space = ? AND channel_id = ? AND message_id IN (`+s.d.TextList+`)
		ORDER BY message_id, user_id, emoji`, msgs[0].Channel.Platform, msgs[0].Channel.Space, msgs[0].Channel.ID, JSONList(ids))
	if err != nil {
		return fmt.Errorf("load reactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r repertoire.LoggedReaction
		if err := rows.Scan(&id, &r.UserID, &r.Emoji); err != nil {
			return fmt.Errorf("load reactions: %w", err)
		}
		if i, ok := at[id]; ok {
			msgs[i].Reactions = append(msgs[i].Reactions, r)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load reactions: %w", err)
	}
	return nil
}

// DetectModeOf returns a channel's detection mode: DetectSuggest unless set.
func (s *Core) DetectModeOf(ctx context.Context, ch repertoire.Channel) (repertoire.DetectMode, error) {
	var mode string
	err := s.r.QueryRowContext(ctx, `SELECT mode FROM detect_modes WHERE platform = ? AND space = ? AND channel_id = ?`,
		ch.Platform, ch.Space, ch.ID).Scan(&mode)
	if errors.Is(err, sql.ErrNoRows) {
		return repertoire.DetectSuggest, nil
	}
	if err != nil {
		return "", fmt.Errorf("detect mode: %w", err)
	}
	return repertoire.DetectMode(mode), nil
}

// SetDetectMode sets a channel's detection mode.
func (s *Core) SetDetectMode(ctx context.Context, ch repertoire.Channel, mode repertoire.DetectMode, by string) error {
	if !mode.Valid() {
		return fmt.Errorf("set detect mode: %w: unknown mode %q", repertoire.ErrInvalid, mode)
	}
	err := s.tx(ctx, "", func(tx Querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO detect_modes (platform, space, channel_id, mode, set_by, set_at) VALUES (?,?,?,?,?,?)
			ON CONFLICT (platform, space, channel_id) DO UPDATE SET mode = excluded.mode, set_by = excluded.set_by, set_at = excluded.set_at`,
			ch.Platform, ch.Space, ch.ID, mode, by, s.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("set detect mode: %w", err)
	}
	return nil
}

// RecordDetection records a decision. It reports false, changing nothing,
// when the conversation already has one: a thread is decided once.
func (s *Core) RecordDetection(ctx context.Context, d repertoire.Detection) (int64, bool, error) {
	if d.At.IsZero() {
		d.At = s.now()
	}
	if d.Action != repertoire.ActionSuggested && d.Action != repertoire.ActionSaved {
		return 0, false, fmt.Errorf("record detection: %w: action %q", repertoire.ErrInvalid, d.Action)
	}
	var id int64
	err := s.tx(ctx, "", func(tx Querier) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO detections (platform, space, channel_id, thread_id, question_id, answer_id,
			asker_id, answerer_id, kind, score, action, reasons, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (platform, space, channel_id, thread_id) DO NOTHING RETURNING id`,
			d.Channel.Platform, d.Channel.Space, d.Channel.ID, d.ThreadID, d.QuestionID, d.AnswerID, d.AskerID, d.AnswererID,
			d.Kind, d.Score, d.Action, strings.Join(d.Reasons, "\n"), d.At.UnixMilli()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("record detection: %w", err)
	}
	return id, id != 0, nil
}

// SetDetectionOutcome records what came of a decision: the suggestion post
// or the saved entry (zero values leave a field as it is).
func (s *Core) SetDetectionOutcome(ctx context.Context, id int64, suggestionID string, entryID int64) error {
	err := s.tx(ctx, "", func(tx Querier) error {
		_, err := tx.ExecContext(ctx, `UPDATE detections SET
			suggestion_id = CASE WHEN ?1 <> '' THEN ?1 ELSE suggestion_id END,
			entry_id = CASE WHEN CAST(?2 AS BIGINT) <> 0 THEN CAST(?2 AS BIGINT) ELSE entry_id END WHERE id = ?3`, suggestionID, entryID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("set detection outcome: %w", err)
	}
	return nil
}

// ReviseDetection records a later look at a decided conversation: its kind,
// score and reasons (the action, its outcome and when it was decided stay).
func (s *Core) ReviseDetection(ctx context.Context, id int64, kind repertoire.Kind, score float64, reasons []string) error {
	err := s.tx(ctx, "", func(tx Querier) error {
		_, err := tx.ExecContext(ctx, `UPDATE detections SET kind = ?, score = ?, reasons = ? WHERE id = ?`,
			kind, score, strings.Join(reasons, "\n"), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("revise detection: %w", err)
	}
	return nil
}

// DetectionAbout finds the decision a message belongs to: as the suggestion
// post, the conversation's opening, its question or its answer.
func (s *Core) DetectionAbout(ctx context.Context, ch repertoire.Channel, messageID string) (repertoire.Detection, error) {
	var (
		d       repertoire.Detection
		reasons string
		kind    string
		entry   sql.NullInt64
		at      int64
	)
	err := s.r.QueryRowContext(ctx, `SELECT id, platform, space, channel_id, thread_id, question_id, answer_id, asker_id,
		answerer_id, kind, score, action, reasons, suggestion_id, entry_id, decided_at FROM detections
		WHERE platform = ?1 AND space = ?2 AND channel_id = ?3
		  AND (suggestion_id = ?4 OR thread_id = ?4 OR question_id = ?4 OR answer_id = ?4)
		ORDER BY suggestion_id = ?4 DESC, decided_at DESC LIMIT 1`, ch.Platform, ch.Space, ch.ID, messageID).
		Scan(&d.ID, &d.Channel.Platform, &d.Channel.Space, &d.Channel.ID, &d.ThreadID, &d.QuestionID, &d.AnswerID,
			&d.AskerID, &d.AnswererID, &kind, &d.Score, &d.Action, &reasons, &d.SuggestionID, &entry, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return repertoire.Detection{}, fmt.Errorf("detection: %w", repertoire.ErrNotFound)
	}
	if err != nil {
		return repertoire.Detection{}, fmt.Errorf("detection: %w", err)
	}
	d.Kind, d.EntryID, d.At = repertoire.Kind(kind), entry.Int64, time.UnixMilli(at).UTC()
	if reasons != "" {
		d.Reasons = strings.Split(reasons, "\n")
	}
	return d, nil
}

// SuggestionsSince counts the suggestions made in a channel since a time, for rate limiting.
func (s *Core) SuggestionsSince(ctx context.Context, ch repertoire.Channel, since time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM detections WHERE platform = ? AND space = ? AND channel_id = ?
		AND action = 'suggested' AND decided_at >= ?`, ch.Platform, ch.Space, ch.ID, since.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count suggestions: %w", err)
	}
	return n, nil
}

// SetEntryTerms replaces the distinctive terms of an entry (after its text
// changed, say). It reports whether the entry exists.
func (s *Core) SetEntryTerms(ctx context.Context, id int64, terms []string) (bool, error) {
	n, err := s.exec(ctx, "", `UPDATE entries SET terms = ? WHERE id = ?`, repertoire.JoinTags(terms), id)
	if err != nil {
		return false, fmt.Errorf("set entry terms: %w", err)
	}
	return n > 0, nil
}
