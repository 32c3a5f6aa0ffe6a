package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// DigestConfig is the digest default for channels that did not set their own.
type DigestConfig struct {
	// Schedule is the default schedule (REPERTOIRE_DIGEST_SCHEDULE in
	// REPERTOIRE_TZ); Monday 09:00 UTC when not valid.
	Schedule Schedule
	// Quiet is what a quiet period gets: a short note (the default) or nothing.
	Quiet repertoire.Quiet
	// Limits bound a digest's size.
	Limits repertoire.DigestLimits
}

// Clock is the scheduler's time: Now, and a channel that delivers once d has
// passed. Tests drive it by hand; production uses the wall clock.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// WallClock is the real clock.
func WallClock() Clock { return wallClock{} }

// SchedulerConfig configures a Scheduler.
type SchedulerConfig struct {
	Clock Clock // WallClock when nil
	// Poll bounds the sleep between checks (1 minute when zero), so a
	// schedule changed by another process, or a failed post, is picked up.
	Poll time.Duration
	// Instance names this process in digest claims (host:pid).
	Instance string
	// PostTimeout bounds one digest post, which shutdown waits for (2
	// minutes when zero).
	PostTimeout time.Duration
	// Lease is how long a claim stays this process's: a period still
	// being posted after it was claimed by a process that died, and is
	// taken over (after looking for the post it may have made).
	// PostTimeout plus a minute when zero; Poll is at most Lease.
	Lease time.Duration
}

// Log attribute keys of the scheduler (with those of bot.go).
const (
	logPeriodEnd = "period_end"
	logLate      = "late"
	logEntries   = "entries"
)

// catchUpGrace is how late a digest may run and still count as on time. A
// later run is a catch-up after downtime: it posts only when the period has
// something to say, so a first start mid-week does not post a note about a
// week the bot was not there for.
const catchUpGrace = 10 * time.Minute

// Scheduler posts each channel's digest once per period.
//
// It uses robfig/cron for the grammar and the fire times (Schedule), not for
// running jobs: the loop sleeps on an injected Clock until the next fire time
// (or Poll), then ticks. A tick at time t posts, for every channel, the
// digest of the latest fire time at or before t unless it is recorded
// already, so one rule covers the on-time run, the repeated tick, the
// restart at 09:00:30 (recorded: nothing) and the catch-up after downtime
// (not recorded: posted once, at start). Exactly once rests on the store's
// UNIQUE (channel, period) claim, not on this process's memory, so two
// processes on one database post a period once. Panics in a digest are
// recovered per channel and recorded as a failed attempt (retried up to
// repertoire.MaxDigestAttempts times): cron v3.0.1's Recover and
// SkipIfStillRunning wrappers, whose wrong order skips a job forever, are
// not used at all.
//
// Which channels get digests: every channel with its own schedule row that
// is not off, plus every channel holding entries or open questions, on the
// default schedule, except DMs (Directer) and threads that are channels of
// their own (ThreadChanneler). Channels of platforms this bot does not serve are left
// for the process that does.
type Scheduler struct {
	b   *Bot
	cfg SchedulerConfig

	mu      sync.Mutex           // serialises ticks
	handled map[string]time.Time // channel key → latest period end this process saw recorded
}

// NewScheduler returns a scheduler of b's digests.
func (b *Bot) NewScheduler(cfg SchedulerConfig) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = WallClock()
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Minute
	}
	if cfg.Instance == "" {
		cfg.Instance = "repertoire"
	}
	if cfg.PostTimeout <= 0 {
		cfg.PostTimeout = 2 * time.Minute
	}
	if cfg.Lease <= 0 {
		cfg.Lease = cfg.PostTimeout + time.Minute
	}
	cfg.Poll = min(cfg.Poll, cfg.Lease)
	return &Scheduler{b: b, cfg: cfg, handled: map[string]time.Time{}}
}

// Run ticks at start (catching up a missed digest) and then at every fire
// time until ctx is done. A digest being posted when ctx ends is finished
// first: Run returns after it.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		now := s.cfg.Clock.Now()
		var next time.Time
		var err error
		exclusive(ctx, s.b.store, s.b.log, repertoire.LockDigests, func(ctx context.Context) { next, err = s.Tick(ctx, now) })
		if err != nil && ctx.Err() == nil {
			s.b.log.WarnContext(ctx, "digest tick", logErr, err)
		}
		wait := s.cfg.Poll
		if !next.IsZero() && next.Sub(now) < wait {
			wait = max(next.Sub(now), 0)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.cfg.Clock.After(wait):
		}
	}
}

