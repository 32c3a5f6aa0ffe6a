package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
)

// Two replicas take the shared inbox: each delivery goes to one of them,
// a channel's deliveries to one replica in order, and when a replica stops
// taking (it died), its channels and what it had taken and not applied
// pass to the other once its claim lapses.
func TestTakeInboxAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	url := dbURL(t)
	clock := time.Now()
	now := func() time.Time { return clock }
	open := func() *postgres.Store {
		s, err := postgres.Open(ctx, url, nil, postgres.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	delivery := 0
	commit := func(s *postgres.Store, ch string, n int) {
		var items []repertoire.InboxItem
		for range n {
			delivery++
			items = append(items, repertoire.InboxItem{Platform: "slack", Kind: "event", Delivery: fmt.Sprint("d", delivery),
				Channel: ch, Payload: []byte("{}")})
		}
		if _, err := s.CommitInbox(ctx, items, nil); err != nil {
			t.Fatal(err)
		}
	}
	take := func(s *postgres.Store) []repertoire.InboxItem {
		items, err := s.TakeInbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(items); i++ {
			if items[i].Seq <= items[i-1].Seq {
				t.Fatalf("taken out of order: %d then %d", items[i-1].Seq, items[i].Seq)
			}
		}
		return items
	}
	commit(a, "C1", 3)
	commit(b, "C2", 2)
	if got := len(take(a)); got != 5 {
		t.Fatalf("replica A took %d deliveries of 5", got)
	}
	if got := take(b); len(got) != 0 {
		t.Fatalf("replica B took %d deliveries A holds", len(got))
	}
	if got := take(a); len(got) != 0 {
		t.Fatalf("replica A took %d deliveries twice", len(got))
	}
	// A new channel goes to whoever takes first; A's channels stay A's.
	commit(b, "C3", 1)
	commit(b, "C1", 1)
	if got := take(b); len(got) != 1 || got[0].Channel != "C3" {
		t.Fatalf("replica B took %v, want C3's one delivery", got)
	}
	if got := take(a); len(got) != 1 || got[0].Channel != "C1" {
		t.Fatalf("replica A took %v, want C1's new delivery", got)
	}
	// A applies C2's deliveries, then dies; B renews C3 meanwhile.
	var done []int64
	pending, err := a.PendingInbox(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range pending {
		if it.Channel == "C2" {
			done = append(done, it.Seq)
		}
	}
	if _, err := a.CommitInbox(ctx, nil, done); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(postgres.ClaimLease / 2)
	take(b)
	clock = clock.Add(postgres.ClaimLease/2 + time.Second)
	got := take(b)
	if len(got) != 4 {
		t.Fatalf("after A's claims lapsed, B took %d deliveries, want C1's 4 A never applied", len(got))
	}
	for _, it := range got {
		if it.Channel != "C1" {
			t.Fatalf("B took %s's delivery %d", it.Channel, it.Seq)
		}
	}
}

// A replica that closes its store (a restart, a deploy) releases its
// channels: the next handle takes them and what was not applied at once,
// not after ClaimLease.
func TestClosedReplicaReleasesItsChannels(t *testing.T) {
	ctx := context.Background()
	url := dbURL(t)
	clock := time.Now()
	now := func() time.Time { return clock }
	a, err := postgres.Open(ctx, url, nil, postgres.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CommitInbox(ctx, []repertoire.InboxItem{{Platform: "slack", Kind: "event", Delivery: "d1",
		Channel: "C1", Payload: []byte("{}")}}, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := a.TakeInbox(ctx, 10); err != nil || len(got) != 1 {
		t.Fatalf("A took %d deliveries of 1 (%v)", len(got), err)
	}
	a.Close()
	b, err := postgres.Open(ctx, url, nil, postgres.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	clock = clock.Add(time.Second) // well within A's lease
	if got, err := b.TakeInbox(ctx, 10); err != nil || len(got) != 1 || got[0].Delivery != "d1" {
		t.Fatalf("after A closed, B took %v (%v), want A's untaken delivery d1", got, err)
	}
}
