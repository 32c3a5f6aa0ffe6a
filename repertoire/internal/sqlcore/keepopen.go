package sqlcore

import (
	"context"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// KeepOpenQuestion keeps q as its message's one open question, in one
// transaction that also records the event: a write that fails leaves
// neither, so the delivery's retry keeps it, and a redelivery after the
// answer closed it changes nothing.
func (s *Core) KeepOpenQuestion(ctx context.Context, event string, q repertoire.OpenQuestion) (bool, error) {
	q.Text = repertoire.CleanText(q.Text)
	if len(q.Text) > repertoire.MaxTextBytes {
		return false, fmt.Errorf("keep open question: %w", repertoire.ErrTooLong)
	}
	if q.AskedAt.IsZero() {
		q.AskedAt = s.now()
	}
	var was bool
	err := s.tx(ctx, event, func(tx Querier) error {
		was = false // a retried transaction starts again
		if gone, err := s.forgottenWhen(ctx, tx, q.Channel.Platform, q.Asker.ID, q.AskedAt); err != nil || gone {
			return err
		}
		if q.MessageID != "" {
			res, err := tx.ExecContext(ctx, `DELETE FROM open_questions WHERE platform = ? AND space = ? AND channel_id = ? AND message_id = ?`,
				q.Channel.Platform, q.Channel.Space, q.Channel.ID, q.MessageID)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			was = n > 0
		}
		return insertOpenQuestion(ctx, tx, q)
	})
	if err != nil {
		return false, fmt.Errorf("keep open question: %w", err)
	}
	return was, nil
}
