package bot_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// logHandler applies a MessagePosted as the core does its durable
// effects: one write to the database that records the delivery ID in the
// same transaction. It counts the writes that happened and the deliveries
// the database had applied before.
type logHandler struct {
	store   repertoire.Store
	mu      sync.Mutex
	applied map[string]int // delivery → writes that happened
	again   int
}

func (h *logHandler) Handle(ctx context.Context, ev bot.Event) error {
	p := ev.(bot.MessagePosted)
	err := h.store.LogMessage(ctx, p.ID, repertoire.LoggedMessage{Channel: repertoire.Channel{Platform: "test", Space: "s", ID: p.Message.Ref.Channel.ID},
		ID: p.Message.Ref.ID, Author: repertoire.Person{ID: "U1"}, Text: "tip " + p.Message.Ref.ID, At: time.Now()})
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case errors.Is(err, repertoire.ErrAlreadyApplied):
		h.again++
		return nil
	case err != nil:
		return err
	}
	h.applied[p.ID]++
	return nil
}

// TestInboxAfterAKillAtEitherSide: a process acknowledged deliveries (they
// are in the inbox file), applied some of them (their effects committed to
// the database) and was killed before the inbox marked those applied: the
// two files disagree, which a kill between their commits leaves. The next
// start applies every delivery exactly once: the unapplied ones now, the
// applied ones again as no-ops (the database recorded their delivery IDs),
// and the inbox ends empty.
func TestInboxAfterAKillAtEitherSide(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kill.db")
	store, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	in := bot.NewInbox(store, nil, nil, bot.InboxOptions{})
	var ds []bot.Delivery
	for i := range n {
		d := bot.Delivery{Platform: "test", Kind: "line", ID: fmt.Sprint("d", i), Channel: fmt.Sprint("c", i%3), Payload: fmt.Appendf(nil, "c%d/%03d", i%3, i)}
		if err := in.Accept(ctx, d); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	in.Close()
	// The first process applies every other delivery, then dies before
	// the marks: its effects are in the database only.
	first := &logHandler{store: store, applied: map[string]int{}}
	for i, d := range ds {
		if i%2 == 1 {
			continue
		}
		evs, err := lineDecoder{}.Decode(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Handle(ctx, evs[0]); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	store, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if pending, _, err := store.InboxDepth(ctx); err != nil || pending != n {
		t.Fatalf("pending after the kill: %d (%v), want all %d", pending, err, n)
	}
	second := &logHandler{store: store, applied: map[string]int{}}
	in = bot.NewInbox(store, second, nil, bot.InboxOptions{})
	in.Register(lineDecoder{})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- in.Run(runCtx) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		pending, _, err := store.InboxDepth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending", pending)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	in.Close()
	for i, d := range ds {
		if got := first.applied[d.ID] + second.applied[d.ID]; got != 1 {
			t.Errorf("delivery %d applied %d times", i, got)
		}
	}
	if second.again != n/2 {
		t.Errorf("%d deliveries found applied already on the second start, want %d", second.again, n/2)
	}
	msgs, err := store.LoggedMessages(ctx, repertoire.MessageQuery{Channel: repertoire.Channel{Platform: "test", Space: "s", ID: "c0"}, Since: time.Unix(0, 0)})
	if err != nil || len(msgs) != n/3 {
		t.Errorf("channel c0 logged %d messages (%v), want %d", len(msgs), err, n/3)
	}
}
