package postgres

import (
	"context"
	"strconv"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// core is the store methods both SQL engines share (package sqlcore), run
// on this store's connections and transactions.
type core = sqlcore.Core

// dialect is PostgreSQL's spelling of what the shared SQL writes
// differently.
var dialect = &sqlcore.Dialect{
	OrderedJoin: "JOIN",
	TextList:    "SELECT value FROM json_array_elements_text(?::json)",
	IntList:     "SELECT value::bigint FROM json_array_elements_text(?::json)",
	JSONList:    "json_array_elements(?::json)",
	Constraint:  isConstraint,
	LockInbox:   "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(inboxLock, 10) + ")",
}

// newCore is the shared core on the store's pool: reads in REPEATABLE READ
// snapshots, writes through tx (after the writers' advisory lock, the
// search index folded in before each commit).
func (s *Store) newCore() *core {
	return sqlcore.New(sqlcore.Config{
		Dialect:      dialect,
		Log:          s.log,
		Now:          s.now,
		DB:           s.r,
		Read:         sqlcore.Snapshot(s.r.BeginTx),
		Write:        sqlcore.Through(s.tx),
		DocFrequency: docFrequency,
		Inbox:        s.inboxTx,
		// Deleted rows linger in PostgreSQL's files until VACUUM reclaims
		// them; autovacuum does so.
	})
}

// audienceWhere is the audience as a clause over the table aliased t.
func audienceWhere(a repertoire.Audience, t string) (string, []any) {
	return dialect.AudienceWhere(a, t)
}

// The search index's and bulk indexing's share of the entry readers.
const entryColumns = sqlcore.EntryColumns

type scanner = sqlcore.Scanner

func scanEntry(r scanner, extra ...any) (repertoire.Entry, error) {
	return sqlcore.ScanEntry(r, extra...)
}

func loadSavers(ctx context.Context, q querier, id int64) ([]repertoire.Person, error) {
	return sqlcore.LoadSavers(ctx, q, id)
}

func cleanText(s string) string     { return repertoire.CleanText(s) }
func joinTags(tags []string) string { return repertoire.JoinTags(tags) }
func splitTags(s string) []string   { return repertoire.SplitTags(s) }
