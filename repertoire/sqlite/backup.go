package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Backup writes a consistent copy of the live database to file with VACUUM
// INTO: one read transaction, so the copy holds exactly what was committed
// when it began, while the bot goes on writing. The inbox's pending items
// (its own file) go into the copy's inbox_to_move, so the backup is one
// file and a restored store applies them. The copy is compact and is
// checked (CheckBackup) before Backup returns. file must not exist.
func (s *Store) Backup(ctx context.Context, file string) error {
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file (nothing is overwritten)", file)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	// The pending items are read before the database's snapshot: an item
	// applied in between has its effects in the copy and is applied again
	// after a restore, which its recorded delivery ID makes a no-op. Read
	// after, an item applied in between would be in neither.
	pending, err := s.pendingForBackup(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// A connection of its own: the read pool is query_only (VACUUM INTO
	// writes the copy) and the writer must stay free for the bot.
	var seq int
	var name, live string
	if err := s.r.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &live); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: live}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, file); err != nil {
		os.Remove(file)
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	if err := addPending(ctx, file, pending); err != nil {
		os.Remove(file)
		return fmt.Errorf("backup to %s: the inbox: %w", file, err)
	}
	if _, err := CheckBackup(ctx, file); err != nil {
		return fmt.Errorf("backup to %s: the copy does not check out: %w", file, err)
	}
	return nil
}

// pendingForBackup reads the inbox file's pending items (none when there
// is no inbox file), without creating anything.
func (s *Store) pendingForBackup(ctx context.Context) ([]pendingRow, error) {
	r, err := s.inboxReader(ctx)
	if err != nil || r == nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, `SELECT seq, platform, kind, delivery, channel, payload, received_at FROM inbox
		WHERE applied_at IS NULL ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pendingRow
	for rows.Next() {
		var p pendingRow
		if err := rows.Scan(&p.seq, &p.platform, &p.kind, &p.delivery, &p.channel, &p.payload, &p.received); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// pendingRow is one pending inbox item as a backup carries it.
type pendingRow struct {
	seq                               int64
	platform, kind, delivery, channel string
	payload                           []byte
	received                          int64
}

// addPending writes pending inbox items into the backup file's
// inbox_to_move.
func addPending(ctx context.Context, file string, pending []pendingRow) error {
	if len(pending) == 0 {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath()+"?_txlock=immediate")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, p := range pending {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_to_move (seq, platform, kind, delivery, channel, payload, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, p.seq, p.platform, p.kind, p.delivery, p.channel, p.payload, p.received); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BackupInfo describes a database file that passed CheckBackup.
type BackupInfo struct {
	Schema  int   // newest migration it holds
	Entries int64 // entries in it
	Pending int64 // inbox items it carries to apply
}

// CheckBackup opens file read-only and checks that it is a Repertoire
// database this binary can run: integrity_check is ok and its schema is not
// newer than the migrations this binary knows.
func CheckBackup(ctx context.Context, file string) (BackupInfo, error) {
	var info BackupInfo
	st, err := os.Stat(file)
	if err != nil {
		return info, err
	}
	if !st.Mode().IsRegular() {
		return info, fmt.Errorf("%s is not a regular file", file)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath()+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return info, err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return info, fmt.Errorf("not a readable SQLite database: %w", err)
	}
	if result != "ok" {
		return info, fmt.Errorf("integrity_check: %s", result)
	}
	err = db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&info.Schema)
	if err != nil {
		return info, fmt.Errorf("not a Repertoire database (no schema_migrations): %w", err)
	}
	known, err := LatestMigration()
	if err != nil {
		return info, err
	}
	if info.Schema > known {
		return info, fmt.Errorf("schema %d is newer than this binary's (%d): restore it with the release that wrote it", info.Schema, known)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM entries`).Scan(&info.Entries); err != nil {
		return info, fmt.Errorf("count entries: %w", err)
	}
	// The inbox's pending items: in inbox_to_move from migration 0020 on,
	// in inbox before (a backup of an earlier release).
	for _, table := range []string{"inbox_to_move", "inbox"} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil {
			return info, fmt.Errorf("count pending: %w", err)
		}
		if n == 0 {
			continue
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE applied_at IS NULL`).Scan(&info.Pending); err != nil {
			return info, fmt.Errorf("count pending: %w", err)
		}
		break
	}
	return info, nil
}

// LatestMigration is the newest schema version this binary knows.
func LatestMigration() (int, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, name := range names {
		num, _, _ := strings.Cut(path.Base(name), "_")
		if v, err := strconv.Atoi(num); err == nil {
			latest = max(latest, v)
		}
	}
	return latest, nil
}

// ErrInUse means the live database is open in another process (the bot):
// restore needs it stopped.
var ErrInUse = errors.New("the database is in use")

// Restore puts the backup at from in place of the database at to, which no
// process may have open. The backup is checked first; the database it
// replaces (and its WAL) is kept beside it as to + ".before-restore-TIME", so
// a restore loses nothing. It returns that file's name ("" when there was no
// database).
func Restore(ctx context.Context, from, to string) (string, error) {
	if _, err := CheckBackup(ctx, from); err != nil {
		return "", fmt.Errorf("restore: %s: %w", from, err)
	}
	if abs(from) == abs(to) {
		return "", fmt.Errorf("restore: %s is the live database itself", from)
	}
	_, statErr := os.Stat(to)
	exists := statErr == nil
	if exists {
		// An exclusive lock is granted only when no other connection has
		// the database open; it is held until the file is moved aside.
		unlock, err := lockExclusive(ctx, to)
		if err != nil {
			return "", err
		}
		defer unlock()
	}
	dir := filepath.Dir(to)
	tmp, err := os.CreateTemp(dir, filepath.Base(to)+".restore-*")
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	src, err := os.Open(from)
	if err != nil {
		tmp.Close()
		return "", fmt.Errorf("restore: %w", err)
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("restore: copy %s: %w", from, err)
	}
	kept := ""
	if exists {
		kept = to + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		// The live database, its WAL and its inbox file move aside
		// together: a WAL left beside the restored file would be replayed
		// into it, and the inbox belongs to the database it was applied
		// to (the backup carries its own pending items).
		in := InboxPath("") // the inbox file's suffix
		for _, suffix := range []string{"-wal", "-shm", in + "-wal", in + "-shm", in, ""} {
			if err := os.Rename(to+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("restore: keep %s: %w", to+suffix, err)
			}
		}
	}
	if err := os.Rename(tmp.Name(), to); err != nil {
		return kept, fmt.Errorf("restore: put %s in place: %w (the previous database is %s)", from, err, kept)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return kept, nil
}

// lockExclusive takes SQLite's exclusive lock on file, which fails while
// any other connection (the running bot) has it open.
func lockExclusive(ctx context.Context, file string) (unlock func(), err error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath()+"?_pragma=busy_timeout(200)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	// In WAL mode with locking_mode EXCLUSIVE, the first read takes the
	// exclusive lock (and keeps it): SQLite grants it only when no other
	// connection, in any process, has the database open.
	var n int
	err = conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n)
	if err != nil {
		conn.Close()
		db.Close()
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return nil, fmt.Errorf("%w: stop the bot first (%s is open in another process)", ErrInUse, file)
		}
		return nil, fmt.Errorf("restore: lock %s: %w", file, err)
	}
	return func() { conn.Close(); db.Close() }, nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
