package sqlite

import (
	"context"
	"slices"
	"sync"
)

// writeTurn orders this process's writers on its one writer connection:
// the inbox's commit (an acknowledgement waits on it) goes before every
// other writer waiting, the others in arrival order. database/sql hands a
// freed connection to a waiter picked at random, so an acknowledgement
// could wait behind every write queued meanwhile, each of them perhaps
// waiting for another process's lock (an import's) in turn. A stream of
// inbox commits does not starve the others: after one, a waiting other
// writer goes next, so an acknowledgement waits for two writes at most.
type writeTurn struct {
	mu        sync.Mutex
	held      bool
	lastHigh  bool // the turn in hand (or the last) is the inbox's
	high, low []chan struct{}
}

// take waits for the turn; high is the inbox's commit. An error (ctx
// ended) means the turn was not taken.
func (w *writeTurn) take(ctx context.Context, high bool) error {
	w.mu.Lock()
	if !w.held {
		w.held, w.lastHigh = true, high
		w.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if high {
		w.high = append(w.high, ch)
	} else {
		w.low = append(w.low, ch)
	}
	w.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	queued := false
	for _, q := range []*[]chan struct{}{&w.high, &w.low} {
		if i := slices.Index(*q, ch); i >= 0 {
			*q = slices.Delete(*q, i, i+1)
			queued = true
		}
	}
	w.mu.Unlock()
	if !queued {
		w.give() // handed over as ctx ended: pass it on
	}
	return ctx.Err()
}

// give ends the turn, handing it to the next writer waiting.
func (w *writeTurn) give() {
	w.mu.Lock()
	defer w.mu.Unlock()
	var next chan struct{}
	switch {
	case len(w.high) > 0 && !(w.lastHigh && len(w.low) > 0):
		next, w.high, w.lastHigh = w.high[0], w.high[1:], true
	case len(w.low) > 0:
		next, w.low, w.lastHigh = w.low[0], w.low[1:], false
	default:
		w.held = false
		return
	}
	close(next)
}
