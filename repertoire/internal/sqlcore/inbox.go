package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// CommitInbox adds items and marks the items numbered done as applied, in
// one transaction, and returns each added item's Seq (0 for a duplicate
// delivery, which is already in the inbox). Callers gather many receivers'
// items into one call: one commit for a burst keeps the acknowledgement fast.
func (s *Core) CommitInbox(ctx context.Context, items []repertoire.InboxItem, done []int64) ([]int64, error) {
	seqs := make([]int64, len(items))
	err := s.inbox(ctx, func(tx Querier) error {
		if len(items) > 0 {
			const insert = `INSERT INTO inbox (platform, kind, delivery, channel, payload, received_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`
			row := func(args ...any) *sql.Row { return tx.QueryRowContext(ctx, insert, args...) }
			// Prepared once for the burst where the transaction can
			// (SQLite's); pgx keeps its own prepared statements.
			if p, ok := tx.(preparer); ok {
				ins, err := p.PrepareContext(ctx, insert)
				if err != nil {
					return err
				}
				defer ins.Close()
				row = func(args ...any) *sql.Row { return ins.QueryRowContext(ctx, args...) }
			}
			for i, it := range items {
				at := it.Received
				if at.IsZero() {
					at = s.now()
				}
				err := row(it.Platform, it.Kind, it.Delivery, it.Channel, it.Payload, at.UnixMilli()).Scan(&seqs[i])
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
		}
		if len(done) > 0 {
			mark, args := `UPDATE inbox SET applied_at = ?`, []any{s.now().UnixMilli()}
			if s.erase {
				mark, args = mark+`, payload = ?`, append(args, []byte{})
			} else {
				// An item that arrived before a forget and is applied after
				// it loses its payload as the applied ones did at the forget
				// (eraseAppliedInbox): it may quote the forgotten member.
				mark, args = mark+`, payload = CASE WHEN received_at <= (SELECT coalesce(max(forgotten_at), -1)
					FROM forgotten_members) THEN ? ELSE payload END`, append(args, []byte{})
			}
			if _, err := tx.ExecContext(ctx, mark+` WHERE seq IN (`+s.d.IntList+`) AND applied_at IS NULL`,
				append(args, JSONList(done))...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("commit inbox: %w", err)
	}
	return seqs, nil
}

// preparer is a transaction that prepares statements (*sql.Tx).
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// PendingInbox returns up to limit items not applied yet with Seq above
// after, in Seq order.
func (s *Core) PendingInbox(ctx context.Context, after int64, limit int) ([]repertoire.InboxItem, error) {
	return PendingInboxIn(ctx, s.r, after, limit)
}

// PendingInboxIn is PendingInbox on whatever holds the inbox table: the
// core's own pool, or the SQLite store's inbox file.
func PendingInboxIn(ctx context.Context, q Reader, after int64, limit int) ([]repertoire.InboxItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, platform, kind, delivery, channel, payload, received_at FROM inbox
		WHERE applied_at IS NULL AND seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("pending inbox: %w", err)
	}
	defer rows.Close()
	var out []repertoire.InboxItem
	for rows.Next() {
		var it repertoire.InboxItem
		var at int64
		if err := rows.Scan(&it.Seq, &it.Platform, &it.Kind, &it.Delivery, &it.Channel, &it.Payload, &at); err != nil {
			return nil, fmt.Errorf("pending inbox: %w", err)
		}
		it.Received = time.UnixMilli(at)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending inbox: %w", err)
	}
	return out, nil
}

// InboxDepth is how many items wait to be applied and when the oldest of
// them arrived (zero when none).
func (s *Core) InboxDepth(ctx context.Context) (int64, time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT count(*), min(received_at) FROM inbox WHERE applied_at IS NULL`).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("inbox depth: %w", err)
	}
	if !oldest.Valid {
		return n, time.Time{}, nil
	}
	return n, time.UnixMilli(oldest.Int64), nil
}

// PruneInbox forgets items applied before a time; platforms stop retrying
// long before that.
func (s *Core) PruneInbox(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.exec(ctx, "", `DELETE FROM inbox WHERE applied_at IS NOT NULL AND applied_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune inbox: %w", err)
	}
	return n, nil
}

// CanWrite checks that a write transaction can begin (it takes the
// writers' lock: SQLite's write lock, PostgreSQL's advisory lock) and commit
// now, within ctx (and SQLite's busy timeout).
func (s *Core) CanWrite(ctx context.Context) error {
	if err := s.tx(ctx, "", func(Querier) error { return nil }); err != nil {
		return fmt.Errorf("store write check: %w", err)
	}
	return nil
}
