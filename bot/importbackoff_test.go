package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// An import waits while a running bot works through a deep inbox, and
// not when the inbox is shallow or nobody applies it.
func TestImportBacksOffWhileTheInboxIsDeep(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "backoff.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := New(s, nil, Config{})
	t0 := time.Now().Add(-time.Minute)
	items := make([]repertoire.InboxItem, importInboxDeep+40)
	for i := range items {
		items[i] = repertoire.InboxItem{Platform: "slack", Kind: "event", Delivery: fmt.Sprint("d", i), Channel: "C1",
			Payload: []byte("{}"), Received: t0.Add(time.Duration(i) * time.Millisecond)}
	}
	seqs, err := s.CommitInbox(ctx, items, nil)
	if err != nil {
		t.Fatal(err)
	}
	timed := func() time.Duration {
		start := time.Now()
		if err := b.importBackoff(ctx); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	// Deep, and nobody applies it: one look, no more.
	if took := timed(); took > 2*importBackoffStep {
		t.Errorf("waited %s on an inbox nobody applies", took)
	}
	// Deep and applied (a bot marks 8 deliveries every 50 ms): the import
	// waits until the depth is under the threshold, or for
	// importBackoffMax when the bot is slower.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < len(seqs); i += 8 {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := s.CommitInbox(ctx, nil, seqs[i:min(i+8, len(seqs))]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	took := timed()
	n, _, err := s.InboxDepth(ctx)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	// One step may be all it takes: the bot needs 250 ms to bring 240
	// pending under the threshold, as long as the first step.
	if took < importBackoffStep || n > importInboxDeep && took < importBackoffMax {
		t.Errorf("waited %s, left the inbox %d deep", took, n)
	}
	// Shallow: no wait.
	if took := timed(); took > importBackoffStep/2 {
		t.Errorf("waited %s on a shallow inbox", took)
	}
}
