package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the repertoire's database: one writer connection whose
// transactions begin IMMEDIATE, and a small pool of read-only connections.
type Store struct {
	// core runs the methods both engines share (core.go).
	*core
	w   *sql.DB
	r   *sql.DB
	log *slog.Logger
	now func() time.Time
	// indexed is set once migrations have created the search index: from
	// then on every write transaction folds what it changed into it.
	indexed bool
	// turn lets one writer at a time use the writer connection, in
	// arrival order (writeturn.go).
	turn writeTurn
	// locks are the single-replica jobs' locks (TryLock).
	locks locks
	// The search index's background merge (searchmerge.go): woken
	// through mergeKick when a commit leaves mergeAt pending rows or
	// more, stopped by stopMerge, closed mergeDone when it has returned.
	mergeAt int
	// chunk is the postings per search index chunk: chunkSize, fewer in
	// tests so that small repertoires have many.
	chunk int
	// topAt is the document frequency from which a stem has a top list
	// (searchtop.go), topShare the share of its postings the list holds.
	topAt, topShare int
	// shortList is the merged postings up to which a search reads a
	// stem's chunks with its figures (searchlookup.go).
	shortList int64
	mergeKick chan struct{}
	// stmts are the search's statements, prepared once on r; coreR and
	// coreW the shared core's, on r and on w (corestmt.go).
	stmts        *stmtCache
	coreR, coreW *stmtCache
	stopMerge    context.CancelFunc
	mergeDone    chan struct{}
	// The WAL's keeper (wal.go): ck is its connection, walRestartAt the
	// log length it restarts past (frames; 0 never), walEvery how often
	// it checks at most, walMissed the restarts in a row a reader
	// prevented; commits wake it through walKick, stopWAL stops it and
	// walDone is closed when it has returned.
	ck           *sql.DB
	ckMu         sync.Mutex // one checkpoint at a time in this process
	walRestartAt int
	walEvery     time.Duration
	walMissed    atomic.Int64
	walKick      chan struct{}
	stopWAL      context.CancelFunc
	walDone      chan struct{}
	// The inbox's own file (inboxfile.go), opened on first use; its
	// commits wake its checkpointer through inboxKick.
	inboxPath string
	inbMu     sync.Mutex
	inb       inboxFile
	inboxKick chan struct{}
	// reader: opened for a read-only command (ForReading), so no
	// background merge or top lists.
	reader bool
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for timestamps the caller did not give.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating if needed) the SQLite file at path and applies the
// embedded migrations that have not run yet.
func Open(ctx context.Context, file string, log *slog.Logger, opts ...Option) (*Store, error) {
	if file == "" {
		return nil, fmt.Errorf("open store: %w: empty path", repertoire.ErrInvalid)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{log: log, now: time.Now, chunk: chunkSize, topAt: defaultTopAt, topShare: defaultTopShare, shortList: defaultShortList, walRestartAt: walRestartFrames, walEvery: walCheckEvery,
		walKick: make(chan struct{}, 1), inboxPath: InboxPath(file),
		inboxKick: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "synchronous(NORMAL)", "secure_delete(1)", "journal_size_limit(67108864)", "wal_autocheckpoint(0)"} {
		pragmas.Add("_pragma", p)
	}
	base := "file:" + (&url.URL{Path: file}).EscapedPath()
	w, err := sql.Open("sqlite", base+"?"+pragmas.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", file, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s.w = w
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", file, err)
	}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	s.indexed = true
	// Entries written by other means (an older binary, direct SQL) are
	// folded now when they are many. Only then is a write transaction
	// begun: opening a current store writes nothing.
	var dirty int
	if err := w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_dirty)`).Scan(&dirty); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", file, err)
	}
	if dirty != 0 {
		if err := s.foldBacklog(ctx); err != nil {
			w.Close()
			return nil, fmt.Errorf("open store %s: %w", file, err)
		}
	}
	pragmas.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", base+"?"+pragmas.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", file, err)
	}
	r.SetMaxOpenConns(4)
	s.r = r
	s.stmts, s.coreR, s.coreW = newStmtCache(r), newStmtCache(r), newStmtCache(w)
	if s.ck, err = openCheckpointer(base); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", file, err)
	}
	if !s.reader {
		mctx, stop := context.WithCancel(context.Background())
		s.mergeAt, s.mergeKick, s.stopMerge, s.mergeDone = defaultMergeAt, make(chan struct{}, 1), stop, make(chan struct{})
		go s.mergeLoop(mctx)
	}
	wctx, stopWAL := context.WithCancel(context.Background())
	s.stopWAL, s.walDone = stopWAL, make(chan struct{})
	go s.walLoop(wctx) // a commit during the migrations has woken it already
	s.core = s.newCore()
	return s, nil
}

// Close stops the search index's merge (what it has not moved waits for
// the next open) and closes both pools.
func (s *Store) Close() error {
	if s.stopMerge != nil {
		s.stopMerge()
		<-s.mergeDone
	}
	if s.stopWAL != nil {
		s.stopWAL()
		<-s.walDone
	}
	s.stmts.close()
	s.coreR.close()
	s.coreW.close()
	s.inbMu.Lock()
	inb := s.inb
	s.inb = inboxFile{closed: true}
	s.inbMu.Unlock()
	return errors.Join(s.r.Close(), s.ck.Close(), s.w.Close(), inb.close())
}

func (s *Store) migrate(ctx context.Context) error {
	var exists int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if exists == 0 {
		if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	// A read of what ran decides; the write transactions below happen only
	// when a migration is missing, so a read-only command on a current
	// schema never waits for (or fails on) another process's write lock.
	applied := map[int]bool{}
	rows, err := s.w.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("migrate: file %s: name must start with a number: %w", base, err)
		}
		if applied[version] {
			continue
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		err = s.tx(ctx, "", func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
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

// tx runs fn in one IMMEDIATE transaction. When event is not empty it is
// recorded as applied in the same transaction; if it was applied before, fn
// does not run and the error is ErrAlreadyApplied.
func (s *Store) tx(ctx context.Context, event string, fn func(*sql.Tx) error) error {
	if err := s.turn.take(ctx); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer s.turn.give()
	return s.txNow(ctx, event, fn)
}

// txNow is tx once the writer's turn is taken.
func (s *Store) txNow(ctx context.Context, event string, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer s.warnLong(ctx, time.Now())
	defer tx.Rollback()
	if event != "" {
		if err := sqlcore.RecordEvent(ctx, tx, event, s.now()); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	pending := int64(-1)
	if s.indexed {
		if pending, err = foldPending(ctx, &cachedTx{Tx: tx, c: s.coreW}, s.chunk); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.wakeMerge(pending)
	s.kickWAL()
	return nil
}

// jsonList is values as one JSON array for json_each(?): a list of any
// length bound as one parameter, so the statement's text (and SQLite's
// parse of it) stays the same.
func jsonList[T int64 | string](values []T) string {
	if ids, ok := any(values).([]int64); ok && ids != nil {
		// The lists of entry IDs and rowids searches send, without
		// reflection: the same text json.Marshal writes.
		b := make([]byte, 0, 2+8*len(ids))
		b = append(b, '[')
		for i, id := range ids {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, id, 10)
		}
		return string(append(b, ']'))
	}
	b, _ := json.Marshal(values) // integers and strings always marshal
	return string(b)
}

// isConstraint reports whether err is an SQLite constraint violation.
func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}
