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
	p := newPacer(100 * time.Millisecond)
	var methods []string
	var total time.Duration
	p.observe("chat.postMessage", func(method string, d time.Duration) {
		methods = append(methods, method)
		total += d
	})
	ctx := context.Background()
	for range 3 {
		if err := p.wait(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.wait(ctx, "C2"); err != nil { // another channel: no wait
		t.Fatal(err)
	}
	if len(methods) != 2 || methods[0] != "chat.postMessage" {
		t.Errorf("observed %v, want two waits of chat.postMessage", methods)
	}
	if total <= 0 || total > 200*time.Millisecond {
		t.Errorf("observed %v of waiting, want some, and at most the two slots of 100 ms", total)
	}
	newPacer(time.Second).observe("x", nil) // no observer: nothing to call
}
