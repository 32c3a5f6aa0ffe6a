package postgres

import (
	"context"

	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// inboxTx is the inbox's commit (Config.Inbox): it holds ackFirst, so it
// goes before this replica's writes not yet begun, and not the writers'
// lock, so an acknowledgement never waits for a save.
func (s *Store) inboxTx(ctx context.Context, fn func(sqlcore.Querier) error) error {
	s.ackFirst.Lock()
	defer s.ackFirst.Unlock()
	return s.txNow(ctx, "", false, func(tx *dbTx) error {
		// Commits of every replica go one at a time, so sequence numbers
		// become visible in order and a reader's cursor skips none.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, inboxLock); err != nil {
			return err
		}
		return fn(tx)
	})
}
