// Package postgres is the repertoire's store on PostgreSQL, for operators
// who run several replicas of the bot on one database, or who already run
// PostgreSQL with its backups and replicas. It behaves as the SQLite store
// (package repertoire's contract): the same entries, ranking, privacy rule
// and exactly-once rules, so the same conformance suite runs on both.
//
// Connections come from a pgxpool.Pool, used through database/sql (pgx's
// stdlib adapter), so that most methods are the SQLite store's own: they
// live once in repertoire/internal/sqlcore, with PostgreSQL's spelling of
// what differs (dialect, in core.go); this package keeps the search index,
// bulk indexing, migrations, the inbox's claims, locks and transactions.
// Each exported method is one transaction. Writes take one transaction-scoped
// advisory lock first, so they apply one at a time across every replica, as
// SQLite's single writer does: the store's rules (one saver, then votes; a
// digest claimed once) hold without retries. The inbox's commit does not
// take it: it only adds deliveries, so an acknowledgement never waits for a
// save. Reads run in REPEATABLE READ snapshots and never wait.
//
// Recall keeps each stem's postings in chunks with a bound each, as the
// SQLite store does (stems from the project's own tokenizer and Porter
// stemmer, in Go, so both stores index the same words): a search reads the
// chunks that can still matter, best bound first, and ranks with package
// repertoire's ranking (searchprune.go). A member's save leaves its
// postings in search_pending, which searches read beside the chunks and a
// background merge moves into them (searchmerge.go); a large first import
// builds the chunks in one pass (bulkbuild.go). Phrases take their
// candidates from a tsvector of each entry's stems under a GIN index.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// writeLock is the advisory lock every write transaction takes (one bigint
// key; TryLock's job locks use the two-integer form, a separate key space).
const writeLock int64 = 0x7265706572746f // "reperto"

// inboxLock orders the inbox's commits across replicas.
const inboxLock int64 = writeLock + 1

