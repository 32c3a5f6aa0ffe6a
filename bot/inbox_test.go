package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
)

// lineDecoder is a platform whose payloads are "channel/n": each becomes a
// MessagePosted with ID n in that channel.
type lineDecoder struct{}

func (lineDecoder) Name() string { return "test" }

func (lineDecoder) Decode(_ context.Context, d bot.Delivery) ([]bot.Event, error) {
	ch, id, ok := strings.Cut(string(d.Payload), "/")
	if !ok {
		return nil, fmt.Errorf("bad payload %q", d.Payload)
	}
	return []bot.Event{bot.MessagePosted{ID: d.ID, Message: bot.Message{Ref: bot.MessageRef{Channel: bot.ChannelRef{Platform: "test", ID: ch}, ID: id}}}}, nil
}

type recorder struct {
	mu   sync.Mutex
	seen map[string][]string // channel → message IDs in applied order
	n    int
	all  chan struct{}
	want int
}

func (r *recorder) Handle(_ context.Context, ev bot.Event) error {
	p := ev.(bot.MessagePosted)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[p.Message.Ref.Channel.ID] = append(r.seen[p.Message.Ref.Channel.ID], p.Message.Ref.ID)
	r.n++
	if r.n == r.want {
		close(r.all)
	}
	return nil
}

// TestInboxAppliesWhatWasAcceptedBeforeAStop accepts deliveries from
// concurrent receivers with no applier running (a process killed after its
// acks), then starts a new inbox on the same file: every delivery is applied
// once, in order per channel, and retries of a delivery are stored once.
func TestInboxAppliesWhatWasAcceptedBeforeAStop(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "inbox.db")
	store, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	const channels, per = 5, 100
	in := bot.NewInbox(store, nil, nil, bot.InboxOptions{})
	var wg sync.WaitGroup
	for c := range channels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				d := bot.Delivery{Platform: "test", Kind: "line", ID: fmt.Sprintf("d%d-%d", c, i), Channel: fmt.Sprint("c", c),
					Payload: fmt.Appendf(nil, "c%d/%03d", c, i)}
				if err := in.Accept(ctx, d); err != nil {
					t.Error(err)
				}
				if i%10 == 0 { // a platform's retry of the same delivery
					if err := in.Accept(ctx, d); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	in.Close()
	store.Close()

	store, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n, oldest, err := store.InboxDepth(ctx); err != nil || n != channels*per || oldest.IsZero() {
		t.Fatalf("pending after restart: %d (oldest %v, err %v), want %d", n, oldest, err, channels*per)
	}
	rec := &recorder{seen: map[string][]string{}, all: make(chan struct{}), want: channels * per}
	in = bot.NewInbox(store, rec, nil, bot.InboxOptions{Workers: 3})
	in.Register(lineDecoder{})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- in.Run(runCtx) }()
	select {
	case <-rec.all:
	case <-time.After(10 * time.Second):
		t.Fatalf("only %d of %d deliveries applied", rec.n, rec.want)
	}
	// Marks are written by the committer; wait for the inbox to empty.
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, _, err := store.InboxDepth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending after they were applied", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	in.Close()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.n != channels*per {
		t.Fatalf("%d applications, want %d (each once)", rec.n, channels*per)
	}
	for c := range channels {
		got := rec.seen[fmt.Sprint("c", c)]
		for i, id := range got {
			if id != fmt.Sprintf("%03d", i) {
				t.Fatalf("channel c%d: message %s applied at position %d", c, id, i)
			}
		}
	}
}
