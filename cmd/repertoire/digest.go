package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	// Members name zones in chat (digest weekly mon 09:00 Europe/Berlin):
	// the zone database is embedded so they load on any image.
	_ "time/tzdata"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/safe"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

// digestDefaults turns REPERTOIRE_DIGEST_SCHEDULE and REPERTOIRE_TZ into the
// bot's digest default; a bad spec is refused naming the variable, before
// anything connects.
func digestDefaults(cfg Config) (bot.DigestConfig, error) {
	sched, err := bot.NewSchedule(cfg.DigestSchedule, cfg.TZ)
	if err != nil {
		return bot.DigestConfig{}, fmt.Errorf("REPERTOIRE_DIGEST_SCHEDULE: %w", err)
	}
	return bot.DigestConfig{Schedule: sched}, nil
}

// instanceName names this process in digest claims, for the logs and the
// digests table.
func instanceName() string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}

// startDigests runs the digest scheduler until ctx is done; the returned
// function waits for it (and so for a digest being posted) to finish.
func startDigests(ctx context.Context, core *bot.Bot, lease time.Duration) (wait func()) {
	s := core.NewScheduler(bot.SchedulerConfig{Instance: instanceName(), Lease: lease})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	return func() { <-done }
}

// digestCommand prints a channel's digest in the terminal:
//
//	repertoire digest -channel ID [-platform NAME] [-since DATE] [-dry-run]
//
// The period runs from -since (default: the channel's last scheduled
// digest) to now. Without -dry-run the digest is also posted to the channel
// through the configured adapter (the shell adapter prints it); nothing is
// recorded, so the scheduled digest still comes.
func digestCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("digest", &cfg, stderr)
	channel := fs.String("channel", "", "channel ID (required)")
	platform := fs.String("platform", "", "the channel's platform (slack, discord, shell) when the ID is ambiguous")
	since := fs.String("since", "", "period start: YYYY-MM-DD in the channel's zone, or RFC 3339 (default: the last scheduled digest)")
	dry := fs.Bool("dry-run", false, "print only; do not post to the channel")
	if err := noArgs(fs, args, stdout); err != nil {
		return err
	}
	if *channel == "" {
		return fmt.Errorf("%w: digest needs -channel ID (see repertoire entries for channel IDs)", errUsage)
	}
	defaults, err := digestDefaults(cfg)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	store, err := storeopen.Open(ctx, cfg.DB, log.With("component", "store"))
	if err != nil {
		return err
	}
	defer store.Close()
	ch, err := findChannel(ctx, store, *platform, *channel)
	if err != nil {
		return err
	}
	sched := defaults.Schedule
	if row, err := store.GetDigestSchedule(ctx, ch); err == nil {
		if s, err := bot.ParseSchedule(row.Spec, row.Zone); err == nil {
			sched = s
		}
	} else if !errors.Is(err, repertoire.ErrNotFound) {
		return err
	}
	now := time.Now()
	start := sched.Last(now)
	if start.IsZero() {
		start = now.Add(-7 * 24 * time.Hour)
	}
	if *since != "" {
		if start, err = parseSince(*since, sched.Zone); err != nil {
			return err
		}
	}
	data, err := store.DigestData(ctx, ch, start, now.Add(time.Millisecond), defaults.Limits)
	if err != nil {
		return err
	}
	d := bot.ComposeDigest(data, sched.Zone)
	fmt.Fprintf(stdout, "%s\n\n", safe.Text(d.Doc().Text()))
	if *dry {
		return nil
	}
	platforms, err := buildPlatforms(ctx, cfg, log, strings.NewReader(""), stdout, nil, nil)
	if err != nil {
		return err
	}
	core := bot.New(store, log.With("component", "bot"), bot.Config{Digest: defaults, Capture: cfg.Capture}, platforms...)
	ref, err := core.PostDigest(ctx, d)
	if err != nil {
		return fmt.Errorf("post digest (use -dry-run to only print it): %w", err)
	}
	fmt.Fprintf(stderr, "posted to %s channel %s (message %s)\n", ch.Platform, ch.ID, ref.ID)
	return nil
}

// findChannel resolves a channel ID to the channel the store knows.
func findChannel(ctx context.Context, store repertoire.Store, platform, id string) (repertoire.Channel, error) {
	active, err := store.ActiveChannels(ctx)
	if err != nil {
		return repertoire.Channel{}, err
	}
	rows, err := store.DigestSchedules(ctx)
	if err != nil {
		return repertoire.Channel{}, err
	}
	for _, r := range rows {
		active = append(active, r.Channel)
	}
	// The rows keep the channel's name and privacy as last logged: the
	// digest's header names the channel even when no entry of it does.
	var found []repertoire.Channel
	seen := map[string]int{}
	for _, c := range active {
		if c.ID != id || (platform != "" && c.Platform != platform) {
			continue
		}
		key := c.Platform + "\x00" + c.Space + "\x00" + c.ID
		i, ok := seen[key]
		if !ok {
			i = len(found)
			seen[key] = i
			found = append(found, repertoire.Channel{Platform: c.Platform, Space: c.Space, ID: c.ID})
		}
		if found[i].Name == "" {
			found[i].Name = c.Name
		}
		found[i].Private = found[i].Private || c.Private
	}
	switch len(found) {
	case 0:
		return repertoire.Channel{}, fmt.Errorf("%w: no channel %q with entries, open questions or a digest setting", errUsage, id)
	case 1:
		return found[0], nil
	}
	var names []string
	for _, c := range found {
		names = append(names, c.Platform+"/"+c.Space)
	}
	return repertoire.Channel{}, fmt.Errorf("%w: channel %q is on several platforms or workspaces (%s): add -platform", errUsage, id, strings.Join(names, ", "))
}

// parseSince reads a date (midnight in zone) or an RFC 3339 time.
func parseSince(s string, zone *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, zone); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: -since %q: use a date such as 2026-11-16 or an RFC 3339 time such as 2026-11-16T09:00:00+01:00", errUsage, s)
}
