package sqlite

import (
	"context"
	"slices"
	"sync"
)

// writeTurn orders this process's writers on its one writer connection in
// arrival order. database/sql hands a freed connection to a waiter picked
// at random, so a write could wait behind every write queued after it,
// each of them perhaps waiting for another process's lock (an import's)
// in turn. The inbox's commits do not take part: they have a file and a
// writer of their own (inboxfile.go).
type writeTurn struct {
	mu    sync.Mutex
	held  bool
	queue []chan struct{}
}

// take waits for the turn. An error (ctx ended) means the turn was not
// taken.
func (w *writeTurn) take(ctx context.Context) error {
	w.mu.Lock()
	if !w.held {
		w.held = true
		w.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	w.queue = append(w.queue, ch)
	w.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	i := slices.Index(w.queue, ch)
	if i >= 0 {
		w.queue = slices.Delete(w.queue, i, i+1)
	}
	w.mu.Unlock()
	if i < 0 {
		w.give() // handed over as ctx ended: pass it on
	}
	return ctx.Err()
}

// give ends the turn, handing it to the next writer waiting.
func (w *writeTurn) give() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) == 0 {
		w.held = false
		return
	}
	next := w.queue[0]
	w.queue = w.queue[1:]
	close(next)
}