// channelKey identifies a channel in maps.
func channelKey(c repertoire.Channel) string { return c.Platform + "\x00" + c.Space + "\x00" + c.ID }

// digestTarget is a channel with the schedule that applies to it.
type digestTarget struct {
	ch       repertoire.Channel
	sched    Schedule
	quiet    repertoire.Quiet
	since    time.Time // fire times before this are not its (schedule set later)
	explicit bool
}

// digestTargets lists the channels that get digests, with their schedules.
func (b *Bot) digestTargets(ctx context.Context) ([]digestTarget, error) {
	rows, err := b.store.DigestSchedules(ctx)
	if err != nil {
		return nil, err
	}
	active, err := b.store.ActiveChannels(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []digestTarget
	for _, r := range rows {
		seen[channelKey(r.Channel)] = true
		if !r.Enabled {
			continue
		}
		t, err := b.targetOf(r)
		if err != nil {
			b.log.WarnContext(ctx, "stored digest schedule invalid; using the default", logChannel, r.Channel.ID, logErr, err)
		}
		out = append(out, t)
	}
	for _, c := range active {
		if !seen[channelKey(c)] && !b.direct(ChannelRef{Platform: c.Platform, Space: c.Space, ID: c.ID}) {
			out = append(out, digestTarget{ch: c, sched: b.cfg.Digest.Schedule, quiet: b.cfg.Digest.Quiet})
		}
	}
	return out, nil
}

// direct reports whether ch is a DM, as its platform tells.
func (b *Bot) direct(ch ChannelRef) bool {
	d, ok := b.platforms[ch.Platform].(Directer)
	return ok && d.Direct(ch)
}

// threadChannel reports whether ch is a thread with its own channel ID, as
// its platform tells.
func (b *Bot) threadChannel(ctx context.Context, ch ChannelRef) bool {
	p, ok := b.platforms[ch.Platform].(ThreadChanneler)
	return ok && p.ThreadChannel(ctx, ch)
}

// targetOf applies a channel's own row; an unusable stored spec falls back
// to the default (and says so in the error).
func (b *Bot) targetOf(r repertoire.DigestSchedule) (digestTarget, error) {
	t := digestTarget{ch: r.Channel, sched: b.cfg.Digest.Schedule, quiet: r.Quiet, since: r.UpdatedAt, explicit: true}
	if t.quiet == repertoire.QuietDefault {
		t.quiet = b.cfg.Digest.Quiet
	}
	sched, err := ParseSchedule(r.Spec, r.Zone)
	if err != nil {
		return t, err
	}
	t.sched = sched
	return t, nil
}

// Tick posts every due digest not posted yet and returns the next fire time
// of any channel (zero when none). It is what Run calls; tests call it with
// the times they want.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	targets, err := s.b.digestTargets(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("digest targets: %w", err)
	}
	var next time.Time
	var errs []error
	for _, t := range targets {
		if n := t.sched.Next(now); !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
		if ctx.Err() != nil {
			continue // shutting down: start no new digest
		}
		if _, ok := s.b.platforms[t.ch.Platform]; !ok {
			continue
		}
		end := t.sched.Last(now)
		if end.IsZero() || end.Before(t.since) || !s.handled[channelKey(t.ch)].Before(end) {
			continue
		}
		// Asked only of a due default target, once a period: the adapter
		// may have to ask the platform.
		if !t.explicit && s.b.threadChannel(ctx, ChannelRef{Platform: t.ch.Platform, Space: t.ch.Space, ID: t.ch.ID}) {
			s.handled[channelKey(t.ch)] = end
			continue
		}
		if err := s.runOne(ctx, t, end, now); err != nil {
			errs = append(errs, err)
		}
	}
	return next, errors.Join(errs...)
}

