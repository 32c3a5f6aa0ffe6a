package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// The inbox in a file of its own.
//
// An acknowledgement waits for the inbox's commit. In the database file
// that commit waited for the write lock, which an import (another
// process), the search index's merge or a WAL restart each hold for
// hundreds of milliseconds at a time, more on a loaded machine. So the
// inbox is an SQLite database of its own beside the main one
// (InboxPath), with its own writer: the only writes there are the inbox's
// group commits, their applied marks and retention.
//
// SQLite does not commit across two files atomically in WAL mode, and
// needs not: an event is applied exactly once because each durable effect
// of the core records the event's delivery ID in the main file in the
// same transaction (Store.tx, applied_events), and the inbox marks an item
// applied only after its effects have committed. A kill between the two
// leaves the item pending; the next start applies it again, and the
// recorded delivery ID makes that a no-op. A kill before the effects
// loses nothing either: the item is pending in the inbox file.
//
// Read-only commands never create the file: the readers open it only
// when it exists, and an absent file is an empty inbox. A store written by
// an earlier release kept its inbox in the main file (renamed inbox_to_move
// by migration 0020): the first write to the inbox moves those rows over,
// keeping their sequence numbers, so a crash mid-move neither loses nor
// repeats one (moveLegacyInbox).

// InboxPath is the file that holds the inbox of the database at file:
// beside it, named after it ("repertoire.db-inbox"), with its own -wal and
// -shm. Back up and move the two together (repertoire backup does).
func InboxPath(file string) string { return file + "-inbox" }

const inboxSchema = `
CREATE TABLE IF NOT EXISTS inbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,   -- arrival order, never reused (the reader keeps a cursor)
    platform    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,                    -- the adapter's payload type
    delivery    TEXT    NOT NULL DEFAULT '',         -- the platform's delivery ID ('' when it gives none)
    channel     TEXT    NOT NULL DEFAULT '',         -- order key: events of one channel apply in seq order
    payload     BLOB    NOT NULL,                    -- emptied once applied
    received_at INTEGER NOT NULL,
    applied_at  INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS inbox_delivery ON inbox (platform, delivery) WHERE delivery <> '';
CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (seq) WHERE applied_at IS NULL;
CREATE INDEX IF NOT EXISTS inbox_applied ON inbox (applied_at) WHERE applied_at IS NOT NULL;`

// inboxFile is the inbox file's pools: r reads (query_only), w is its one
// writer, nil until the store first writes to the inbox, and ck the
// connection its checkpoints run on (inboxCheckpoints).
type inboxFile struct {
	r, w, ck *sql.DB
	stop     context.CancelFunc
	done     chan struct{}
	closed   bool // the store is closed: no pool opens again
}

// errInboxClosed is what the inbox's pools answer once the store is closed:
// a pool opened then would never be closed, and its connection would keep
// the file's log and shared memory open after the process thinks it is done.
var errInboxClosed = errors.New("inbox file: store closed")

func (f *inboxFile) close() error {
	if f.stop != nil {
		f.stop()
		<-f.done
	}
	var errs []error
	for _, db := range []*sql.DB{f.r, f.w, f.ck} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// The inbox's commits never checkpoint: with synchronous=NORMAL a WAL
// commit writes the log and syncs nothing, while a checkpoint copies the
// log into the file and syncs it, which on a disk busy with an import can
// take a second. So the writer's automatic checkpoint is off and
// inboxCheckpoints copies the log after commits, on its own connection, at
// most every inboxCheckEvery once the log holds inboxCheckFrames pages: a
// PASSIVE checkpoint, which the writer does not wait for. Commits arrive
// faster than a copy ends, so the log would never start again from its
// beginning; past inboxRestartFrames a RESTART follows, which holds the
// writer back only while it copies what the PASSIVE one left (a few
// pages) and syncs.
const (
	inboxCheckEvery    = 100 * time.Millisecond
	inboxCheckFrames   = 64  // 256 KiB with 4 KiB pages
	inboxRestartFrames = 512 // 2 MiB
)

// kickInbox wakes the inbox's checkpointer after a commit; it never waits.
func (s *Store) kickInbox() {
	select {
	case s.inboxKick <- struct{}{}:
	default:
	}
}

// inboxCheckpoints runs the inbox file's checkpoints until ctx ends.
func (s *Store) inboxCheckpoints(ctx context.Context, ck *sql.DB, done chan struct{}) {
	defer close(done)
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.inboxKick:
		}
		if err := sleepFor(ctx, inboxCheckEvery-time.Since(last)); err != nil {
			return
		}
		last = time.Now()
		st, err := os.Stat(s.inboxPath + "-wal")
		if err != nil || st.Size() < inboxCheckFrames*4096 {
			continue
		}
		for _, mode := range []string{"PASSIVE", "RESTART"} {
			var busy, frames, done int
			err = ck.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &frames, &done)
			if err != nil || busy != 0 || frames < inboxRestartFrames {
				break
			}
		}
		if err != nil && !Transient(err) && ctx.Err() == nil {
			s.log.WarnContext(ctx, "inbox checkpoint", "err", err)
		}
	}
}

