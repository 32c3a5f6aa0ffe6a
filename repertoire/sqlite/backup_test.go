package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestBackupUnderWriteLoad backs up a database while a writer commits
// batches as fast as it can, then restores the copy: integrity_check is
// clean and every entry committed before the backup began is there.
func TestBackupUnderWriteLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	s, err := Open(ctx, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu        sync.Mutex
		committed []string // source IDs whose batch has committed
	)
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			b := repertoire.Batch{Import: "load", Unit: fmt.Sprint(i)}
			var ids []string
			for j := range 50 {
				id := fmt.Sprintf("m%d-%d", i, j)
				ids = append(ids, id)
				b.Records = append(b.Records, repertoire.Record{Channel: repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1"}, SourceID: id, Kind: repertoire.Tip,
					Answer: "restart the deploy worker " + id, Author: repertoire.Person{ID: "U1"}, CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
			}
			if _, err := s.ImportBatch(ctx, b); err != nil {
				writerDone <- err
				return
			}
			mu.Lock()
			committed = append(committed, ids...)
			mu.Unlock()
		}
	}()
	// Let the load build up, then back up twice while it goes on.
	for {
		mu.Lock()
		n := len(committed)
		mu.Unlock()
		if n >= 2000 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var before []string
	backups := []string{filepath.Join(dir, "b1.db"), filepath.Join(dir, "b2.db")}
	for i, b := range backups {
		mu.Lock()
		if i == len(backups)-1 {
			before = append([]string(nil), committed...)
		}
		mu.Unlock()
		if err := s.Backup(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	total := len(committed)
	mu.Unlock()
	if err := s.Backup(ctx, backups[0]); err == nil {
		t.Error("backup overwrote an existing file")
	}

	// Restoring while the store is open is refused, and changes nothing.
	if _, err := Restore(ctx, backups[1], live); !errors.Is(err, ErrInUse) {
		t.Fatalf("restore with the bot running: %v, want ErrInUse", err)
	}
	s.Close()
	kept, err := Restore(ctx, backups[1], live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("the replaced database was not kept: %v", err)
	}
	info, err := CheckBackup(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	have := map[string]bool{}
	err = r.Export(ctx, repertoire.ExportParams{Private: true}, func(rec repertoire.Record) error { have[rec.SourceID] = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range before {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the %d entries committed before the backup began are missing from the restored copy", missing, len(before))
	}
	t.Logf("committed before the backup: %d; in the copy: %d (schema %d); committed by the end: %d", len(before), info.Entries, info.Schema, total)
	if int(info.Entries) != len(have) || len(have) < len(before) {
		t.Errorf("entries: %d counted, %d exported, %d committed before", info.Entries, len(have), len(before))
	}
	// The old live database, kept aside, still opens (nothing lost).
	if _, err := CheckBackup(ctx, kept); err != nil {
		t.Errorf("kept database: %v", err)
	}
}

func TestRestoreRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	s, err := Open(ctx, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	liveBytes, _ := os.ReadFile(live)
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, just text"), 0o644)
	for _, from := range []string{junk, filepath.Join(dir, "missing.db"), live} {
		if _, err := Restore(ctx, from, live); err == nil {
			t.Errorf("restore from %s succeeded", from)
		}
	}
	if after, _ := os.ReadFile(live); string(after) != string(liveBytes) {
		t.Error("a refused restore changed the live database")
	}
}
