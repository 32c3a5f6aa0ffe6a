package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// inboxTx is the inbox's commit (Config.Inbox): it holds ackFirst, so it
// goes before the writes not yet queued for the writer connection.
func (s *Store) inboxTx(ctx context.Context, fn func(sqlcore.Querier) error) error {
	s.ackFirst.Lock()
	defer s.ackFirst.Unlock()
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
