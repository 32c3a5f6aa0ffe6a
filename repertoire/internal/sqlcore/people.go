package sqlcore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// AddOpenQuestion records a question nobody has answered yet.
func (s *Core) AddOpenQuestion(ctx context.Context, q repertoire.OpenQuestion) error {
	q.Text = repertoire.CleanText(q.Text)
	if len(q.Text) > repertoire.MaxTextBytes {
		return fmt.Errorf("add open question: %w", repertoire.ErrTooLong)
	}
	if q.AskedAt.IsZero() {
		q.AskedAt = s.now()
	}
	err := s.tx(ctx, "", func(tx Querier) error {
		if gone, err := s.forgottenWhen(ctx, tx, q.Channel.Platform, q.Asker.ID, q.AskedAt); err != nil || gone {
			return err // a forgotten member's earlier question is not kept again
		}
		return insertOpenQuestion(ctx, tx, q)
	})
	if err != nil {
		return fmt.Errorf("add open question: %w", err)
	}
	return nil
}

// OpenQuestions lists a channel's open questions asked since the given time, oldest first.
func (s *Core) OpenQuestions(ctx context.Context, ch repertoire.Channel, since time.Time) ([]repertoire.OpenQuestion, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, platform, space, channel_id, private, message_id, asker_id, asker_name,
		text, asked_at FROM open_questions WHERE platform = ? AND space = ? AND channel_id = ? AND asked_at >= ?
		ORDER BY asked_at, id`, ch.Platform, ch.Space, ch.ID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("open questions: %w", err)
	}
	out, err := scanOpenQuestions(rows)
	if err != nil {
		return nil, fmt.Errorf("open questions: %w", err)
	}
	return out, nil
}

// scanOpenQuestions reads rows of the open questions' columns id, platform,
// space, channel_id, private, message_id, asker_id, asker_name, text and
// asked_at, and closes them.
func scanOpenQuestions(rows *sql.Rows) ([]repertoire.OpenQuestion, error) {
	defer rows.Close()
	var out []repertoire.OpenQuestion
	for rows.Next() {
		var q repertoire.OpenQuestion
		var at int64
		if err := rows.Scan(&q.ID, &q.Channel.Platform, &q.Channel.Space, &q.Channel.ID, &q.Channel.Private,
			&q.MessageID, &q.Asker.ID, &q.Asker.Name, &q.Text, &at); err != nil {
			return nil, err
		}
		q.AskedAt = time.UnixMilli(at).UTC()
		out = append(out, q)
	}
	return out, rows.Err()
}

// ForgetUser removes a member's words and traces from the repertoire: entries
// they authored, questions they asked (the answers of others stay), their
// saver records and votes, their open questions, their messages and
// reactions in the message log and the detections about their exchanges;
// the channel settings they made (digest schedules, detection) no longer
// name them. The search index forgets in the same transaction; the store then lets go of
// the text its files may still hold (Config.Erased).
func (s *Core) ForgetUser(ctx context.Context, platform, userID string) (repertoire.Forgotten, error) {
	return s.ForgetUserWith(ctx, platform, userID, nil)
}

// ForgetUserWith is ForgetUser that also drops, from the entries whose
// question the member asked, the tags questionTags says came from that
// question (its #hashtags), in the same transaction.
func (s *Core) ForgetUserWith(ctx context.Context, platform, userID string, questionTags func(question, answer string) []string) (repertoire.Forgotten, error) {
	var f repertoire.Forgotten
	err := s.tx(ctx, "", func(tx Querier) error {
		if err := recordForgotten(ctx, tx, platform, userID, s.now()); err != nil {
			return err
		}
		if questionTags != nil {
			if err := dropQuestionTags(ctx, tx, platform, userID, questionTags); err != nil {
				return err
			}
		}
		steps := []struct {
			n *int
			q string
		}{
			{&f.Entries, `DELETE FROM entries WHERE platform = ? AND author_id = ?`},
			{&f.Questions, `UPDATE entries SET question = '', question_id = '', question_author_id = '', question_author_name = '', terms = ''
				WHERE platform = ? AND question_author_id = ?`},
			{&f.Saves, `DELETE FROM savers WHERE user_id = ?2 AND entry_id IN (SELECT id FROM entries WHERE platform = ?1)`},
			{&f.Votes, `DELETE FROM votes WHERE user_id = ?2 AND entry_id IN (SELECT id FROM entries WHERE platform = ?1)`},
			{&f.OpenQuestions, `DELETE FROM open_questions WHERE platform = ? AND asker_id = ?`},
			{&f.Messages, `DELETE FROM messages WHERE platform = ? AND author_id = ?`},
			{new(int), `DELETE FROM message_reactions WHERE platform = ? AND user_id = ?`},
			{new(int), `DELETE FROM forget_requests WHERE platform = ? AND user_id = ?`},
			{new(int), `DELETE FROM detections WHERE platform = ?1 AND (asker_id = ?2 OR answerer_id = ?2)`},
			{&f.Feedback, `DELETE FROM recall_feedback WHERE user_id = ?2 AND answer_id IN (SELECT id FROM recall_answers WHERE platform = ?1)`},
			// Signed out of the web page, and no archived digest names them.
			{new(int), `DELETE FROM web_sessions WHERE platform = ? AND user_id = ?`},
			{new(int), `DELETE FROM web_tokens WHERE platform = ? AND user_id = ?`},
			{new(int), `DELETE FROM digest_archive WHERE id IN (SELECT digest_id FROM digest_archive_people WHERE platform = ? AND user_id = ?)`},
			// A channel's settings stay the channel's, without who set them.
			{new(int), `UPDATE digest_schedules SET updated_by = '' WHERE platform = ? AND updated_by = ?`},
			{new(int), `UPDATE detect_modes SET set_by = '' WHERE platform = ? AND set_by = ?`},
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.q, platform, userID)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			*st.n = int(n)
		}
		// Verdicts given with buttons (those from reactions went with them).
		res, err := tx.ExecContext(ctx, `DELETE FROM entry_feedback WHERE platform = ? AND user_id = ?`, platform, userID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		f.Feedback += int(n)
		return s.eraseAppliedInbox(ctx, tx)
	})
	if err != nil {
		return repertoire.Forgotten{}, fmt.Errorf("forget user: %w", err)
	}
	s.erased(ctx, "forget")
	return f, nil
}

// dropQuestionTags removes from the entries whose question userID asked the
// tags that came from that question.
func dropQuestionTags(ctx context.Context, tx Querier, platform, userID string, questionTags func(question, answer string) []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, question, answer, tags FROM entries WHERE platform = ? AND question_author_id = ?`, platform, userID)
	if err != nil {
		return err
	}
	type change struct {
		id   int64
		tags string
	}
	var changes []change
	for rows.Next() {
		var id int64
		var q, a, tags string
		if err := rows.Scan(&id, &q, &a, &tags); err != nil {
			rows.Close()
			return err
		}
		drop := questionTags(q, a)
		if len(drop) == 0 {
			continue
		}
		var kept []string
		for _, t := range repertoire.SplitTags(tags) {
			if !slices.Contains(drop, t) {
				kept = append(kept, t)
			}
		}
		if joined := repertoire.JoinTags(kept); joined != tags {
			changes = append(changes, change{id, joined})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET tags = ? WHERE id = ?`, c.tags, c.id); err != nil {
			return err
		}
	}
	return nil
}

// eraseAppliedInbox empties the payloads of applied inbox items in a
// forget's transaction, where the inbox shares the database (PostgreSQL):
// kept to recognise a platform's retry, they hold members' words for the
// retention (7 days), and which of them quote the forgotten member cannot
// be told from outside each platform's format, so all go. The rows stay:
// a retry is still recognised. A store that erases payloads as items are
// applied (Config.EraseApplied: SQLite, whose inbox has its own file) has
// none to erase.
func (s *Core) eraseAppliedInbox(ctx context.Context, tx Querier) error {
	if s.erase {
		return nil
	}
	if s.d.LockInbox != "" {
		// Wait for the inbox's commits under way: an item marked applied
		// meanwhile is either erased here or sees this forget (CommitInbox).
		if _, err := tx.ExecContext(ctx, s.d.LockInbox); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE inbox SET payload = ? WHERE applied_at IS NOT NULL AND length(payload) > 0`, []byte{})
	return err
}

// insertOpenQuestion writes q as an open question of its channel.
func insertOpenQuestion(ctx context.Context, tx Querier, q repertoire.OpenQuestion) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO open_questions (platform, space, channel_id, private, message_id,
		asker_id, asker_name, text, asked_at) VALUES (?,?,?,?,?,?,?,?,?)`,
		q.Channel.Platform, q.Channel.Space, q.Channel.ID, q.Channel.Private, q.MessageID,
		q.Asker.ID, q.Asker.Name, q.Text, q.AskedAt.UnixMilli())
	return err
}
