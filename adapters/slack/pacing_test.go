package slack

import (
	"context"
	"testing"
	"time"
)

// TestPacerReportsItsWaits: the pacer tells its observer of each wait it
// imposes, under the method it paces, and of nothing when it lets a call
// through at once.
func TestPacerReportsItsWaits(t *testing.T) {
	// Slots of a second, booked by waits whose context is already over (a
	// wait books its slot, reports it and returns at once): three calls in
	// a row book now, now+1 s and now+2 s whatever the machine's load, where
	// real 100 ms sleeps let a slow scheduler skip a slot.
	p := newPacer(time.Second)
	var methods []string
	var total time.Duration
	p.observe("chat.postMessage", func(method string, d time.Duration) {
		methods = append(methods, method)
		total += d
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 {
		p.wait(ctx, "C1") // ends with ctx's error: only the booking matters here
	}
	p.wait(ctx, "C2") // another channel: no wait
	if len(methods) != 2 || methods[0] != "chat.postMessage" {
		t.Errorf("observed %v, want two waits of chat.postMessage", methods)
	}
	if total <= 2*time.Second || total > 3*time.Second {
		t.Errorf("observed %v of waiting, want the two slots ahead, about 1 s and 2 s", total)
	}
	// A real wait sleeps its slot out.
	q := newPacer(50 * time.Millisecond)
	start := time.Now()
	for range 2 {
		if err := q.wait(context.Background(), "C1"); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("two waits on one channel took %v, want at least the 50 ms slot", took)
	}
	newPacer(time.Second).observe("x", nil) // no observer: nothing to call
}
