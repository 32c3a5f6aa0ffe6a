package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Retention deletes many rows at once: an hour of a busy workspace's
// message log, inbox and delivery IDs, or everything past the period after
// a long stop. One DELETE of them would hold the write lock for seconds,
// and the bot's acknowledgements wait on it; pruneInSteps deletes the
// oldest rows first, in transactions sized to take about pruneTx, with a
// pause as long after each.

const (
	pruneFirst = 500
	pruneMost  = 50000
	pruneTx    = 40 * time.Millisecond
)

// pruneInSteps deletes the rows of table whose column col (an indexed
// time) is below before and returns how many went.
func (s *Store) pruneInSteps(ctx context.Context, table, col string, before int64) (int64, error) {
	return pruneSteps(ctx, func(ctx context.Context, fn func(*sql.Tx) error) error { return s.tx(ctx, "", fn) }, table, col, before)
}

// pruneSteps is pruneInSteps in the write transactions of txFn (the
// database's or the inbox file's).
func pruneSteps(ctx context.Context, txFn func(context.Context, func(*sql.Tx) error) error, table, col string, before int64) (int64, error) {
	var total int64
	step := pruneFirst
	for {
		var n int64
		var took time.Duration
		more := false
		err := txFn(ctx, func(tx *sql.Tx) error {
			start := time.Now()
			defer func() { took = time.Since(start) }()
			// The step's cut: the time of the step-th oldest row, or
			// before when fewer are left.
			cut := before
			err := tx.QueryRowContext(ctx, `SELECT `+col+` FROM `+table+` WHERE `+col+` < ? ORDER BY `+col+` LIMIT 1 OFFSET ?`,
				before, step).Scan(&cut)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` < ?`, cut)
			if err != nil {
				return err
			}
			more = cut < before
			if n, _ = res.RowsAffected(); n == 0 && more {
				// The oldest step+1 rows share one time: take them.
				if res, err = tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` = ?`, cut); err != nil {
					return err
				}
				n, _ = res.RowsAffected()
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("prune %s: %w", table, err)
		}
		total += n
		if !more {
			return total, nil
		}
		step = nextStep(step, max(int(n), 1), took, pruneTx, pruneMost)
		if err := sleepFor(ctx, max(took, mergeYield)); err != nil {
			return total, err
		}
	}
}

// PruneEvents forgets delivery IDs older than before (the shared core's,
// in steps).
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.pruneInSteps(ctx, "applied_events", "applied_at", before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	// A "forget me" never confirmed keeps its member's ID no longer (a
	// few rows: one statement).
	if err := s.tx(ctx, "", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM forget_requests WHERE asked_at < ?`, before.UnixMilli())
		return err
	}); err != nil {
		return 0, fmt.Errorf("prune forget requests: %w", err)
	}
	return n, nil
}

// PruneMessages removes logged messages posted before the given time (the
// shared core's, in steps).
func (s *Store) PruneMessages(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.pruneInSteps(ctx, "messages", "posted_at", before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune messages: %w", err)
	}
	return n, nil
}
