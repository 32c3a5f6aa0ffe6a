package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// Keeping the write-ahead log bounded.
//
// SQLite's automatic checkpoint (PASSIVE, after a commit) copies the WAL's
// frames into the database file but never waits for readers, and the WAL
// only starts again from its beginning when a writer begins while every
// frame is copied and no reader at all is reading from the WAL. While an
// import, the bot and searches overlap there is always such a reader, each
// of them short, so the log grows for as long as the overlap lasts: 32 GB
// for a 100,000-capture import, and every page read then probes thousands
// of WAL index blocks. So after its write transactions a store checks, at
// most every walCheckEvery, how long the log is, and past walRestartFrames
// frames it runs a RESTART checkpoint: it holds the write lock while the
// readers of older snapshots finish (new ones read the database file), so
// the next writer starts the log again. The checks run in the background
// after commits (walLoop), on their own connection,
// whose busy timeout is walWait: a reader that does not finish in time
// (an export, a backup) costs a retry later, never a long wait for the
// bot's writes.

const (
	// walRestartFrames is the WAL length, in pages, past which a restart
	// is sought: 16 MiB with 4 KiB pages.
	walRestartFrames = 4096
	// walCheckEvery spaces the checks.
	walCheckEvery = 500 * time.Millisecond
	// walWait is how long a checkpoint waits for the write lock or a
	// reader, walWaitMost how long after restarts readers prevented.
	walWait     = 50 * time.Millisecond
	walWaitMost = 200 * time.Millisecond
)

// openCheckpointer opens the pool of one connection the WAL is restarted
// from (nothing connects until the first restart).
func openCheckpointer(base string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", base+fmt.Sprintf("?_pragma=busy_timeout(%d)", walWait.Milliseconds()))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// kickWAL wakes the keeper after a commit; it never waits.
func (s *Store) kickWAL() {
	if s.walKick == nil {
		return
	}
	select {
	case s.walKick <- struct{}{}:
	default: // already woken
	}
}

// walLoop checkpoints after commits, at most every walEvery, until ctx
// ends. It runs on its own connection, so neither a commit nor the write
// lock waits on the copy: the writer connection's automatic checkpoint is
// off.
func (s *Store) walLoop(ctx context.Context) {
	defer close(s.walDone)
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.walKick:
		}
		if err := sleepFor(ctx, s.walEvery-time.Since(last)); err != nil {
			return
		}
		last = time.Now()
		s.keepWAL(ctx)
	}
}

// keepWAL checkpoints and restarts the log when it is long.
func (s *Store) keepWAL(ctx context.Context) {
	s.ckMu.Lock()
	defer s.ckMu.Unlock()
	frames, restarted, err := s.restartWAL(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.WarnContext(ctx, "write-ahead log checkpoint failed", "err", err)
	case s.walRestartAt > 0 && frames >= s.walRestartAt && !restarted:
		// A reader kept a snapshot through every try for a while: say so,
		// the log grows until it ends.
		if n := s.walMissed.Add(1); n%20 == 0 {
			s.log.WarnContext(ctx, "write-ahead log not restarted: a reader keeps an old snapshot", "frames", frames, "tries", n)
		}
	default:
		s.walMissed.Store(0)
	}
}

// restartWAL checkpoints the log (PASSIVE: it copies what no reader still
// needs) and, when it is walRestartAt frames or longer, restarts it. It
// returns the log's length before the restart.
func (s *Store) restartWAL(ctx context.Context) (frames int, restarted bool, err error) {
	var busy, done int
	if err := s.ck.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done); err != nil {
		if Transient(err) {
			return 0, false, nil // another checkpoint runs
		}
		return 0, false, fmt.Errorf("checkpoint: %w", err)
	}
	if s.walRestartAt <= 0 || frames < s.walRestartAt {
		return frames, false, nil
	}
	if done < frames && frames < 2*s.walRestartAt {
		// A reader still needs frames not copied yet: a restart would
		// hold the write lock while they are copied and synced. Unless
		// the log is getting long, the next check tries again.
		return frames, false, nil
	}
	// This process's writers wait meanwhile (the inbox's commits have a
	// file of their own):
	// the restart competes for the write lock with other processes' only,
	// whose transactions are short and spaced.
	if err := s.turn.take(ctx); err != nil {
		return frames, false, fmt.Errorf("restart checkpoint: %w", err)
	}
	defer s.turn.give()
	own, err := s.w.Conn(ctx)
	if err != nil {
		return frames, false, fmt.Errorf("restart checkpoint: %w", err)
	}
	defer own.Close()
	// Readers of old snapshots are waited for walWait, longer after each
	// restart they prevented (up to walWaitMost): the log stays bounded
	// when searches are long, and the write lock is held briefly when
	// they are short.
	ck, err := s.ck.Conn(ctx)
	if err != nil {
		return frames, false, fmt.Errorf("restart checkpoint: %w", err)
	}
	defer ck.Close()
	wait := min(walWait<<min(s.walMissed.Load(), 8), walWaitMost)
	if _, err := ck.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, wait.Milliseconds())); err != nil {
		return frames, false, fmt.Errorf("restart checkpoint: %w", err)
	}
	defer s.warnLong(ctx, time.Now()) // from here this process's writers wait
	if err := ck.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, new(int), &done); err != nil {
		if Transient(err) {
			return frames, false, nil
		}
		return frames, false, fmt.Errorf("restart checkpoint: %w", err)
	}
	return frames, busy == 0, nil
}

// LongWrite is how long a write transaction (or a WAL restart) may hold the
// write lock before the store warns: the bot's acknowledgements wait on it.
const LongWrite = 250 * time.Millisecond

// warnLong warns when the write lock was held LongWrite or longer since
// start, naming the store method that held it.
func (s *Store) warnLong(ctx context.Context, start time.Time) {
	held := time.Since(start)
	if held < LongWrite {
		return
	}
	by := "unknown"
	pcs := make([]uintptr, 8)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		name := f.Function[strings.LastIndex(f.Function, ".")+1:]
		if !strings.Contains(f.Function, "/repertoire/sqlite.") || !strings.HasPrefix(name, "tx") && name != "exec" && !strings.HasPrefix(name, "func") {
			by = name
			break
		}
		if !more {
			break
		}
	}
	s.log.WarnContext(ctx, "long write transaction", "held", held.Round(time.Millisecond), "by", by)
}

// truncateWAL copies the whole log into the database file and empties it,
// so that what was just deleted (secure_delete zeroes it in the database
// file) is left in no file. It runs on the keeper's connection: each try
// waits walWait at most for the write lock and for readers of older
// snapshots, so the bot's writes never wait long; it tries for about 5 s.
func (s *Store) truncateWAL(ctx context.Context) error {
	s.ckMu.Lock()
	defer s.ckMu.Unlock()
	for try := 0; ; try++ {
		var busy, frames, done int
		err := s.ck.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done)
		if err != nil && !Transient(err) {
			return fmt.Errorf("truncate the write-ahead log: %w", err)
		}
		if err == nil && busy == 0 {
			return nil
		}
		if try == 50 {
			return fmt.Errorf("truncate the write-ahead log: readers or writers kept it busy")
		}
		if err := sleepFor(ctx, 2*walWait); err != nil {
			return fmt.Errorf("truncate the write-ahead log: %w", err)
		}
	}
}