// Store is the repertoire on one PostgreSQL database.
type Store struct {
	// core runs the methods both engines share (core.go).
	*core
	pool *pgxpool.Pool
	w    *db
	r    *db
	log  *slog.Logger
	now  func() time.Time
	// ackFirst lets the inbox's commit go before writes not yet begun,
	// as in the SQLite store.
	ackFirst sync.RWMutex
	locks    jobLocks
	// owner names this handle (a replica) in the inbox's claims.
	owner string
	// chunk and prune.reads override the postings per chunk of the search
	// index and the chunks a search reads at once (tests use few, so that
	// pruning happens on small repertoires).
	chunk int
	prune pruneOptions
	// buildAt overrides bulkBuildAt, the entries a fold takes to build an
	// empty index in one pass (tests use few).
	buildAt int
	// merge moves pending postings into the chunks in the background
	// (searchmerge.go).
	merge merger
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for timestamps the caller did not give.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// IsURL reports whether dsn names a PostgreSQL database (postgres:// or
// postgresql://) rather than a file.
func IsURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database at url (postgres://…) and applies the
// embedded migrations that have not run yet; replicas starting together
// apply each once.
func Open(ctx context.Context, url string, log *slog.Logger, opts ...Option) (*Store, error) {
	if url == "" {
		return nil, fmt.Errorf("open store: %w: empty URL", repertoire.ErrInvalid)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{log: log, now: time.Now, owner: newOwner()}
	for _, o := range opts {
		o(s)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open store: %w: %v", repertoire.ErrInvalid, err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s.pool = pool
	sdb := stdlib.OpenDBFromPool(pool)
	rb := &rebinder{}
	s.w, s.r = &db{sdb, rb}, &db{sdb, rb}
	if err := sdb.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.core = s.newCore()
	s.startMerge()
	return s, nil
}

// Close closes the pool; job locks still held are released with it.
func (s *Store) Close() error {
	s.stopMerge()
	s.releaseClaims()
	s.locks.closeAll()
	err := s.w.Close()
	s.pool.Close()
	return err
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		// Two replicas creating it at once: one wins, the other finds it.
		if !isConstraint(err) {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("migrate: file %s: name must start with a number: %w", base, err)
		}
		var done bool
		if err := s.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, version).Scan(&done); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if done {
			continue
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		err = s.tx(ctx, "", func(tx *dbTx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// A migration is many statements: sent as one simple query.
			if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				version, base, s.now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
	}
	return nil
}

// tx runs fn in one write transaction, after the writers before it (the
// advisory lock). When event is not empty it is recorded as applied in the
// same transaction; if it was applied before, fn does not run and the error
// is ErrAlreadyApplied.
func (s *Store) tx(ctx context.Context, event string, fn func(*dbTx) error) error {
	s.ackFirst.RLock()
	//lint:ignore SA2001 a gate, not a critical section: wait for the inbox's commit to go first
	s.ackFirst.RUnlock()
	return s.txNow(ctx, event, true, fn)
}

// txNow is tx without waiting for the inbox's commit to go first; lock
// says whether it takes the writers' lock.
func (s *Store) txNow(ctx context.Context, event string, lock bool, fn func(*dbTx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if lock {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLock); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
	}
	if event != "" {
		if err := sqlcore.RecordEvent(ctx, tx, event, s.now()); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	pending := int64(-1)
	if lock {
		if pending, err = foldPending(ctx, tx, s.chunk, s.buildAt); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.wakeMerge(pending)
	return nil
}

// isConstraint reports whether err is an integrity constraint violation
// (SQLSTATE class 23).
func isConstraint(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "23")
}

// Transient reports whether err is a conflict with another transaction
// (serialization failure, deadlock, lock timeout) or a lost connection: the
// same work may succeed if tried again.
func (s *Store) Transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "55P03", "57P01":
			return true
		}
		return strings.HasPrefix(pe.Code, "08")
	}
	return pgconn.SafeToRetry(err)
}

// jsonList is values as one JSON array, bound as one parameter and read
// with json_array_elements_text.
func jsonList[T int64 | string](values []T) string {
	if values == nil {
		values = []T{}
	}
	b, _ := json.Marshal(values) // integers and strings always marshal
	return string(b)
}

// jobLocks are the session-level advisory locks TryLock holds, each on a
// connection of its own.
type jobLocks struct {
	mu    sync.Mutex
	conns map[string]*sql.Conn
}

func (l *jobLocks) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, c := range l.conns {
		// Unlocked at once, rather than when the server notices the
		// session's end.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = c.ExecContext(ctx, `SELECT pg_advisory_unlock_all()`)
		cancel()
		c.Close()
		delete(l.conns, name)
	}
}

// TryLock takes the job lock name for this process if no other process
// holds it: a PostgreSQL session-level advisory lock, held on a connection
// of its own, so it is released when the holder dies (its session ends) or
// calls the returned release. It reports false when another holds it.
// Jobs that must run on one replica (retention, catch-up, schedules) take
// it before each run.
func (s *Store) TryLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	s.locks.mu.Lock()
	defer s.locks.mu.Unlock()
	if _, held := s.locks.conns[name]; held {
		return nil, false, nil
	}
	conn, err := s.w.DB.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("try lock %s: %w", name, err)
	}
	k1, k2 := lockKeys(name)
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, k1, k2).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("try lock %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	if s.locks.conns == nil {
		s.locks.conns = map[string]*sql.Conn{}
	}
	s.locks.conns[name] = conn
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.locks.mu.Lock()
			defer s.locks.mu.Unlock()
			if s.locks.conns[name] != conn {
				return
			}
			delete(s.locks.conns, name)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, k1, k2); err != nil {
				// The session is in doubt: close it, which releases the lock.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		})
	}
	return release, true, nil
}

// lockKeys maps a job name to the two 32-bit keys of an advisory lock.
func lockKeys(name string) (int32, int32) {
	h := fnv.New64a()
	h.Write([]byte(name))
	v := h.Sum64()
	return int32(v >> 32), int32(v)
}

// Optimize refreshes the planner's statistics and the visibility map after
// a large change (an import), so searches read postings from the index
// alone; the search index itself is always current.
func (s *Store) Optimize(ctx context.Context) error {
	for _, t := range []string{"entries", "search_docs", "search_chunks", "search_terms", "savers", "votes"} {
		if _, err := s.w.ExecContext(ctx, `VACUUM (ANALYZE) `+t); err != nil {
			return fmt.Errorf("optimize: %w", err)
		}
	}
	return nil
}
