package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A writer commits while readers overlap without a pause, as the bot's
// reads and `repertoire search` do during an import: the write-ahead log
// must stay bounded. Side by side, the same run without the keeper
// (SQLite's own automatic checkpoint only) shows the log growing past the
// bound, so the test can fail. The writes are large blobs: many pages per
// commit for little work (an import's batches, tokenized and folded, took
// minutes under -race for the same growth).
func TestWALStaysBoundedUnderOverlappingReaders(t *testing.T) {
	const bound = 2 << 20 // bytes; the keeper restarts past 256 KiB (64 frames)
	off := walPeakDuringWrites(t, 0)
	if off <= bound {
		t.Fatalf("without the keeper the log peaked at %d KiB, within the %d KiB bound: the workload shows nothing", off>>10, bound>>10)
	}
	// On a loaded machine the readers' snapshots stretch and the keeper may
	// miss its turns in one run (3 MiB was seen at load 10): the keeper must
	// hold the bound in one of three runs, which SQLite's automatic
	// checkpoint alone never does (above).
	var on int64
	for try := range 3 {
		on = walPeakDuringWrites(t, 64)
		t.Logf("WAL peak during the writes: %d KiB with the keeper (run %d), %d KiB with SQLite's automatic checkpoint alone", on>>10, try+1, off>>10)
		if on <= bound {
			return
		}
	}
	t.Errorf("the log grew to %d KiB during the writes in each of three runs, past the %d KiB bound", on>>10, bound>>10)
}

// walPeakDuringWrites commits 48 batches of 4 blobs of 32 KiB
// (about 32 pages a commit, 6 MiB in all) while three readers keep read
// transactions open in turn, and returns the largest size the WAL file
// reached. It pauses between batches as the importer does. restartAt 0
// turns the keeper off.
func walPeakDuringWrites(t *testing.T, restartAt int) int64 {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "wal.db")
	s, err := Open(ctx, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The keeper started by Open is stopped before its settings change
	// (it reads them), then started again with them.
	s.stopWAL()
	<-s.walDone
	s.walRestartAt, s.walEvery = restartAt, 0
	if restartAt == 0 { // SQLite's own way: the committing writer checkpoints
		if _, err := s.w.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 1000`); err != nil {
			t.Fatal(err)
		}
	} else {
		wctx, stopWAL := context.WithCancel(context.Background())
		s.stopWAL, s.walDone = stopWAL, make(chan struct{})
		go s.walLoop(wctx)
	}
	if err := s.tx(ctx, "", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE blobs (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; rctx.Err() == nil; k++ {
				tx, err := s.r.BeginTx(rctx, nil)
				if err != nil {
					return
				}
				var n sql.NullInt64
				err = tx.QueryRowContext(rctx, `SELECT max(seq) FROM blobs WHERE seq > ?`, k%7).Scan(&n)
				time.Sleep(time.Duration(1+i) * time.Millisecond) // a search's length
				tx.Rollback()
				if err != nil && rctx.Err() == nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	r := rand.New(rand.NewPCG(13, 13))
	var peak int64
	for range 48 {
		start := time.Now()
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			for range 4 {
				body := bytes.Repeat([]byte(fmt.Sprintf("%08d", r.IntN(1e8))), 4<<10) // 32 KiB
				if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (body) VALUES (?)`, body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(max(time.Since(start), 10*time.Millisecond)) // the importer's pause
		if fi, err := os.Stat(file + "-wal"); err == nil {
			peak = max(peak, fi.Size())
		}
	}
	stop()
	wg.Wait()
	return peak
}

// Retention deletes in steps, oldest first: everything before the cut
// goes, nothing after it, with times shared across a step's edge.
func TestPruneInSteps(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "prune.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		for i := range 5000 {
			// Runs of 7 events applied in the same millisecond.
			if _, err := tx.ExecContext(ctx, `INSERT INTO applied_events (id, applied_at) VALUES (?, ?)`, fmt.Sprint("ev", i), i/7); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneEvents(ctx, time.UnixMilli(600))
	if err != nil {
		t.Fatal(err)
	}
	var left, old int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE applied_at < 600) FROM applied_events`).Scan(&left, &old); err != nil {
		t.Fatal(err)
	}
	if n != 600*7 || left != 5000-600*7 || old != 0 {
		t.Errorf("pruned %d, left %d of which %d before the cut; want %d pruned, %d left, 0 before", n, left, old, 600*7, 5000-600*7)
	}
}
