package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// CommitInbox adds items and marks the items numbered done as applied, in
// one transaction, and returns each added item's Seq (0 for a duplicate
// delivery, which is already in the inbox). Callers gather many receivers'
// items into one call: one commit for a burst keeps the acknowledgement fast.
func (s *Store) CommitInbox(ctx context.Context, items []repertoire.InboxItem, done []int64) ([]int64, error) {
	seqs := make([]int64, len(items))
	s.ackFirst.Lock()
	defer s.ackFirst.Unlock()
	err := s.txNow(ctx, "", func(tx *sql.Tx) error {
		if len(items) > 0 {
			ins, err := tx.PrepareContext(ctx, `INSERT INTO inbox (platform, kind, delivery, channel, payload, received_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`)
			if err != nil {
				return err
			}
			defer ins.Close()
			for i, it := range items {
				at := it.Received
				if at.IsZero() {
					at = s.now()
				}
				err := ins.QueryRowContext(ctx, it.Platform, it.Kind, it.Delivery, it.Channel, it.Payload, at.UnixMilli()).Scan(&seqs[i])
				if err != nil && err != sql.ErrNoRows {
					return err
				}
			}
		}
		if len(done) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE inbox SET applied_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND applied_at IS NULL`,
				s.now().UnixMilli(), jsonList(done)); err != nil {
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

// Transient reports whether err is the database being busy or locked by
// another writer: the same work may succeed if tried again.
func Transient(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}
