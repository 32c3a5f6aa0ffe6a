package bot

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"
)

// Dispatcher lets adapters acknowledge at once and leaves the work to a fixed
// set of workers. Events of one channel go to the same worker, so they are
// applied in the order they arrived; a full queue makes Handle wait, which
// pushes back on the adapter instead of growing without bound.
type Dispatcher struct {
	next   Handler
	log    *slog.Logger
	queues []chan job
	wg     sync.WaitGroup
	mu     sync.RWMutex // held for reading while queueing, for writing to close
	closed bool
}

type job struct {
	ctx context.Context
	ev  Event
}

// NewDispatcher starts workers goroutines (each with a queue of depth) that
// hand events to next. Close stops them after the queued events are done.
func NewDispatcher(next Handler, log *slog.Logger, workers, depth int) *Dispatcher {
	if workers < 1 {
		workers = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{next: next, log: log, queues: make([]chan job, workers)}
	for i := range d.queues {
		q := make(chan job, depth)
		d.queues[i] = q
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for j := range q {
				// The event outlives the adapter's call (it was acked) but
				// not its own deadline.
				ctx, cancel := context.WithTimeout(j.ctx, dispatchTimeout)
				if err := d.next.Handle(ctx, j.ev); err != nil {
					d.log.WarnContext(ctx, "event failed", logEvent, j.ev.Delivery(), logErr, err)
				}
				cancel()
			}
		}()
	}
	return d
}

// Handle queues ev for its channel's worker. It returns ctx's error if ctx
// ends while the queue is full, or an error once the dispatcher is closed.
func (d *Dispatcher) Handle(ctx context.Context, ev Event) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errClosed
	}
	q, j := d.queues[shard(channelOf(ev), len(d.queues))], job{context.WithoutCancel(ctx), ev}
	// Room in the queue takes the event even when ctx is ending: a stopping
	// adapter hands over what it already received.
	select {
	case q <- j:
		return nil
	default:
	}
	select {
	case q <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting events and waits until the queued ones are applied.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		for _, q := range d.queues {
			close(q)
		}
	}
	d.mu.Unlock()
	d.wg.Wait()
}

// dispatchTimeout is each queued event's deadline: a capture may wait for a
// paced history read, nothing should wait longer.
const dispatchTimeout = 2 * time.Minute

var errClosed = errorString("dispatcher closed")

type errorString string

func (e errorString) Error() string { return string(e) }

func channelOf(ev Event) ChannelRef {
	switch ev := ev.(type) {
	case MessagePosted:
		return ev.Message.Ref.Channel
	case MessageEdited:
		return ev.Message.Ref.Channel
	case MessageDeleted:
		return ev.Ref.Channel
	case ReactionAdded:
		return ev.Target.Channel
	case ReactionRemoved:
		return ev.Target.Channel
	case ReactionsCleared:
		return ev.Target.Channel
	case Mentioned:
		return ev.Message.Ref.Channel
	case SpaceRemoved:
		return ChannelRef{Platform: ev.Platform, Space: ev.Space}
	}
	return ChannelRef{}
}

func shard(c ChannelRef, n int) int {
	h := fnv.New32a()
	h.Write([]byte(c.Platform + "\x00" + c.Space + "\x00" + c.ID))
	return int(h.Sum32() % uint32(n))
}
