package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"
	"github.com/repertoire/repertoire/repertoire/storeopen"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/slack"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/doctor"
	"github.com/repertoire/repertoire/internal/safe"
	"github.com/repertoire/repertoire/repertoire"
)

// Thresholds past which doctor warns.
const (
	// inboxWarnPending is the inbox depth the bot's /healthz reports not
	// ready over (bot.InboxOptions.MaxPending's default).
	inboxWarnPending = 10_000
	walWarnBytes     = 256 << 20 // the bot checkpoints; a WAL this large means it cannot
	freeWarnBytes    = 512 << 20
)

// doctorCommand checks a deployment and says how to fix what is wrong:
// configuration, the database, the Slack and Discord set-ups (see
// slack.Doctor and discord.Doctor), the digest schedules. It writes nothing. The exit status is 1 when any check fails.
func doctorCommand(ctx context.Context, args []string, cfg Config, cfgErr error, stdout, stderr io.Writer) error {
	fs := flags("doctor", &cfg, stderr)
	if err := noArgs(fs, args, stdout); err != nil {
		return err
	}
	var list doctor.List
	add := list.Add
	if cfgErr != nil {
		add(false, "configuration: "+cfgErr.Error(), "correct that variable (see README.md, Configuration); the other checks use the defaults")
	} else {
		add(true, "configuration: "+describePlatforms(cfg), "")
	}
	store := doctorDatabase(ctx, cfg, add)
	if store != nil {
		defer store.Close()
	}
	if cfgErr == nil && cfg.Slack() {
		slack.Doctor(ctx, slack.Options{BotToken: cfg.SlackBotToken, AppToken: cfg.SlackAppToken, SigningSecret: cfg.SlackSigningSecret,
			APIURL: cfg.SlackAPIURL}, slack.DoctorOptions{Listener: cfg.HTTPAddr}, &list)
	}
	if cfgErr == nil && cfg.Discord() {
		discord.Doctor(ctx, discord.Config{Token: cfg.DiscordToken, APIURL: cfg.DiscordAPIURL, Shards: cfg.DiscordShards}, &list)
	}
	if cfgErr == nil {
		doctorDigests(ctx, cfg, store, add)
	}
	for _, f := range list.Findings {
		fmt.Fprintf(stdout, "%s %s\n", f.Status.Mark(), safe.Line(safe.String(f.What)))
		if f.Status != doctor.OK && f.Fix != "" {
			fmt.Fprintf(stdout, "    fix: %s\n", safe.Line(safe.String(f.Fix)))
		}
	}
	n, failed, warned := len(list.Findings), list.Count(doctor.Fail), list.Count(doctor.Warn)
	if failed > 0 {
		return fmt.Errorf("doctor: %d of %d checks failed", failed, n)
	}
	if warned > 0 {
		fmt.Fprintf(stdout, "%d checks passed, %d with a warning (!)\n", n, warned)
		return nil
	}
	fmt.Fprintf(stdout, "all %d checks passed\n", n)
	return nil
}

func describePlatforms(cfg Config) string {
	switch {
	case cfg.Slack() && cfg.Discord():
		return "Slack and Discord"
	case cfg.Slack() && cfg.SlackAppToken != "":
		return "Slack over Socket Mode"
	case cfg.Slack():
		return "Slack over the Events API at " + cfg.HTTPAddr + "/slack/events"
	case cfg.Discord():
		return "Discord"
	}
	return "no Slack or Discord token: run starts the shell"
}