func inboxDSN(file string, extra ...string) string {
	dsn := "file:" + (&url.URL{Path: file}).EscapedPath() + "?"
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "synchronous(NORMAL)", "secure_delete(1)", "journal_size_limit(1048576)"} {
		pragmas.Add("_pragma", p)
	}
	for _, p := range extra {
		pragmas.Add("_pragma", p)
	}
	return dsn + pragmas.Encode()
}

// inboxReader returns the inbox file's read pool, or nil when there is no
// inbox file yet (an empty inbox). It creates nothing.
func (s *Store) inboxReader(ctx context.Context) (*sql.DB, error) {
	s.inbMu.Lock()
	defer s.inbMu.Unlock()
	if s.inb.closed {
		return nil, errInboxClosed
	}
	if s.inb.r != nil {
		return s.inb.r, nil
	}
	if _, err := os.Stat(s.inboxPath); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("inbox file: %w", err)
	}
	r, err := sql.Open("sqlite", inboxDSN(s.inboxPath, "query_only(1)"))
	if err != nil {
		return nil, fmt.Errorf("inbox file: %w", err)
	}
	r.SetMaxOpenConns(2)
	var n int
	if err := r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'inbox'`).Scan(&n); err != nil || n == 0 {
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("inbox file %s: %w", s.inboxPath, err)
		}
		return nil, nil // being created by its first writer
	}
	s.inb.r = r
	return r, nil
}

// inboxWriter returns the inbox file's writer, creating the file and
// moving an earlier release's inbox rows into it on first use.
func (s *Store) inboxWriter(ctx context.Context) (*sql.DB, error) {
	s.inbMu.Lock()
	if s.inb.closed {
		s.inbMu.Unlock()
		return nil, errInboxClosed
	}
	if s.inb.w != nil {
		s.inbMu.Unlock()
		return s.inb.w, nil
	}
	w, err := sql.Open("sqlite", inboxDSN(s.inboxPath, "wal_autocheckpoint(0)")+"&_txlock=immediate")
	if err != nil {
		s.inbMu.Unlock()
		return nil, fmt.Errorf("inbox file: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	var n int
	err = w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'inbox'`).Scan(&n)
	if err == nil && n == 0 {
		_, err = w.ExecContext(ctx, inboxSchema)
	}
	if err == nil {
		err = s.moveLegacyInbox(ctx, w)
	}
	var ck *sql.DB
	if err == nil {
		ck, err = sql.Open("sqlite", inboxDSN(s.inboxPath, fmt.Sprintf("busy_timeout(%d)", walWait.Milliseconds())))
	}
	if err != nil {
		w.Close()
		s.inbMu.Unlock()
		return nil, fmt.Errorf("inbox file %s: %w", s.inboxPath, err)
	}
	ck.SetMaxOpenConns(1)
	cctx, stop := context.WithCancel(context.Background())
	s.inb.w, s.inb.ck, s.inb.stop, s.inb.done = w, ck, stop, make(chan struct{})
	go s.inboxCheckpoints(cctx, ck, s.inb.done)
	s.inbMu.Unlock()
	return w, nil
}

