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

// While a write holds the writer connection, the inbox's commit queued
// after other writes goes first when it is freed: an acknowledgement
// waits for the write in hand only.
func TestInboxCommitGoesBeforeQueuedWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "turn.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release := make(chan struct{})
	inHand := make(chan struct{})
	var mu sync.Mutex
	var order []string
	done := func(what string) {
		mu.Lock()
		order = append(order, what)
		mu.Unlock()
	}
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
				return err
			}); err != nil {
				t.Error(err)
			}
			done("write")
		}()
	}
	time.Sleep(100 * time.Millisecond) // the writes are queued
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := s.CommitInbox(ctx, []repertoire.InboxItem{{Platform: "slack", Kind: "event", Delivery: "d1", Channel: "C1",
			Payload: []byte("{}"), Received: time.Now()}}, nil); err != nil {
			t.Error(err)
		}
		done("inbox")
	}()
	time.Sleep(100 * time.Millisecond) // and the inbox's commit after them
	close(release)
	wg.Wait()
	if len(order) != 7 || order[0] != "inbox" {
		t.Errorf("order after the write in hand: %v, want the inbox's commit first", order)
	}
}

// A stream of inbox commits (a busy bot's acknowledgements) does not
// starve the other writes: each waits for one commit at most.
func TestInboxCommitsDoNotStarveWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "starve.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.CommitInbox(ctx, []repertoire.InboxItem{{Platform: "slack", Kind: "event", Delivery: fmt.Sprint(c, ".", i),
					Channel: "C1", Payload: []byte("{}"), Received: time.Now()}}, nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	writes := make(chan error, 1)
	go func() {
		for i := range 20 {
			if err := s.tx(ctx, "", func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO applied_events (id, applied_at) VALUES (?, 0)`, fmt.Sprint("w", i))
				return err
			}); err != nil {
				writes <- err
				return
			}
		}
		writes <- nil
	}()
	select {
	case err := <-writes:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(20 * time.Second):
		t.Error("20 writes did not get the writer in 20 s of inbox commits")
	}
	close(stop)
	wg.Wait()
}
