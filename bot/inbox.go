package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Delivery is one platform payload as an adapter received it, before any
// work: what the inbox commits before the adapter acknowledges.
type Delivery struct {
	Platform string // the Decoder that turns it into events (Platform.Name)
	Kind     string // the adapter's payload type ("event", "command", "MESSAGE_CREATE"…)
	ID       string // the platform's delivery ID: a second delivery with the same ID is dropped
	Channel  string // events of one channel are applied in arrival order
	Payload  []byte
	Received time.Time
}

// Decoder turns a stored delivery back into the core's events. Adapters
// implement it with the translation they would have done on receipt; Decode
// runs when the delivery is applied (after a restart, perhaps), so it may
// look things up on the platform. An error means the payload can never be
// applied: the inbox logs it and moves on.
type Decoder interface {
	Name() string
	Decode(ctx context.Context, d Delivery) ([]Event, error)
}

// InboxOptions tune an Inbox; zero values take the defaults.
type InboxOptions struct {
	// Workers apply events in parallel, one channel always on the same
	// worker. 4 when zero.
	Workers int
	// EventTimeout is each event's deadline. 2 minutes when zero: a
	// capture may wait for a paced history read.
	EventTimeout time.Duration
	// DrainTimeout is how long a stopping inbox lets the events in hand
	// finish before cancelling them (they stay pending). 10 s when zero.
	DrainTimeout time.Duration
	// MaxPending is the inbox depth over which Ready reports not ready.
	// 10,000 when zero.
	MaxPending int64
	// Retention is how long applied deliveries are kept to recognise a
	// platform's retry. 7 days when zero.
	Retention time.Duration
}

