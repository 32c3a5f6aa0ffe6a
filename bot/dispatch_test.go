package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

func TestDispatcherKeepsChannelOrderAndDrainsOnClose(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]int{}
	h := bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
		p := ev.(bot.MessagePosted)
		var n int
		fmt.Sscan(p.Message.Ref.ID, &n)
		mu.Lock()
		seen[p.Message.Ref.Channel.ID] = append(seen[p.Message.Ref.Channel.ID], n)
		mu.Unlock()
		return nil
	})
	d := bot.NewDispatcher(h, nil, 3, 2)
	const perChannel = 200
	var wg sync.WaitGroup
	for c := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := bot.ChannelRef{Platform: "test", ID: fmt.Sprint("c", c)}
			for i := range perChannel {
				ev := bot.MessagePosted{Message: bot.Message{Ref: bot.MessageRef{Channel: ch, ID: fmt.Sprint(i)}}}
				if err := d.Handle(context.Background(), ev); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	d.Close()
	for c := range 5 {
		got := seen[fmt.Sprint("c", c)]
		if len(got) != perChannel {
			t.Fatalf("channel c%d: %d events applied, want %d", c, len(got), perChannel)
		}
		for i, n := range got {
			if n != i {
				t.Fatalf("channel c%d: event %d applied at position %d", c, n, i)
			}
		}
	}
	if err := d.Handle(context.Background(), bot.MessagePosted{}); err == nil {
		t.Error("Handle after Close should fail")
	}
}

func TestDispatcherPushesBackWhenFull(t *testing.T) {
	release := make(chan struct{})
	h := bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error { <-release; return nil })
	d := bot.NewDispatcher(h, nil, 1, 1)
	defer d.Close()
	defer close(release)
	ctx := context.Background()
	// One event in the worker, one in the queue; the third must wait.
	for range 2 {
		if err := d.Handle(ctx, bot.MessagePosted{}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := d.Handle(ctx, bot.MessagePosted{}); err == nil {
		t.Error("a full queue should make Handle wait until its context ends")
	}
}

// A stopping adapter (its context ended) still hands over what it received
// while the queue has room; only a full queue refuses it.
func TestDispatcherTakesEventsFromAStoppingAdapter(t *testing.T) {
	var mu sync.Mutex
	n := 0
	d := bot.NewDispatcher(bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
		if ctx.Err() != nil {
			t.Errorf("event applied with an ended context")
		}
		mu.Lock()
		n++
		mu.Unlock()
		return nil
	}), nil, 1, 100)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 50 {
		m := bot.Message{Ref: bot.MessageRef{Channel: bot.ChannelRef{Platform: "test", ID: "c"}, ID: fmt.Sprint(i)}}
		if err := d.Handle(ctx, bot.MessagePosted{ID: fmt.Sprint(i), Message: m}); err != nil {
			t.Fatalf("event %d refused with room in the queue: %v", i, err)
		}
	}
	d.Close()
	if n != 50 {
		t.Fatalf("%d of 50 applied", n)
	}
}
