package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

func item(delivery, channel string, at time.Time) repertoire.InboxItem {
	return repertoire.InboxItem{Platform: "shell", Kind: "message", Delivery: delivery, Channel: channel,
		Payload: []byte(`{"text":"` + delivery + `"}`), Received: at}
}

// testInboxCommitPendingOrder: committed items come back pending in commit
// order with their payloads, duplicates of a delivery are dropped, marking
// done removes them from the pending list and the depth, and pruning
// forgets only applied items.
func testInboxCommitPendingOrder(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if n, oldest, err := s.InboxDepth(ctx); err != nil || n != 0 || !oldest.IsZero() {
		t.Fatalf("empty inbox depth %d %v %v", n, oldest, err)
	}
	seqs, err := s.CommitInbox(ctx, []repertoire.InboxItem{item("d1", "c1", t0), item("d2", "c2", t0.Add(time.Second)), item("d3", "c1", t0.Add(2*time.Second))}, nil)
	if err != nil || len(seqs) != 3 || !(0 < seqs[0] && seqs[0] < seqs[1] && seqs[1] < seqs[2]) {
		t.Fatalf("commit: %v %v", seqs, err)
	}
	// A redelivery of d2 beside a new item: 0 for the duplicate.
	more, err := s.CommitInbox(ctx, []repertoire.InboxItem{item("d2", "c2", t0.Add(3*time.Second)), item("d4", "c2", t0.Add(4*time.Second))}, nil)
	if err != nil || len(more) != 2 || more[0] != 0 || more[1] <= seqs[2] {
		t.Fatalf("duplicate commit: %v %v", more, err)
	}
	pending, err := s.PendingInbox(ctx, 0, 10)
	if err != nil || len(pending) != 4 {
		t.Fatalf("pending %v %v", pending, err)
	}
	for i, want := range []string{"d1", "d2", "d3", "d4"} {
		p := pending[i]
		if p.Delivery != want || string(p.Payload) != `{"text":"`+want+`"}` || p.Platform != "shell" || p.Kind != "message" {
			t.Errorf("pending[%d] = %+v, want %s", i, p, want)
		}
	}
	if !pending[0].Received.Equal(t0) || pending[0].Channel != "c1" || pending[1].Channel != "c2" {
		t.Errorf("received/channel not kept: %+v", pending[0])
	}
	if page, _ := s.PendingInbox(ctx, pending[1].Seq, 1); len(page) != 1 || page[0].Delivery != "d3" {
		t.Errorf("after %d limit 1: %+v", pending[1].Seq, page)
	}
	if n, oldest, _ := s.InboxDepth(ctx); n != 4 || !oldest.Equal(t0) {
		t.Errorf("depth %d oldest %v", n, oldest)
	}
	// Mark d1 and d3 applied, in the same call as a new item.
	if _, err := s.CommitInbox(ctx, []repertoire.InboxItem{item("d5", "c1", t0.Add(5*time.Second))}, []int64{pending[0].Seq, pending[2].Seq}); err != nil {
		t.Fatal(err)
	}
	pending, _ = s.PendingInbox(ctx, 0, 10)
	var got []string
	for _, p := range pending {
		got = append(got, p.Delivery)
	}
	if fmt.Sprint(got) != "[d2 d4 d5]" {
		t.Errorf("pending after marks: %v", got)
	}
	if n, oldest, _ := s.InboxDepth(ctx); n != 3 || !oldest.Equal(t0.Add(time.Second)) {
		t.Errorf("depth after marks %d %v", n, oldest)
	}
	// An applied delivery redelivered stays applied.
	if again, _ := s.CommitInbox(ctx, []repertoire.InboxItem{item("d1", "c1", t0)}, nil); again[0] != 0 {
		t.Errorf("applied d1 committed again as %d", again[0])
	}
	// Pruning forgets applied items only.
	if n, err := s.PruneInbox(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Errorf("prune: %d %v", n, err)
	}
	if pending, _ = s.PendingInbox(ctx, 0, 10); len(pending) != 3 {
		t.Errorf("prune took pending items: %+v", pending)
	}
}

// testInboxConcurrentCommits: commits from many goroutines each get their
// own Seq, and every item is pending exactly once.
func testInboxConcurrentCommits(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if _, err := s.CommitInbox(ctx, []repertoire.InboxItem{item(fmt.Sprintf("g%d-%d", g, i), fmt.Sprint("c", g), time.Time{})}, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	pending, err := s.PendingInbox(ctx, 0, 1000)
	if err != nil || len(pending) != 80 {
		t.Fatalf("pending %d %v", len(pending), err)
	}
	seen := map[string]bool{}
	last := map[string]int{}
	for i, p := range pending {
		if seen[p.Delivery] || (i > 0 && p.Seq <= pending[i-1].Seq) {
			t.Fatalf("item %d %+v repeated or out of order", i, p)
		}
		seen[p.Delivery] = true
		// One goroutine's items are in its own order.
		var g, n int
		fmt.Sscanf(p.Delivery, "g%d-%d", &g, &n)
		if k := fmt.Sprint(g); n < last[k] {
			t.Errorf("%s before an earlier item of its goroutine", p.Delivery)
		} else {
			last[k] = n
		}
		if p.Received.IsZero() {
			t.Errorf("%s: no receive time given, none set", p.Delivery)
		}
	}
}

// testAppliedEventsOnce: every method that takes an event applies it once;
// an empty event is never recorded; pruned events may apply again.
func testAppliedEventsOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if err := s.MarkApplied(ctx, "ev1"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkApplied(ctx, "ev1"); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Errorf("second MarkApplied: %v", err)
	}
	for range 2 {
		if err := s.MarkApplied(ctx, ""); err != nil {
			t.Errorf("empty event: %v", err)
		}
	}
	p := saveParams("m1", "Use the staging cluster for load tests.", "U3")
	p.Event = "ev-save"
	if _, _, err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Saver = repertoire.Person{ID: "U4"}
	if _, _, err := s.Save(ctx, p); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Errorf("redelivered save: %v", err)
	}
	e, _ := s.EntryBySource(ctx, src("m1"))
	if e.Votes != 1 {
		t.Errorf("redelivered save counted: votes %d", e.Votes)
	}
	if _, err := s.Vote(ctx, "ev-vote", e.ID, "U5"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unvote(ctx, "ev-vote", e.ID, "U5"); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Errorf("an event ID is one delivery whatever it does: %v", err)
	}
	if _, err := s.EditSource(ctx, "ev-edit", src("m1"), "Use the staging cluster for soak tests.", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditSource(ctx, "ev-edit", src("m1"), "overwritten", time.Now()); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Errorf("redelivered edit: %v", err)
	}
	if e, _ := s.EntryBySource(ctx, src("m1")); e.Answer != "Use the staging cluster for soak tests." {
		t.Errorf("answer %q", e.Answer)
	}
	n, err := s.PruneEvents(ctx, time.Now().Add(time.Hour))
	if err != nil || n < 4 {
		t.Errorf("prune events: %d %v", n, err)
	}
	if err := s.MarkApplied(ctx, "ev1"); err != nil {
		t.Errorf("after pruning, ev1 is new again: %v", err)
	}
}
