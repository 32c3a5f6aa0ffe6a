package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"
)

// Diagnosis is the state of a database file as repertoire doctor reports
// it, read without writing anything.
type Diagnosis struct {
	Exists     bool
	QuickCheck string // "ok" when PRAGMA quick_check finds nothing
	Schema     int    // newest migration applied
	Latest     int    // newest migration this binary knows
	WALBytes   int64  // size of the write-ahead log (-1: none)
	Inbox      InboxDiagnosis
}

// InboxDiagnosis is the state of the inbox's file (InboxPath).
type InboxDiagnosis struct {
	Exists        bool   // false until the bot's first delivery
	QuickCheck    string // "ok" when PRAGMA quick_check finds nothing
	Pending       int64  // items acknowledged and not applied yet
	OldestPending time.Time
	WALBytes      int64 // size of its write-ahead log (-1: none)
}

// Diagnose opens file read-only and reports its quick_check, schema version
// and WAL size. A missing file is not an error: Exists is false.
func Diagnose(ctx context.Context, file string) (Diagnosis, error) {
	d := Diagnosis{WALBytes: -1}
	latest, err := LatestMigration()
	if err != nil {
		return d, err
	}
	d.Latest = latest
	db, err := openChecked(ctx, file, &d.Exists, &d.WALBytes, &d.QuickCheck)
	if db == nil {
		return d, err
	}
	defer db.Close()
	if err != nil {
		return d, err
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&d.Schema); err != nil {
		return d, fmt.Errorf("not a Repertoire database (no schema_migrations): %w", err)
	}
	in, err := diagnoseInbox(ctx, InboxPath(file))
	d.Inbox = in
	if err != nil {
		return d, fmt.Errorf("inbox %s: %w", InboxPath(file), err)
	}
	return d, nil
}

// diagnoseInbox reads the inbox file, if there is one, without writing.
func diagnoseInbox(ctx context.Context, file string) (InboxDiagnosis, error) {
	d := InboxDiagnosis{WALBytes: -1}
	db, err := openChecked(ctx, file, &d.Exists, &d.WALBytes, &d.QuickCheck)
	if db == nil {
		return d, err
	}
	defer db.Close()
	if err != nil {
		return d, err
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'inbox'`).Scan(&tables); err != nil {
		return d, err
	}
	if tables == 0 {
		return d, nil // created, its table not yet (the bot stopped in between): empty
	}
	var oldest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT count(*), min(received_at) FROM inbox WHERE applied_at IS NULL`).Scan(&d.Pending, &oldest); err != nil {
		return d, err
	}
	if oldest.Valid {
		d.OldestPending = time.UnixMilli(oldest.Int64)
	}
	return d, nil
}

// openChecked opens file read-only, if it exists, and reads its log's size
// and its quick_check into exists, walBytes and quick. It returns no pool
// when there is no file (and no error) or it cannot be opened; with a pool,
// an error is the quick_check's.
func openChecked(ctx context.Context, file string, exists *bool, walBytes *int64, quick *string) (*sql.DB, error) {
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	*exists = true
	if st, err := os.Stat(file + "-wal"); err == nil {
		*walBytes = st.Size()
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(2000)")
	if err != nil {
		return nil, err
	}
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(quick); err != nil {
		return db, fmt.Errorf("quick_check: %w", err)
	}
	return db, nil
}
