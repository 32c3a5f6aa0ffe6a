// Package sqlcore is the part of the repertoire's store that the SQLite and
// PostgreSQL stores share: every method whose SQL is the same on both
// engines, written once against database/sql. Each store embeds a Core and
// keeps what truly differs per engine: its search index and bulk indexing,
// migrations, transactions and their locks, the inbox's claims, job locks
// and backups.
//
// The SQL here is written with SQLite's placeholders (? and ?N); the
// PostgreSQL store's connections rewrite them as $N. What the two dialects
// spell differently (index hints, join order, JSON lists) comes from the
// store's Dialect; the rest is SQL both engines read alike (CAST rather than
// ::, RETURNING rather than LastInsertId, ON CONFLICT rather than INSERT OR
// IGNORE).
package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Reader runs queries: a pool, or a transaction (*sql.Tx on SQLite, the
// PostgreSQL store's placeholder-rewriting transaction).
type Reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Querier runs queries and statements.
type Querier interface {
	Reader
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Pool is a store's pool of connections.
type Pool interface {
	Querier
	PingContext(ctx context.Context) error
}

// Tx is a read transaction.
type Tx interface {
	Querier
	Rollback() error
}

// Dialect is what the shared SQL spells differently per engine.
type Dialect struct {
	// IndexHints says whether the planner takes index hints (SQLite's
	// INDEXED BY): the shared queries name the index each should walk.
	IndexHints bool
	// OrderedJoin is the join that keeps the order written, the left table
	// outermost (SQLite's CROSS JOIN); a plain JOIN where the planner
	// chooses well by itself.
	OrderedJoin string
	// TextList and IntList select the elements of one bound JSON array
	// parameter (see JSONList) as a column value: strings, integers.
	TextList, IntList string
	// JSONList is a table of the elements of one bound JSON array
	// parameter, each a JSON value in the column value (j.value ->> 0).
	JSONList string
	// Constraint reports whether err is an integrity constraint violation
	// (a unique key, a foreign key).
	Constraint func(err error) bool
	// LockInbox, where the inbox shares the database, is a statement that
	// waits for the inbox's commits in progress and holds them off until
	// the transaction ends.
	LockInbox string
}

// Indexed is the hint that a scan of a table walks index (with a leading
// space), or nothing where the engine takes no hints.
func (d *Dialect) Indexed(index string) string {
	if d.IndexHints {
		return " INDEXED BY " + index
	}
	return ""
}

// Config is what a store gives its Core.
type Config struct {
	Dialect *Dialect
	Log     *slog.Logger
	// Now is the clock for timestamps the caller did not give.
	Now func() time.Time
	// DB runs single reads outside a transaction.
	DB Pool
	// Read begins a read-only transaction over one snapshot.
	Read func(ctx context.Context) (Tx, error)
	// Write runs fn in one write transaction, after the writers before it
	// (the engine's write lock). When event is not empty it is recorded as
	// applied in the same transaction; if it was applied before, fn does
	// not run and the error is repertoire.ErrAlreadyApplied.
	Write func(ctx context.Context, event string, fn func(Querier) error) error
	// Inbox runs fn in the inbox's commit: a write transaction that goes
	// before the writes not yet begun (an acknowledgement waits on it) and
	// after every other inbox commit, so that sequence numbers become
	// visible in order.
	Inbox func(ctx context.Context, fn func(Querier) error) error
	// EraseApplied empties an inbox item's payload (a member's words) when
	// it is marked applied; the row stays, to recognise a retry.
	EraseApplied bool
	// DocFrequency is the search index's count of the entries that hold
	// term (a word as repertoire.Terms returns it); false when the index
	// does not count it (DocFrequencies leaves it out).
	DocFrequency func(ctx context.Context, q Reader, term string) (n int, ok bool, err error)
	// Erased, when set, runs after a commit that erased members' text
	// (ForgetUser, PurgeSpace; what names which), so that the engine lets
	// go of copies its files may still hold.
	Erased func(ctx context.Context, what string)
}

// Core implements the store methods both engines share. Its exported
// methods are the contract's (repertoire.Store); a store embeds it and may
// override one with its own.
type Core struct {
	d       *Dialect
	log     *slog.Logger
	now     func() time.Time
	r       Pool
	begin   func(ctx context.Context) (Tx, error)
	write   func(ctx context.Context, event string, fn func(Querier) error) error
	onErase func(ctx context.Context, what string)
	docFreq func(ctx context.Context, q Reader, term string) (int, bool, error)
	inbox   func(ctx context.Context, fn func(Querier) error) error
	erase   bool // Config.EraseApplied
}

// New returns the shared core of a store.
func New(cfg Config) *Core {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Core{d: cfg.Dialect, log: cfg.Log, now: cfg.Now, r: cfg.DB, begin: cfg.Read, write: cfg.Write, onErase: cfg.Erased, docFreq: cfg.DocFrequency, inbox: cfg.Inbox,
		erase: cfg.EraseApplied}
}

// Snapshot is Config.Read over a pool's BeginTx: a read-only transaction.
func Snapshot[T Tx](begin func(context.Context, *sql.TxOptions) (T, error)) func(context.Context) (Tx, error) {
	return func(ctx context.Context) (Tx, error) {
		tx, err := begin(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, err
		}
		return tx, nil
	}
}

// Through is Config.Write over a store's own write transaction, whose
// function takes the store's transaction type.
func Through[T Querier](tx func(context.Context, string, func(T) error) error) func(context.Context, string, func(Querier) error) error {
	return func(ctx context.Context, event string, fn func(Querier) error) error {
		return tx(ctx, event, func(t T) error { return fn(t) })
	}
}

// RecordEvent records delivery event as applied, in the write transaction
// tx that applies it; repertoire.ErrAlreadyApplied when it was before.
func RecordEvent(ctx context.Context, tx Querier, event string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO applied_events (id, applied_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		event, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return repertoire.ErrAlreadyApplied
	}
	return nil
}

// tx runs fn in one write transaction (Config.Write).
func (s *Core) tx(ctx context.Context, event string, fn func(Querier) error) error {
	return s.write(ctx, event, fn)
}

// erased tells the engine that a commit erased members' text.
func (s *Core) erased(ctx context.Context, what string) {
	if s.onErase != nil {
		s.onErase(ctx, what)
	}
}

// read begins a read-only transaction.
func (s *Core) read(ctx context.Context) (Tx, error) { return s.begin(ctx) }

// exec runs one statement in its own write transaction (applied once per
// event, as tx) and returns how many rows it changed.
func (s *Core) exec(ctx context.Context, event, query string, args ...any) (int64, error) {
	var n int64
	err := s.tx(ctx, event, func(tx Querier) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// JSONList is values as one JSON array, bound as one parameter and read
// with the dialect's TextList, IntList or JSONList; no values is the empty
// array.
func JSONList[T int64 | string](values []T) string {
	if values == nil {
		values = []T{}
	}
	b, _ := json.Marshal(values) // integers and strings always marshal
	return string(b)
}

// AudienceWhere is the audience as a clause over the columns platform,
// space, channel_id and private of the table aliased t, and its arguments.
func (d *Dialect) AudienceWhere(a repertoire.Audience, t string) (string, []any) {
	col := func(c string) string { return t + "." + c }
	if a.Anyone {
		return col("private") + " = 0", nil
	}
	if a.Platform == "" {
		return "false", nil
	}
	clause := "(" + col("platform") + " = ? AND ((" + col("private") + " = 0 AND " + col("space") + " IN (" + d.TextList + "))"
	args := []any{a.Platform, JSONList(a.Spaces)}
	if len(a.Channels) > 0 {
		pairs := make([][2]string, len(a.Channels))
		for i, c := range a.Channels {
			pairs[i] = [2]string{c.Space, c.ID}
		}
		b, _ := json.Marshal(pairs) // strings always marshal
		clause += " OR (" + col("private") + " = 1 AND EXISTS (SELECT 1 FROM " + d.JSONList + " j WHERE j.value ->> 0 = " +
			col("space") + " AND j.value ->> 1 = " + col("channel_id") + "))"
		args = append(args, string(b))
	}
	return clause + "))", args
}
