package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// While a write holds the writer connection and more writes are queued,
// the inbox's commit does not wait: an acknowledgement waits for none of
// them (it commits to the inbox's own file).
func TestInboxCommitDoesNotWaitForWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "turn.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release := make(chan struct{})
	inHand := make(chan struct{})
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := s.tx(ctx, "", func(*sql.Tx) error {
			close(inHand)
			<-release
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}()
	<-inHand
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.tx(ctx, "", func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO applied_events (id, applied_at) VALUES (?, 0)`, fmt.Sprint("w", i))
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return err
			}); err != nil {
				t.Error(err)
			}
		}()
		time.Sleep(20 * time.Millisecond) // queued in this order
	}
	cctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	_, err = s.CommitInbox(cctx, []repertoire.InboxItem{{Platform: "slack", Kind: "event", Delivery: "d1", Channel: "C1",
		Payload: []byte("{}"), Received: time.Now()}}, nil)
	cancel()
	close(release)
	wg.Wait()
	if err != nil {
		t.Errorf("the inbox's commit while a write held the writer: %v", err)
	}
	// The queued writes got the writer in arrival order, not at random.
	if fmt.Sprint(order) != "[0 1 2 3 4 5]" {
		t.Errorf("queued writes ran in the order %v", order)
	}
}
