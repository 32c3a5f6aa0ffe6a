package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

func (c DigestConfig) withDefaults() DigestConfig {
	if !c.Schedule.Valid() {
		c.Schedule, _ = NewSchedule(DefaultDigestSpec, time.UTC)
	}
	if c.Quiet == repertoire.QuietDefault {
		c.Quiet = repertoire.QuietNote
	}
	return c
}

// digestUsage is what a member is told when a digest command is not understood.
const digestUsage = "Digest settings for this channel:\n" +
	"• `digest weekly mon 09:00 [Europe/Berlin]`: weekly, on a day (mon…sun) at a time (HH:MM, 24 h)\n" +
	"• `digest daily 17:30 [Zone]`: every day at a time\n" +
	"• `digest cron 0 9 * * MON [Zone]`: any 5-field cron spec, at most hourly\n" +
	"• `digest quiet note|skip`: a short note or nothing when a period brought nothing new\n" +
	"• `digest off`, `digest now`, `digest status`\n" +
	"Zones are IANA names such as Europe/Berlin, America/New_York or UTC; without one, the channel keeps its zone."

// errDigestUsage marks a digest command that could not be understood; the
// reply is its message plus digestUsage.
var errDigestUsage = errors.New("digest command")

// digestCommand handles "@repertoire digest …": setting, showing and running
// the channel's digest. A refused setting is answered, not treated as a
// failure: the member learns what would be valid and nothing changes.
func (b *Bot) digestCommand(ctx context.Context, ev Mentioned, args string) error {
	ref := ev.Message.Ref.Channel
	ch := repertoire.Channel{Platform: ref.Platform, Space: ref.Space, ID: ref.ID, Name: ev.Message.ChannelName, Private: ev.Message.Private}
	current, err := b.store.GetDigestSchedule(ctx, ch)
	own := err == nil
	if err != nil && !errors.Is(err, repertoire.ErrNotFound) {
		return err
	}
	verb, rest := splitCommand(args)
	switch verb {
	case "", "status":
		return b.reply(ctx, ev, b.digestStatus(ctx, ch, current, own))
	case "now":
		return b.digestNow(ctx, ch, current, own)
	case "off", "stop":
		d := current
		if !own {
			d = repertoire.DigestSchedule{Spec: b.cfg.Digest.Schedule.Spec, Zone: b.cfg.Digest.Schedule.ZoneName()}
		}
		d.Channel, d.Enabled, d.UpdatedBy, d.UpdatedAt = ch, false, ev.Message.Author.ID, b.cfg.Now()
		if err := b.store.SetDigestSchedule(ctx, d); err != nil {
			return err
		}
		return b.reply(ctx, ev, "Digests are off for this channel. `digest weekly mon 09:00` turns them back on.")
	case "quiet":
		q := repertoire.Quiet(strings.ToLower(strings.TrimSpace(rest)))
		if q != repertoire.QuietNote && q != repertoire.QuietSkip {
			return b.reply(ctx, ev, "Use `digest quiet note` (a short note when nothing new was saved) or `digest quiet skip` (nothing at all).")
		}
		d := current
		if !own {
			d = repertoire.DigestSchedule{Spec: b.cfg.Digest.Schedule.Spec, Zone: b.cfg.Digest.Schedule.ZoneName(), Enabled: true}
		}
		d.Channel, d.Quiet, d.UpdatedBy, d.UpdatedAt = ch, q, ev.Message.Author.ID, b.cfg.Now()
		if err := b.store.SetDigestSchedule(ctx, d); err != nil {
			return err
		}
		if q == repertoire.QuietSkip {
			return b.reply(ctx, ev, "Quiet periods get no digest in this channel.")
		}
		return b.reply(ctx, ev, "Quiet periods get a short note in this channel.")
	}
	zone := b.cfg.Digest.Schedule.ZoneName()
	if own {
		zone = current.Zone
	}
	sched, err := ParseDigestSetting(verb, rest, zone)
	if err != nil {
		if !errors.Is(err, ErrBadSchedule) && !errors.Is(err, errDigestUsage) {
			return err
		}
		why := err.Error()
		for _, prefix := range []error{ErrBadSchedule, errDigestUsage} {
			why = strings.TrimPrefix(why, prefix.Error()+": ")
		}
		return b.reply(ctx, ev, "I can't use that: "+why+". Nothing changed.\n\n"+digestUsage)
	}
	d := repertoire.DigestSchedule{Channel: ch, Spec: sched.Spec, Zone: sched.ZoneName(), Enabled: true,
		Quiet: current.Quiet, UpdatedBy: ev.Message.Author.ID, UpdatedAt: b.cfg.Now()}
	if err := b.store.SetDigestSchedule(ctx, d); err != nil {
		return err
	}
	next := sched.Next(b.cfg.Now())
	done := "Done: this channel gets its digest %s. The next one: %s."
	if b.inDM(ev) {
		done = "Done: you get a digest of your notes here %s. The next one: %s."
	}
	return b.reply(ctx, ev, fmt.Sprintf(done, sched.Describe(), next.In(sched.Zone).Format("Mon 2 Jan 15:04 MST")))
}

