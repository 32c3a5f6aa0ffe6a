package sqlite

import (
	"context"
	"database/sql"
)

// The fold's statements go through the writer's statement cache when it
// runs in a member's transaction (txNow): a save folds its entry with a
// couple of dozen statements, the same every time, and compiling them,
// eight prepared per list writer and the others at each call, was a sixth
// of a save's CPU. Folds elsewhere (imports, Optimize, the merge) run on a
// plain transaction, as before.

// foldTx is what the fold runs its statements on: a transaction, or one
// whose statements come from the writer's cache (*cachedTx).
type foldTx interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// prepareFold returns query prepared for tx, and whether the statement is
// the cache's (the caller must not close it: the transaction uses it again).
func prepareFold(ctx context.Context, tx foldTx, query string) (*sql.Stmt, bool, error) {
	if ct, ok := tx.(*cachedTx); ok {
		st, err := ct.stmt(ctx, query)
		if err != nil || st != nil {
			return st, st != nil, err
		}
	}
	st, err := tx.PrepareContext(ctx, query)
	return st, false, err
}