// runOne posts one channel's digest for the period ending at end, unless the
// period is recorded already. A panic is contained here.
func (s *Scheduler) runOne(ctx context.Context, t digestTarget, end, now time.Time) (err error) {
	b := s.b
	key := channelKey(t.ch)
	claimed := false
	// The post and its record are finished even when ctx ends meanwhile:
	// shutdown waits for them, bounded by PostTimeout.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.PostTimeout)
	defer cancel()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		b.log.ErrorContext(ctx, "panic in digest", logChannel, t.ch.ID, logPeriodEnd, end, "panic", r, "stack", string(debug.Stack()))
		err = fmt.Errorf("digest %s: panic: %v", t.ch.ID, r)
		if claimed {
			if ferr := b.store.FinishDigest(pctx, t.ch, end, repertoire.DigestOutcome{Status: repertoire.DigestFailed, Error: "panic"}); ferr != nil {
				b.log.ErrorContext(ctx, "record failed digest", logChannel, t.ch.ID, logErr, ferr)
			}
		}
	}()
	start := t.sched.Period(end)
	claim, err := b.store.ClaimDigestLease(pctx, t.ch, start, end, s.cfg.Instance, s.cfg.Lease)
	if err != nil {
		return err
	}
	if !claim.Claimed {
		// Someone (maybe us, before a restart) has it; a claim whose
		// process died is taken over once its lease ends.
		if rec, err := b.store.Digests(pctx, t.ch, 1); err == nil && len(rec) == 1 && rec[0].End.Equal(end) && rec[0].Status == repertoire.DigestPosting {
			return nil
		}
		s.handled[key] = end
		return nil
	}
	claimed = true
	data, err := b.store.DigestData(pctx, t.ch, start, end, b.cfg.Digest.Limits)
	if err != nil {
		return s.fail(pctx, t, end, err)
	}
	d := ComposeDigest(data, t.sched.Zone)
	d.Direct = b.direct(d.Channel)
	if claim.TakenOver {
		// The process that claimed the period died; it may have posted
		// before dying. Its post carries the period's span: look for it.
		if ref, found, err := s.findPosted(pctx, d, claim.PrevClaimedAt); err != nil {
			return s.fail(pctx, t, end, fmt.Errorf("look for a digest posted before a crash: %w", err))
		} else if found {
			s.handled[key] = end
			b.log.InfoContext(ctx, "digest was posted by a process that died; recorded, not posted again", logPlatform, t.ch.Platform, logChannel, t.ch.ID, logPeriodEnd, end)
			return b.store.FinishDigest(pctx, t.ch, end, repertoire.DigestOutcome{Status: repertoire.DigestSent, MessageID: ref.ID, Entries: data.TotalEntries})
		}
	}
	late := now.Sub(end) > catchUpGrace
	if d.Quiet && (late || t.quiet == repertoire.QuietSkip) {
		s.handled[key] = end
		b.log.InfoContext(ctx, "digest skipped: quiet period", logPlatform, t.ch.Platform, logChannel, t.ch.ID, logPeriodEnd, end, logLate, late)
		b.cfg.Observer.Digest(t.ch.Platform, DigestSkipped)
		return b.store.FinishDigest(pctx, t.ch, end, repertoire.DigestOutcome{Status: repertoire.DigestSkipped})
	}
	parts := d.Doc().Parts()
	ref, err := b.post(pctx, Outgoing{Channel: d.Channel, Doc: d.Doc()})
	if err != nil {
		return s.fail(pctx, t, end, err)
	}
	b.archiveDigest(pctx, data, parts, ref)
	s.handled[key] = end
	o := repertoire.DigestOutcome{Status: repertoire.DigestSent, MessageID: ref.ID, Entries: data.TotalEntries}
	if d.Rediscover != nil {
		o.RediscoverID = d.Rediscover.ID
	}
	b.log.InfoContext(ctx, "digest posted", logPlatform, t.ch.Platform, logChannel, t.ch.ID, logPeriodEnd, end, logEntries, data.TotalEntries, logLate, late)
	b.cfg.Observer.Digest(t.ch.Platform, DigestPosted)
	if err := b.store.FinishDigest(pctx, t.ch, end, o); err != nil {
		// Posted but not marked: the claim row still blocks a second post.
		return err
	}
	return nil
}

// findPosted looks in the digest's channel for a post of the bot since a
// claim, holding the digest's span (its marker: a channel has one digest
// per period). A platform that cannot look reports nothing found: the
// digest is posted again, at least once rather than never.
func (s *Scheduler) findPosted(ctx context.Context, d Digest, since time.Time) (MessageRef, bool, error) {
	p, err := s.b.platform(d.Channel)
	if err != nil {
		return MessageRef{}, false, err
	}
	f, ok := p.(PostFinder)
	if !ok {
		s.b.log.WarnContext(ctx, "platform cannot look for an earlier digest post; posting again", logPlatform, d.Channel.Platform)
		return MessageRef{}, false, nil
	}
	return f.FindPost(ctx, d.Channel, since.Add(-time.Minute), d.span())
}

// fail records a failed attempt; the next tick may claim the period again.
func (s *Scheduler) fail(ctx context.Context, t digestTarget, end time.Time, cause error) error {
	s.b.cfg.Observer.Digest(t.ch.Platform, DigestFailed)
	if err := s.b.store.FinishDigest(ctx, t.ch, end, repertoire.DigestOutcome{Status: repertoire.DigestFailed, Error: cause.Error()}); err != nil {
		return errors.Join(cause, err)
	}
	return fmt.Errorf("digest %s: %w", t.ch.ID, cause)
}
