package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// inboxTx is the inbox's commit (Config.Inbox): it takes the writer's
// turn before the other writers waiting.
func (s *Store) inboxTx(ctx context.Context, fn func(sqlcore.Querier) error) error {
	if err := s.turn.take(ctx, true); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer s.turn.give()
	return s.txNow(ctx, "", func(tx *sql.Tx) error { return fn(&cachedTx{Tx: tx, c: s.coreW}) })
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