func (o InboxOptions) withDefaults() InboxOptions {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.EventTimeout <= 0 {
		o.EventTimeout = 2 * time.Minute
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 10 * time.Second
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 10_000
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	return o
}

// Inbox makes acknowledgement durable. Accept commits deliveries to the
// store (many receivers' deliveries in one transaction: group commit) and
// returns once they are on disk, so an adapter acks only what a kill cannot
// lose. Run applies them: it reads pending deliveries in arrival order,
// hands each channel's to the same worker, decodes them through their
// platform's Decoder, applies the events to the handler under a deadline,
// and marks them applied.
//
// The mark is a separate transaction from the effects (an event's work is
// several transactions and platform calls), so a crash between them applies
// the event again on restart: every durable effect of the core is recorded
// with the event's delivery ID in its own transaction (Store.tx), so the
// second application changes nothing. A mention that only answers is
// marked answered before the answer is posted, so a crash there leaves it
// unanswered, never answered twice; a save or a forget by mention is
// recorded with its write (durable.go).
type Inbox struct {
	store repertoire.Store
	next  Handler
	log   *slog.Logger
	opts  InboxOptions

	decMu    sync.RWMutex
	decoders map[string]Decoder
	catchUp  Decoder // catch-up's own deliveries (KindCatchUp), whatever their platform

	reqs   chan commitReq
	marks  chan int64
	wake   chan struct{} // a commit added items: the reader looks again
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	errMu  sync.Mutex
	errAt  time.Time // last failed commit, for Ready
	lastOK time.Time
}

type commitReq struct {
	items []repertoire.InboxItem
	res   chan error
}

// NewInbox starts the inbox's committer; Run applies, Close stops it.
func NewInbox(store repertoire.Store, next Handler, log *slog.Logger, o InboxOptions) *Inbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in := &Inbox{store: store, next: next, log: log, opts: o.withDefaults(), decoders: map[string]Decoder{}, catchUp: catchUpDecoder{},
		reqs: make(chan commitReq, 1024), marks: make(chan int64, 4096), wake: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go in.commitLoop()
	return in
}

// Register makes the inbox apply d's platform's deliveries. Register every
// platform before Run: a delivery with no decoder waits for a later start.
func (in *Inbox) Register(d Decoder) {
	in.decMu.Lock()
	in.decoders[d.Name()] = d
	in.decMu.Unlock()
}

// WrapCatchUp wraps the decoder of catch-up's own deliveries (KindCatchUp,
// on every platform), as metrics counts them apart from the platforms'
// deliveries. Call it before Run.
func (in *Inbox) WrapCatchUp(wrap func(Decoder) Decoder) {
	in.decMu.Lock()
	in.catchUp = wrap(in.catchUp)
	in.decMu.Unlock()
}

// catchUpDecoder decodes catch-up's deliveries: the core's events as JSON.
type catchUpDecoder struct{}

func (catchUpDecoder) Name() string { return KindCatchUp }

func (catchUpDecoder) Decode(_ context.Context, d Delivery) ([]Event, error) {
	return decodeCatchUp(d.Payload)
}

var errInboxClosed = errors.New("inbox closed")

// Submit queues ds for the next group commit, in call order, and returns a
// channel that receives nil once they are committed (or the error). A
// receiver that must keep arrival order (a Socket Mode connection) submits
// in order and waits for the results elsewhere.
func (in *Inbox) Submit(ds ...Delivery) <-chan error {
	res := make(chan error, 1)
	items := make([]repertoire.InboxItem, len(ds))
	for i, d := range ds {
		items[i] = repertoire.InboxItem{Platform: d.Platform, Kind: d.Kind, Delivery: d.ID, Channel: d.Channel, Payload: d.Payload, Received: d.Received}
		if items[i].Received.IsZero() {
			items[i].Received = time.Now()
		}
	}
	select {
	case <-in.stop:
		res <- errInboxClosed
	case in.reqs <- commitReq{items: items, res: res}:
	}
	return res
}

// Accept commits ds and returns once they are durable: the adapter may ack.
// A delivery already in the inbox (a platform's retry) is accepted again
// without being stored twice.
func (in *Inbox) Accept(ctx context.Context, ds ...Delivery) error {
	select {
	case err := <-in.Submit(ds...):
		return err
	case <-ctx.Done():
		return fmt.Errorf("inbox: %w", ctx.Err())
	}
}

// commitTimeout bounds one group commit; a receiver stops waiting sooner.
const commitTimeout = 10 * time.Second

// maxGroup bounds the deliveries of one group commit.
const maxGroup = 512

// commitLoop is the one goroutine that writes the inbox: each round commits
// whatever receivers queued meanwhile, with the applied marks, in one
// transaction. At a trickle that is one delivery and no added wait; under a
// burst, the deliveries that arrived during one commit share the next.
func (in *Inbox) commitLoop() {
	defer close(in.done)
	var (
		batch []commitReq
		marks []int64
	)
	for {
		batch, marks = batch[:0], marks[:0]
		select {
		case <-in.stop:
			in.flushMarks()
			return
		case r := <-in.reqs:
			batch = append(batch, r)
		case m := <-in.marks:
			marks = append(marks, m)
		}
		n := 0
		for _, r := range batch {
			n += len(r.items)
		}
	gather:
		for n < maxGroup {
			select {
			case r := <-in.reqs:
				batch = append(batch, r)
				n += len(r.items)
			case m := <-in.marks:
				marks = append(marks, m)
			default:
				break gather
			}
		}
		in.commit(batch, marks)
	}
}

func (in *Inbox) commit(batch []commitReq, marks []int64) {
	var items []repertoire.InboxItem
	for _, r := range batch {
		items = append(items, r.items...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	_, err := in.store.CommitInbox(ctx, items, marks)
	cancel()
	in.errMu.Lock()
	if err != nil {
		in.errAt = time.Now()
	} else {
		in.lastOK = time.Now()
	}
	in.errMu.Unlock()
	if err != nil {
		in.log.ErrorContext(ctx, "inbox commit failed: deliveries not acknowledged", "deliveries", len(items), "marks", len(marks), logErr, err)
		if len(marks) > 0 {
			// The events were applied; marking them again later is safe.
			go func() {
				for _, m := range marks {
					select {
					case in.marks <- m:
					case <-in.stop:
						return
					}
				}
			}()
		}
	}
	for _, r := range batch {
		r.res <- err
	}
	if err == nil && len(items) > 0 {
		select {
		case in.wake <- struct{}{}:
		default:
		}
	}
}

// flushMarks commits the applied marks still queued when the inbox stops.
func (in *Inbox) flushMarks() {
	var marks []int64
	for {
		select {
		case m := <-in.marks:
			marks = append(marks, m)
			continue
		default:
		}
		break
	}
	if len(marks) > 0 {
		in.commit(nil, marks)
	}
}

// Close stops the committer after the marks queued so far are written.
// Receivers still waiting get an error (and do not ack).
func (in *Inbox) Close() {
	in.once.Do(func() { close(in.stop) })
	<-in.done
	for {
		select {
		case r := <-in.reqs:
			r.res <- errInboxClosed
		default:
			return
		}
	}
}

// readBatch is how many pending deliveries the reader loads at a time.
const readBatch = 256

// Run applies pending deliveries (those left by an earlier process first)
// and then each new one, until ctx ends. Then the events in hand finish
// (within DrainTimeout) and Run returns; what was not applied stays pending
// for the next start.
func (in *Inbox) Run(ctx context.Context) error {
	queues := make([]chan repertoire.InboxItem, in.opts.Workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan repertoire.InboxItem, 64)
		wg.Add(1)
		go func(q chan repertoire.InboxItem) {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case it := <-q:
					if ctx.Err() != nil {
						return // left pending for the next start
					}
					in.apply(ctx, it)
				}
			}
		}(queues[i])
	}
	defer wg.Wait()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var cursor int64
	warned := map[string]bool{}
	for {
		var items []repertoire.InboxItem
		var err error
		if tk, ok := in.store.(inboxTaker); ok {
			items, err = tk.TakeInbox(ctx, readBatch)
		} else {
			items, err = in.store.PendingInbox(ctx, cursor, readBatch)
		}
		if err != nil && ctx.Err() == nil {
			in.log.WarnContext(ctx, "read inbox", logErr, err)
		}
		for _, it := range items {
			cursor = it.Seq
			if it.Kind != KindCatchUp && in.decoder(it.Platform) == nil {
				if !warned[it.Platform] {
					warned[it.Platform] = true
					in.log.WarnContext(ctx, "inbox holds deliveries of a platform not running; left pending", logPlatform, it.Platform)
				}
				continue
			}
			q := queues[shard(ChannelRef{Platform: it.Platform, ID: it.Channel}, len(queues))]
			select {
			case q <- it:
			case <-ctx.Done():
				return nil
			}
		}
		if len(items) == readBatch {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-in.wake:
		case <-tick.C:
		}
	}
}

