package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

func inboxItem(delivery, channel, payload string) repertoire.InboxItem {
	return repertoire.InboxItem{Platform: "slack", Kind: "event", Delivery: delivery, Channel: channel, Payload: []byte(payload),
		Received: time.UnixMilli(1_700_000_000_000)}
}

func pendingDeliveries(t *testing.T, s *Store) []string {
	t.Helper()
	items, err := s.PendingInbox(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%d:%s:%s", it.Seq, it.Delivery, it.Payload))
	}
	return out
}

// A store written by an earlier release kept its inbox in the main file.
// Commands that only read neither create the inbox file nor move anything,
// and count the old rows as pending; the first write to the inbox moves
// them, keeping their order and sequence numbers. A move cut short after
// the rows reached the inbox file (before they left the main one) is
// taken up again without a row twice, and an item applied in between
// stays applied.
func TestInboxMovesFromAnEarlierRelease(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The rows an earlier release left: two pending, one applied.
	legacy := func() {
		t.Helper()
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			for _, r := range []struct {
				seq        int64
				del, pay   string
				applied    any
				receivedAt int64
			}{{3, "d3", "three", nil, 1000}, {7, "d7", "seven", nil, 2000}, {5, "d5", "five", int64(3000), 1500}} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_to_move (seq, platform, kind, delivery, channel, payload, received_at, applied_at)
					VALUES (?, 'slack', 'event', ?, 'C1', ?, ?, ?) ON CONFLICT DO NOTHING`, r.seq, r.del, []byte(r.pay), r.receivedAt, r.applied); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	legacy()
	if n, oldest, err := s.InboxDepth(ctx); err != nil || n != 2 || oldest.UnixMilli() != 1000 {
		t.Fatalf("depth before the move: %d %v %v, want 2 from the main file", n, oldest, err)
	}
	if _, err := s.Search(ctx, repertoire.SearchParams{Text: "anything"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(InboxPath(file)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("reading created the inbox file (%v)", err)
	}

	if got := pendingDeliveries(t, s); fmt.Sprint(got) != "[3:d3:three 7:d7:seven]" {
		t.Fatalf("pending after the move: %v", got)
	}
	var left int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM inbox_to_move`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d rows left in the main file (%v)", left, err)
	}
	seqs, err := s.CommitInbox(ctx, []repertoire.InboxItem{inboxItem("d9", "C1", "nine"), inboxItem("d5", "C1", "retry of five")}, nil)
	if err != nil || seqs[0] <= 7 || seqs[1] != 0 {
		t.Fatalf("new item after the move: seqs %v (%v); want above the moved ones, and the applied d5 recognised", seqs, err)
	}
	if _, err := s.CommitInbox(ctx, nil, []int64{3}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A crash after the inbox file's commit, before the main file's
	// delete: the old rows are back in the main file.
	if s, err = Open(ctx, file, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	legacy()
	if got := pendingDeliveries(t, s); fmt.Sprintf("%v", got) != fmt.Sprintf("[7:d7:seven %d:d9:nine]", seqs[0]) {
		t.Errorf("pending after the second move: %v", got)
	}
	if n, _, err := s.InboxDepth(ctx); err != nil || n != 2 {
		t.Errorf("depth %d (%v), want 2", n, err)
	}
}

// The inbox's pending items travel with a backup (one file) and are
// pending again after a restore; the live inbox file moves aside with
// the database it belonged to.
func TestBackupCarriesThePendingInbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live, backup := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db")
	s, err := Open(ctx, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := s.CommitInbox(ctx, []repertoire.InboxItem{inboxItem("d1", "C1", "one"), inboxItem("d2", "C2", "two"), inboxItem("d3", "C1", "three")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitInbox(ctx, nil, seqs[1:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if info, err := CheckBackup(ctx, backup); err != nil || info.Pending != 2 {
		t.Fatalf("backup: %+v %v, want 2 pending", info, err)
	}
	if _, err := s.CommitInbox(ctx, []repertoire.InboxItem{inboxItem("d4", "C1", "after the backup")}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	kept, err := Restore(ctx, backup, live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(InboxPath(kept)); err != nil {
		t.Errorf("the replaced inbox was not kept beside the replaced database: %v", err)
	}
	if s, err = Open(ctx, live, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := fmt.Sprintf("[%d:d1:one %d:d3:three]", seqs[0], seqs[2])
	if got := pendingDeliveries(t, s); fmt.Sprint(got) != want {
		t.Errorf("pending after the restore: %v, want %s", got, want)
	}
}

// Once applied, an item's payload (a member's words) leaves the inbox
// file: after a member is forgotten none of their words is in any of the
// store's files, the inbox's WAL included.
func TestForgetLeavesNothingInTheInbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "forget.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const secret = "quetzalmarmoset"
	payload := `{"event":{"type":"message","user":"U-bob","text":"the ` + secret + ` trick"}}`
	seqs, err := s.CommitInbox(ctx, []repertoire.InboxItem{inboxItem("d1", "C1", payload)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := func() []byte {
		var b []byte
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, data...)
		}
		return b
	}
	if !bytes.Contains(all(), []byte(secret)) {
		t.Fatal("test is blind: the words are not in the files")
	}
	if _, err := s.CommitInbox(ctx, nil, seqs); err != nil { // applied
		t.Fatal(err)
	}
	if _, err := s.ForgetUser(ctx, "slack", "U-bob"); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(all(), []byte(secret)) {
		t.Error("the forgotten member's words are still in the store's files")
	}
	if again, err := s.CommitInbox(ctx, []repertoire.InboxItem{inboxItem("d1", "C1", payload)}, nil); err != nil || again[0] != 0 {
		t.Errorf("a retry of the applied delivery: seq %v (%v), want it recognised", again, err)
	}
}

// The inbox's commits do not checkpoint (a checkpoint syncs the disk), so
// its log is kept short in the background: committing 6 MiB of
// deliveries, most of them applied along the way as the bot does, leaves
// the inbox's WAL far shorter than what was written.
func TestInboxLogStaysShort(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "log.db")
	s, err := Open(ctx, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	payload := bytes.Repeat([]byte("x"), 8<<10)
	var peak int64
	var prev []int64
	for b := range 96 {
		items := make([]repertoire.InboxItem, 8)
		for i := range items {
			items[i] = repertoire.InboxItem{Platform: "slack", Kind: "event", Delivery: fmt.Sprint("d", b, ".", i), Channel: "C1",
				Payload: payload, Received: time.Now()}
		}
		seqs, err := s.CommitInbox(ctx, items, prev)
		if err != nil {
			t.Fatal(err)
		}
		prev = seqs
		time.Sleep(10 * time.Millisecond) // the bot applies meanwhile
		if st, err := os.Stat(InboxPath(file) + "-wal"); err == nil {
			peak = max(peak, st.Size())
		}
	}
	t.Logf("inbox WAL peak %d KiB for %d KiB of payloads", peak>>10, 96*8*8)
	if peak > 8<<20 { // 15 MiB with no checkpoints
		t.Errorf("the inbox's WAL grew to %d KiB", peak>>10)
	}
}