// ParseDigestSetting reads the schedule forms of the digest command:
// "weekly DAY HH:MM [ZONE]", "daily HH:MM [ZONE]" and "cron M H DOM MON DOW
// [ZONE]" (or "cron @weekly [ZONE]"). zone is used when none is given.
func ParseDigestSetting(verb, args, zone string) (Schedule, error) {
	f := strings.Fields(args)
	var spec string
	switch strings.ToLower(verb) {
	case "weekly":
		if len(f) < 2 || len(f) > 3 {
			return Schedule{}, fmt.Errorf("%w: weekly needs a day and a time, e.g. `weekly mon 09:00`", errDigestUsage)
		}
		day, ok := weekdayOf(f[0])
		if !ok {
			return Schedule{}, fmt.Errorf("%w: %q is not a day; use mon, tue, wed, thu, fri, sat or sun", ErrBadSchedule, f[0])
		}
		h, m, err := clockTime(f[1])
		if err != nil {
			return Schedule{}, err
		}
		spec = fmt.Sprintf("%d %d * * %d", m, h, int(day))
		f = f[2:]
	case "daily":
		if len(f) < 1 || len(f) > 2 {
			return Schedule{}, fmt.Errorf("%w: daily needs a time, e.g. `daily 17:30`", errDigestUsage)
		}
		h, m, err := clockTime(f[0])
		if err != nil {
			return Schedule{}, err
		}
		spec = fmt.Sprintf("%d %d * * *", m, h)
		f = f[1:]
	case "cron", "schedule":
		switch {
		case len(f) >= 1 && strings.HasPrefix(f[0], "@"):
			spec, f = f[0], f[1:]
		case len(f) >= 5:
			spec, f = strings.Join(f[:5], " "), f[5:]
		default:
			return Schedule{}, fmt.Errorf("%w: cron needs 5 fields (minute hour day-of-month month day-of-week), e.g. `cron 0 9 * * MON`", errDigestUsage)
		}
		if len(f) > 1 {
			return Schedule{}, fmt.Errorf("%w: after the 5 cron fields only a time zone may follow", errDigestUsage)
		}
	default:
		return Schedule{}, fmt.Errorf("%w: I don't know `digest %s`", errDigestUsage, oneLine(verb, 40))
	}
	if len(f) == 1 {
		zone = f[0]
	}
	return ParseSchedule(spec, zone)
}

// clockTime reads "HH:MM" (24 h; "9:00" too).
func clockTime(s string) (hour, minute int, err error) {
	hs, ms, ok := strings.Cut(s, ":")
	h, herr := strconv.Atoi(hs)
	m, merr := strconv.Atoi(ms)
	if !ok || herr != nil || merr != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(ms) != 2 {
		return 0, 0, fmt.Errorf("%w: %q is not a time; use HH:MM on a 24-hour clock, e.g. 09:00 or 17:30", ErrBadSchedule, oneLine(s, 20))
	}
	return h, m, nil
}