// inboxTx is the inbox's commit (Config.Inbox): one IMMEDIATE transaction
// on the inbox file, which no other writer of the database waits on or
// holds.
func (s *Store) inboxTx(ctx context.Context, fn func(sqlcore.Querier) error) error {
	start := time.Now()
	w, err := s.inboxWriter(ctx)
	if err != nil {
		return err
	}
	err = s.inboxTxOn(ctx, w, func(tx *sql.Tx) error { return fn(tx) })
	if took := time.Since(start); took >= LongWrite {
		s.log.WarnContext(ctx, "long inbox commit", "took", took.Round(time.Millisecond))
	}
	return err
}

// inboxTxOn runs fn in one write transaction of the inbox file's writer w
// and wakes its checkpointer after the commit.
func (s *Store) inboxTxOn(ctx context.Context, w *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.kickInbox()
	return nil
}

// legacyMovePage is how many rows of an earlier release's inbox move in
// one transaction.
const legacyMovePage = 1000

// moveLegacyInbox moves the rows of the main file's inbox_to_move (an
// earlier release's inbox, or the pending items a backup carried) into the
// inbox file w, with their sequence numbers, then deletes them from the
// main file. Inserting a row whose seq is already in the inbox file does
// nothing, so a move cut short by a crash is taken up again without
// repeating a row. Applied rows move without their payload.
func (s *Store) moveLegacyInbox(ctx context.Context, w *sql.DB) error {
	var some int
	if err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM inbox_to_move)`).Scan(&some); err != nil {
		return fmt.Errorf("move the inbox: %w", err)
	}
	if some == 0 {
		return nil
	}
	type row struct {
		seq                         int64
		platform, kind, del, chanID string
		payload                     []byte
		received                    int64
		applied                     sql.NullInt64
	}
	var after, moved, last int64
	for {
		rows, err := s.r.QueryContext(ctx, `SELECT seq, platform, kind, delivery, channel, payload, received_at, applied_at
			FROM inbox_to_move WHERE seq > ? ORDER BY seq LIMIT ?`, after, legacyMovePage)
		if err != nil {
			return fmt.Errorf("move the inbox: %w", err)
		}
		var page []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.platform, &r.kind, &r.del, &r.chanID, &r.payload, &r.received, &r.applied); err != nil {
				rows.Close()
				return fmt.Errorf("move the inbox: %w", err)
			}
			if r.applied.Valid {
				r.payload = []byte{}
			}
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("move the inbox: %w", err)
		}
		if len(page) == 0 {
			break
		}
		err = s.inboxTxOn(ctx, w, func(tx *sql.Tx) error {
			for _, r := range page {
				res, err := tx.ExecContext(ctx, `INSERT INTO inbox (seq, platform, kind, delivery, channel, payload, received_at, applied_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
					r.seq, r.platform, r.kind, r.del, r.chanID, r.payload, r.received, r.applied)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 1 {
					moved++
					continue
				}
				// Moved before (a move cut short), or a delivery the file
				// holds already: either way it is there. A seq taken by
				// another delivery (an inbox file that is not this
				// database's) must not drop this one: it gets a new seq.
				var same int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE (seq = ? AND platform = ? AND delivery = ?)
					OR (? <> '' AND platform = ? AND delivery = ?)`, r.seq, r.platform, r.del, r.del, r.platform, r.del).Scan(&same); err != nil {
					return err
				}
				if same == 0 {
					if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (platform, kind, delivery, channel, payload, received_at, applied_at)
						VALUES (?, ?, ?, ?, ?, ?, ?)`, r.platform, r.kind, r.del, r.chanID, r.payload, r.received, r.applied); err != nil {
						return err
					}
					moved++
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("move the inbox: %w", err)
		}
		after = page[len(page)-1].seq
		last = after
	}
	// Only now, with every row in the inbox file, do they leave the main
	// file, in short transactions (the bot may be writing).
	for {
		var n int64
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM inbox_to_move WHERE seq IN (SELECT seq FROM inbox_to_move WHERE seq <= ? ORDER BY seq LIMIT ?)`,
				last, 5*legacyMovePage)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			return nil
		})
		if err != nil {
			return fmt.Errorf("move the inbox: %w", err)
		}
		if n == 0 {
			break
		}
	}
	s.log.InfoContext(ctx, "inbox moved to its own file", "file", s.inboxPath, "rows", moved)
	return nil
}

// PendingInbox returns up to limit items not applied yet with Seq above
// after, in Seq order. The bot's reader calls it first thing on start, so
// it opens the inbox file for writing: an earlier release's pending items
// move over before they are read.
func (s *Store) PendingInbox(ctx context.Context, after int64, limit int) ([]repertoire.InboxItem, error) {
	if _, err := s.inboxWriter(ctx); err != nil {
		return nil, fmt.Errorf("pending inbox: %w", err)
	}
	r, err := s.inboxReader(ctx)
	if err != nil || r == nil {
		return nil, err
	}
	return sqlcore.PendingInboxIn(ctx, r, after, limit)
}

// InboxDepth is how many items wait to be applied and when the oldest of
// them arrived (zero when none): the inbox file's, and an earlier
// release's not moved yet. It writes nothing.
func (s *Store) InboxDepth(ctx context.Context) (int64, time.Time, error) {
	var total int64
	var oldest time.Time
	add := func(q sqlcore.Reader, table string) error {
		var n int64
		var at sql.NullInt64
		if err := q.QueryRowContext(ctx, `SELECT count(*), min(received_at) FROM `+table+` WHERE applied_at IS NULL`).Scan(&n, &at); err != nil {
			return err
		}
		total += n
		if at.Valid && (oldest.IsZero() || time.UnixMilli(at.Int64).Before(oldest)) {
			oldest = time.UnixMilli(at.Int64)
		}
		return nil
	}
	r, err := s.inboxReader(ctx)
	if err == nil && r != nil {
		err = add(r, "inbox")
	}
	if err == nil {
		err = add(s.r, "inbox_to_move")
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("inbox depth: %w", err)
	}
	return total, oldest, nil
}

// PruneInbox forgets inbox items applied before a time, in short steps:
// acknowledgements wait on the inbox file's lock.
func (s *Store) PruneInbox(ctx context.Context, before time.Time) (int64, error) {
	r, err := s.inboxReader(ctx)
	if err != nil || r == nil {
		return 0, err
	}
	w, err := s.inboxWriter(ctx)
	if err != nil {
		return 0, fmt.Errorf("prune inbox: %w", err)
	}
	n, err := pruneSteps(ctx, func(ctx context.Context, fn func(*sql.Tx) error) error { return s.inboxTxOn(ctx, w, fn) },
		"inbox", "applied_at", before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune inbox: %w", err)
	}
	return n, nil
}

// CanWrite checks that both files take a write now: the inbox's (an
// acknowledgement commits there) and the database's.
func (s *Store) CanWrite(ctx context.Context) error {
	w, err := s.inboxWriter(ctx)
	if err == nil {
		err = s.inboxTxOn(ctx, w, func(*sql.Tx) error { return nil })
	}
	if err != nil {
		return fmt.Errorf("store write check: inbox: %w", err)
	}
	return s.core.CanWrite(ctx)
}

// truncateInboxWAL empties the inbox file's write-ahead log, where the
// payloads of applied items (members' words) may linger after they were
// erased from the file.
func (s *Store) truncateInboxWAL(ctx context.Context) error {
	s.inbMu.Lock()
	ck := s.inb.ck
	s.inbMu.Unlock()
	if ck == nil {
		return nil
	}
	for try := 0; ; try++ {
		var busy, frames, done int
		err := ck.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done)
		if err != nil && !Transient(err) {
			return fmt.Errorf("truncate the inbox's write-ahead log: %w", err)
		}
		if err == nil && busy == 0 {
			return nil
		}
		if try == 50 {
			return fmt.Errorf("truncate the inbox's write-ahead log: readers kept it busy")
		}
		if err := sleepFor(ctx, 2*walWait); err != nil {
			return fmt.Errorf("truncate the inbox's write-ahead log: %w", err)
		}
	}
}