// doctorDatabase checks the database file and returns the store when it is
// current (opening it then writes nothing), for the digest checks.
func doctorDatabase(ctx context.Context, cfg Config, add func(bool, string, string)) repertoire.Store {
	if storeopen.IsPostgres(cfg.DB) {
		return doctorServerDatabase(ctx, cfg, add)
	}
	d, err := sqlite.Diagnose(ctx, cfg.DB)
	switch {
	case err != nil:
		add(false, fmt.Sprintf("database %s: %v", cfg.DB, err), "point REPERTOIRE_DB at the bot's SQLite file, or restore a backup (repertoire restore FILE)")
		return nil
	case !d.Exists:
		add(false, fmt.Sprintf("database %s does not exist", cfg.DB), "check REPERTOIRE_DB (and the volume mounted at its directory); the bot creates it at its first start")
	case d.QuickCheck != "ok":
		add(false, fmt.Sprintf("database %s: quick_check: %s", cfg.DB, d.QuickCheck), "stop the bot and restore the latest backup (repertoire restore FILE)")
	default:
		add(true, fmt.Sprintf("database %s: quick_check ok", cfg.DB), "")
	}
	if d.Exists {
		switch {
		case d.Schema > d.Latest:
			add(false, fmt.Sprintf("schema version %d is newer than this binary's %d", d.Schema, d.Latest), "run the release that wrote this database, or a newer one")
		case d.Schema < d.Latest:
			add(false, fmt.Sprintf("schema version %d, this binary's is %d: migrations are pending", d.Schema, d.Latest), "start the bot (repertoire run) once: it applies them; back up first (repertoire backup FILE)")
		default:
			add(true, fmt.Sprintf("schema version %d (current)", d.Schema), "")
		}
		if d.WALBytes > walWarnBytes {
			add(false, fmt.Sprintf("write-ahead log is %d MiB", d.WALBytes>>20), "a long read (a stuck process, a backup tool holding the file) blocks checkpoints: find it, or restart the bot")
		} else {
			add(true, fmt.Sprintf("write-ahead log %d KiB", max(d.WALBytes, 0)>>10), "")
		}
		doctorInbox(cfg, d.Inbox, add)
	}
	if free, err := freeBytes(filepath.Dir(cfg.DB)); err != nil {
		add(false, "free disk: "+err.Error(), "check the directory of REPERTOIRE_DB exists")
	} else if free < freeWarnBytes {
		add(false, fmt.Sprintf("free disk beside the database: %d MiB", free>>20), "free some space or grow the volume: SQLite needs room for its WAL and for VACUUM")
	} else {
		add(true, fmt.Sprintf("free disk beside the database: %d MiB", free>>20), "")
	}
	if !d.Exists || d.QuickCheck != "ok" || d.Schema != d.Latest {
		return nil
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		add(false, "open the store: "+err.Error(), "")
		return nil
	}
	return store
}

// doctorInbox reports the inbox's own file: its check, and what waits in
// it to be applied.
func doctorInbox(cfg Config, in sqlite.InboxDiagnosis, add func(bool, string, string)) {
	file := sqlite.InboxPath(cfg.DB)
	switch {
	case !in.Exists:
		add(true, fmt.Sprintf("inbox %s: not created yet (the bot's first delivery creates it)", file), "")
	case in.QuickCheck != "ok":
		add(false, fmt.Sprintf("inbox %s: quick_check: %s", file, in.QuickCheck), "stop the bot and restore the latest backup (repertoire restore FILE): a backup carries the pending inbox")
	case in.Pending > inboxWarnPending:
		add(false, fmt.Sprintf("inbox %s: deliveries pending: %d, the oldest from %s", file, in.Pending, in.OldestPending.Format(time.RFC1123)),
			"the bot is not keeping up or not running: start it, and check its logs for failed events")
	case in.Pending > 0:
		add(true, fmt.Sprintf("inbox %s: quick_check ok, deliveries pending: %d, the oldest from %s", file, in.Pending, in.OldestPending.Format(time.RFC1123)), "")
	default:
		add(true, fmt.Sprintf("inbox %s: quick_check ok, nothing pending", file), "")
	}
	if in.WALBytes > walWarnBytes {
		add(false, fmt.Sprintf("inbox write-ahead log is %d MiB", in.WALBytes>>20), "a long read holds the inbox's checkpoints back: find it, or restart the bot")
	}
}

// doctorDigests shows the default schedule and each channel's, with their
// next runs.
func doctorDigests(ctx context.Context, cfg Config, store repertoire.Store, add func(bool, string, string)) {
	now := time.Now()
	def, err := bot.NewSchedule(cfg.DigestSchedule, cfg.TZ)
	if err != nil {
		add(false, "REPERTOIRE_DIGEST_SCHEDULE: "+err.Error(), "use a cron spec such as \"0 9 * * MON\"")
		return
	}
	add(true, fmt.Sprintf("default digest schedule %q (%s): next %s", cfg.DigestSchedule, cfg.TZ, def.Next(now).Format(time.RFC1123)), "")
	if store == nil {
		return
	}
	rows, err := store.DigestSchedules(ctx)
	if err != nil {
		add(false, "digest schedules: "+err.Error(), "")
		return
	}
	for _, r := range rows {
		where := fmt.Sprintf("digest of %s channel %s", r.Channel.Platform, r.Channel.ID)
		if !r.Enabled {
			add(true, where+": off", "")
			continue
		}
		s, err := bot.ParseSchedule(r.Spec, r.Zone)
		if err != nil {
			add(false, fmt.Sprintf("%s: schedule %q %s: %v", where, r.Spec, r.Zone, err), "set it again in the channel: @repertoire digest weekly mon 09:00 Europe/Berlin")
			continue
		}
		add(true, fmt.Sprintf("%s: %q %s, next %s", where, r.Spec, r.Zone, s.Next(now).In(s.Zone).Format(time.RFC1123)), "")
	}
}
