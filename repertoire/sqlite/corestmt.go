package sqlite

import (
	"context"
	"database/sql"

	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// The shared core's statements go through a statement cache too (the
// search has its own, searchstmt.go): every QueryContext or ExecContext on
// a transaction or a pool compiles its SQL, and at the bot's rate compiling
// was a fifth of the CPU applying a capture took (a dozen statements per
// event, most of them the same every time). Within a transaction each
// query text is prepared at most once; a transaction with more distinct
// texts than maxTxStmts runs the rest uncached.

// maxTxStmts bounds the statements one transaction keeps prepared.
const maxTxStmts = 64

// cachedTx is a transaction whose statements come from a cache.
type cachedTx struct {
	*sql.Tx
	c     *stmtCache
	stmts map[string]*sql.Stmt
}

func (t *cachedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	if len(t.stmts) >= maxTxStmts {
		return nil, nil
	}
	st, err := t.c.stmt(ctx, t.Tx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

func (t *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.Tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil || st == nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // its error, if any, comes out of Scan
	}
	return st.QueryRowContext(ctx, args...)
}

func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.Tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// cachedPool runs single statements on a pool with the cache's statements.
type cachedPool struct {
	*sql.DB
	c *stmtCache
}

func (p cachedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.c.pooled(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p cachedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.c.pooled(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

func (p cachedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.c.pooled(query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

var (
	_ sqlcore.Tx   = (*cachedTx)(nil)
	_ sqlcore.Pool = cachedPool{}
)