// channelSchedule is the schedule and quiet behaviour that apply to a channel.
func (b *Bot) channelSchedule(current repertoire.DigestSchedule, own bool) (Schedule, repertoire.Quiet) {
	if !own {
		return b.cfg.Digest.Schedule, b.cfg.Digest.Quiet
	}
	t, _ := b.targetOf(current)
	return t.sched, t.quiet
}

func (b *Bot) digestStatus(ctx context.Context, ch repertoire.Channel, current repertoire.DigestSchedule, own bool) string {
	if own && !current.Enabled {
		return "Digests are off for this channel. `digest weekly mon 09:00 [Zone]` or `digest daily 17:30` turns them on."
	}
	if !own && b.direct(ChannelRef{Platform: ch.Platform, Space: ch.Space, ID: ch.ID}) {
		// The scheduler passes DMs over on the default schedule.
		return "No digest comes here unless you set one: `digest weekly mon 09:00 [Zone]` or `digest daily 17:30` sends you a digest of the notes kept here."
	}
	if !own && b.threadChannel(ctx, ChannelRef{Platform: ch.Platform, Space: ch.Space, ID: ch.ID}) {
		// The scheduler passes threads over on the default schedule too.
		return "No digest comes to this thread unless you set one: `digest weekly mon 09:00 [Zone]` or `digest daily 17:30` posts a digest of the notes kept here."
	}
	sched, quiet := b.channelSchedule(current, own)
	var sb strings.Builder
	fmt.Fprintf(&sb, "This channel gets its digest %s", sched.Describe())
	if !own {
		sb.WriteString(" (the default)")
	}
	if next := sched.Next(b.cfg.Now()); !next.IsZero() {
		fmt.Fprintf(&sb, ". Next: %s", next.In(sched.Zone).Format("Mon 2 Jan 15:04 MST"))
	}
	sb.WriteString(".")
	if quiet == repertoire.QuietSkip {
		sb.WriteString(" Quiet periods get nothing.")
	} else {
		sb.WriteString(" Quiet periods get a short note.")
	}
	fmt.Fprintf(&sb, " Open questions stay on digests for %d days unless answered.", int(b.openFor()/(24*time.Hour)))
	recs, err := b.store.Digests(ctx, ch, 1)
	if err != nil {
		b.log.WarnContext(ctx, "digest status", logChannel, ch.ID, logErr, err)
	} else if len(recs) == 1 {
		r := recs[0]
		fmt.Fprintf(&sb, " Last: %s for the period ending %s", r.Status, r.End.In(sched.Zone).Format("Mon 2 Jan 15:04 MST"))
		if r.Status == repertoire.DigestSent {
			fmt.Fprintf(&sb, " (%d %s)", r.Entries, plural(r.Entries, "entry", "entries"))
		}
		sb.WriteString(".")
	}
	return sb.String()
}

// digestNow posts the digest of the current period so far (since the last
// fire time) to the channel. It is on demand: not recorded as the period's
// digest, so the scheduled one still comes.
func (b *Bot) digestNow(ctx context.Context, ch repertoire.Channel, current repertoire.DigestSchedule, own bool) error {
	sched, _ := b.channelSchedule(current, own)
	now := b.cfg.Now()
	start := sched.Last(now)
	if start.IsZero() {
		start = now.Add(-7 * 24 * time.Hour)
	}
	// Up to and including this millisecond: what was saved just now is in.
	data, err := b.store.DigestData(ctx, ch, start, now.Add(time.Millisecond), b.cfg.Digest.Limits)
	if err != nil {
		return err
	}
	d := ComposeDigest(data, sched.Zone)
	d.Direct = b.direct(d.Channel)
	doc := d.Doc()
	ref, err := b.post(ctx, Outgoing{Channel: d.Channel, Doc: doc})
	if err == nil {
		b.archiveDigest(ctx, data, doc.Parts(), ref)
	}
	return err
}

// PostDigest posts a composed digest to its channel through the one door
// (made inert, never pinging anyone). It records nothing: the terminal's
// "repertoire digest" uses it, and the scheduled digest of the period still
// comes.
func (b *Bot) PostDigest(ctx context.Context, d Digest) (MessageRef, error) {
	return b.post(ctx, Outgoing{Channel: d.Channel, Doc: d.Doc()})
}