// inboxTaker is a store that replicas share (PostgreSQL): it hands each
// pending delivery to one replica, a channel's deliveries to one replica at
// a time in order, and a dead replica's to the others. Without it, the one
// process reads every pending delivery by cursor.
type inboxTaker interface {
	TakeInbox(ctx context.Context, limit int) ([]repertoire.InboxItem, error)
}

func (in *Inbox) decoder(platform string) Decoder {
	in.decMu.RLock()
	defer in.decMu.RUnlock()
	return in.decoders[platform]
}

// apply decodes one delivery and hands its events to the handler under the
// event's deadline. Ending ctx (shutdown) leaves the work in hand
// DrainTimeout to finish; cut short, the delivery stays pending.
func (in *Inbox) apply(ctx context.Context, it repertoire.InboxItem) {
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.opts.EventTimeout)
	defer cancel()
	stopDrain := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(in.opts.DrainTimeout, cancel)
		context.AfterFunc(ectx, func() { t.Stop() })
	})
	defer stopDrain()
	d := Delivery{Platform: it.Platform, Kind: it.Kind, ID: it.Delivery, Channel: it.Channel, Payload: it.Payload, Received: it.Received}
	var err error
	const lastAttempt = 4
	for attempt := 0; ; attempt++ {
		// The attempt knows whether another follows a transient failure
		// (so a member's request need not report one that passes).
		pause := time.Duration(100<<attempt) * time.Millisecond
		deadline, ok := ectx.Deadline()
		more := attempt < lastAttempt && (!ok || time.Until(deadline) > 2*pause)
		err = in.applyOnce(withRetry(ectx, more), d)
		if err == nil || !in.store.Transient(err) || attempt >= lastAttempt || ectx.Err() != nil {
			break
		}
		// The store was busy (another process writing): the event's
		// effects are idempotent, so try again shortly.
		if sleepCtx(ectx, pause) != nil {
			break
		}
	}
	if err != nil && ctx.Err() != nil && ectx.Err() != nil {
		in.log.WarnContext(ectx, "stopping: delivery left pending for the next start", logEvent, d.ID, "seq", it.Seq)
		return
	}
	if err != nil {
		in.log.WarnContext(ectx, "event failed", logPlatform, d.Platform, logEvent, d.ID, "seq", it.Seq, logErr, err)
	}
	select {
	case in.marks <- it.Seq:
	case <-in.stop:
	}
}

func (in *Inbox) applyOnce(ctx context.Context, d Delivery) error {
	var (
		evs []Event
		err error
	)
	if d.Kind == KindCatchUp {
		in.decMu.RLock()
		dec := in.catchUp
		in.decMu.RUnlock()
		evs, err = dec.Decode(ctx, d)
	} else {
		evs, err = in.decoder(d.Platform).Decode(ctx, d)
	}
	if err != nil {
		return fmt.Errorf("decode %s %s: %w", d.Platform, d.Kind, err)
	}
	stampArrival(evs, d.Received)
	var errs []error
	for _, ev := range evs {
		if err := in.next.Handle(ctx, ev); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Ready reports whether the bot keeps up: the store can write and the
// pending inbox is under MaxPending. It returns the depth and the oldest
// pending delivery's age for logs either way.
func (in *Inbox) Ready(ctx context.Context) (depth int64, oldest time.Duration, err error) {
	n, at, err := in.store.InboxDepth(ctx)
	if err != nil {
		return 0, 0, err
	}
	if !at.IsZero() {
		oldest = time.Since(at)
	}
	if err := in.store.CanWrite(ctx); err != nil {
		return n, oldest, err
	}
	if n > in.opts.MaxPending {
		return n, oldest, fmt.Errorf("inbox: %d deliveries pending (over %d)", n, in.opts.MaxPending)
	}
	return n, oldest, nil
}

// Maintain logs the inbox depth and the oldest pending age every interval
// and forgets applied deliveries past Retention, until ctx ends.
func (in *Inbox) Maintain(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastPrune := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, at, err := in.store.InboxDepth(ctx)
		if err != nil {
			if ctx.Err() == nil {
				in.log.WarnContext(ctx, "inbox depth", logErr, err)
			}
			continue
		}
		if n > 0 {
			in.log.InfoContext(ctx, "inbox", "pending", n, "oldest_age", time.Since(at).Round(time.Millisecond))
		}
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			exclusive(ctx, in.store, in.log, repertoire.LockRetention, func(ctx context.Context) {
				if _, err := in.store.PruneInbox(ctx, time.Now().Add(-in.opts.Retention)); err != nil && ctx.Err() == nil {
					in.log.WarnContext(ctx, "prune inbox", logErr, err)
				}
			})
		}
	}
}
