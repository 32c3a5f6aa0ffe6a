package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// core is the store methods both SQL engines share (package sqlcore), run
// on this store's connections and transactions.
type core = sqlcore.Core

// dialect is SQLite's spelling of what the shared SQL writes differently.
var dialect = &sqlcore.Dialect{
	IndexHints:  true,
	OrderedJoin: "CROSS JOIN",
	TextList:    "SELECT value FROM json_each(?)",
	IntList:     "SELECT value FROM json_each(?)",
	JSONList:    "json_each(?)",
	Constraint:  isConstraint,
}

// newCore is the shared core on the store's pools: reads on the read-only
// pool, writes through tx (the one writer connection, the search index
// folded in before each commit).
func (s *Store) newCore() *core {
	return sqlcore.New(sqlcore.Config{
		Dialect: dialect,
		Log:     s.log,
		Now:     s.now,
		DB:      cachedPool{DB: s.r, c: s.coreR},
		Read: func(ctx context.Context) (sqlcore.Tx, error) {
			tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				return nil, err
			}
			return &cachedTx{Tx: tx, c: s.coreR}, nil
		},
		Write: func(ctx context.Context, event string, fn func(sqlcore.Querier) error) error {
			return s.tx(ctx, event, func(tx *sql.Tx) error { return fn(&cachedTx{Tx: tx, c: s.coreW}) })
		},
		DocFrequency: docFrequency,
		Inbox:        s.inboxTx,
		EraseApplied: true,
		// Checkpointed, so that erased text does not linger in the WALs
		// (the inbox's holds applied items' payloads until then).
		Erased: func(ctx context.Context, what string) {
			if err := errors.Join(s.truncateWAL(ctx), s.truncateInboxWAL(ctx)); err != nil {
				s.log.WarnContext(ctx, "checkpoint after "+what, "err", err)
			}
		},
	})
}

// audienceWhere is the audience as a clause over the table aliased t.
func audienceWhere(a repertoire.Audience, t string) (string, []any) {
	return dialect.AudienceWhere(a, t)
}

// The search index's and bulk indexing's share of the entry readers.
const entryColumns = sqlcore.EntryColumns

type (
	querier = sqlcore.Reader
	scanner = sqlcore.Scanner
)

func scanEntry(r scanner, extra ...any) (repertoire.Entry, error) {
	return sqlcore.ScanEntry(r, extra...)
}
