package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the search's prepared statements on the reader pool, so
// that a search does not compile its dozen statements each time (a third
// of a rare word's CPU did). A statement seen for the first time is
// prepared in the search's own transaction, and on the pool by a goroutine
// of its own: preparing on the pool takes a connection, and a search must
// never wait for one while holding another. A transaction then takes the
// pool's statement (database/sql keeps it prepared on each connection it
// has run on).
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	busy   map[string]bool
	closed bool
	wg     sync.WaitGroup
}

// maxCachedStmts bounds the statements kept: the search's fixed ones, and
// its WHERE clause's shapes (filters vary it).
const maxCachedStmts = 128

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, busy: map[string]bool{}}
}

// stmt returns query prepared for tx.
func (c *stmtCache) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if c == nil {
		return tx.PrepareContext(ctx, query)
	}
	if st := c.pooled(query); st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, query)
}

// pooled returns query prepared on the pool, or nil the first time (it
// is then prepared in the background for the next call).
func (c *stmtCache) pooled(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.m[query]
	if st == nil && !c.busy[query] && !c.closed && len(c.m)+len(c.busy) < maxCachedStmts {
		c.busy[query] = true
		c.wg.Add(1)
		go c.prepare(query)
	}
	return st
}

func (c *stmtCache) prepare(query string) {
	defer c.wg.Done()
	st, err := c.db.PrepareContext(context.Background(), query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.busy, query)
	if err != nil {
		return // prepared in each transaction, as before
	}
	if c.closed {
		st.Close()
		return
	}
	c.m[query] = st
}

// close closes the statements; the pool closes after.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	clear(c.m)
}

// noReprepare: a search's statements never take a bare parameter as
// LIMIT ("LIMIT ?"), but "LIMIT +?". SQLite (3.47 on) plans a LIMIT of
// a bare parameter for its bound value and marks the statement to be
// prepared again whenever that parameter is bound, so a kept statement
// was compiled anew on every run (a header fetch: 6% of a medium query's
// CPU at 100k). A unary plus keeps the value out of the plan.
const noReprepare = "LIMIT +?"
