// Command repertoire runs the Repertoire bot and looks into its store.
//
//	repertoire [run]            run the bot (Slack, Discord, or the shell when no token is set)
//	repertoire search TEXT      recall from the terminal, as a public channel would
//	repertoire entries          list the newest entries
//	repertoire digest -channel ID [-since DATE] [-dry-run]   print a channel's digest
//	repertoire import …         bring in a Slack or Discord export, or another instance's repertoire
//	repertoire export …         write the repertoire as Markdown, JSON or CSV
//	repertoire version          print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/web"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/safe"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "repertoire:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage: repertoire [command] [flags]

commands:
  run        run the bot (default); with no SLACK_* or DISCORD_* token it starts the shell
  search     search TEXT: recall from the terminal, public entries only
  entries    list the newest entries
  digest     -channel ID [-since DATE] [-dry-run]: print (and post) a channel's digest
  import     import slack EXPORT.zip | discord FILE.json… | repertoire FILE.json
  export     export -format markdown|json|csv [-channel ID] [-out DIR]
  doctor     check the configuration, the database, Slack and the digest schedules; say how to fix
  backup     backup FILE: a consistent copy of the live database (the bot may run)
  restore    restore FILE: put a backup in place of the database (the bot stopped)
  migrate-store FROM TO: copy the repertoire between stores (SQLite file, postgres:// URL)
  version    print the version
  discord-invite  print the URL that adds the Discord bot to a server (needs DISCORD_TOKEN)

"repertoire help CMD" or "repertoire CMD -h" shows a command's usage and flags.
Configuration comes from the environment (see README.md); -db overrides REPERTOIRE_DB.`

// run is the whole program; main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdin, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	// No error names a token or a capability URL, whatever produced it.
	return secrets(getenv).Error(err)
}

// secrets is the redactor for everything the program logs or reports: the
// shapes of known secrets and the configured ones.
func secrets(getenv func(string) string) *safe.Redactor {
	return safe.NewRedactor(getenv("SLACK_BOT_TOKEN"), getenv("SLACK_APP_TOKEN"), getenv("SLACK_SIGNING_SECRET"), getenv("DISCORD_TOKEN"),
		storeopen.Password(getenv("REPERTOIRE_DB")))
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "run"
	args = commandFirst(args)
	switch {
	case len(args) == 0:
	case args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		if len(args) == 1 || args[0] != "help" {
			fmt.Fprintln(stdout, usage)
			return nil
		}
		if !slices.Contains(commandNames, args[1]) {
			fmt.Fprintln(stderr, usage)
			return fmt.Errorf("%w: help: unknown command %q", errUsage, args[1])
		}
		cmd, args = args[1], []string{"-h"}
	case !strings.HasPrefix(args[0], "-"):
		cmd, args = args[0], args[1:]
	}
	cfg, err := parseConfig(getenv)
	if cmd == "doctor" {
		// The doctor reports a bad configuration as one of its findings.
		if err != nil {
			cfg, _ = parseConfig(func(string) string { return "" })
			cfg.DB = strings.TrimSpace(getenv("REPERTOIRE_DB"))
			if cfg.DB == "" {
				cfg.DB = "./repertoire.db"
			}
		}
		return doctorCommand(ctx, args, cfg, err, stdout, stderr)
	}
	if err != nil && !wantsHelp(args) {
		return err
	}
	switch cmd {
	case "run":
		return runBot(ctx, args, cfg, stdin, stdout, stderr)
	case "search":
		return searchCommand(ctx, args, cfg, stdout, stderr)
	case "entries":
		return entriesCommand(ctx, args, cfg, stdout, stderr)
	case "discord-invite":
		if err := noArgs(flag.NewFlagSet("discord-invite", flag.ContinueOnError), args, stdout); err != nil {
			return err
		}
		return discord.PrintInvite(ctx, discord.Config{Token: cfg.DiscordToken, APIURL: cfg.DiscordAPIURL}, stdout)
	case "digest":
		return digestCommand(ctx, args, cfg, stdout, stderr)
	case "import":
		return importCommand(ctx, args, cfg, stdout, stderr)
	case "export":
		return exportCommand(ctx, args, cfg, stdout, stderr)
	case "backup":
		return backupCommand(ctx, args, cfg, stdout, stderr)
	case "restore":
		return restoreCommand(ctx, args, cfg, stdout, stderr)
	case "migrate-store":
		return migrateCommand(ctx, args, cfg, stdout, stderr)
	case "version":
		if err := noArgs(flag.NewFlagSet("version", flag.ContinueOnError), args, stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "repertoire", version())
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("%w: unknown command %q (see repertoire help)", errUsage, cmd)
	}
}

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return info.Main.Version + " " + s.Value
			}
		}
		return info.Main.Version
	}
	return "unknown"
}

// commandFirst moves the common -db flag given before a command after it:
// "repertoire -db FILE entries" is "repertoire entries -db FILE", as the
// usage's "-db overrides REPERTOIRE_DB" suggests; before "help" it is
// dropped ("repertoire -db FILE help search" is "repertoire help search").
func commandFirst(args []string) []string {
	isDB := func(a string) bool { return a == "-db" || a == "--db" }
	hasDB := func(a string) bool { return strings.HasPrefix(a, "-db=") || strings.HasPrefix(a, "--db=") }
	isCmd := func(a string) bool { return a == "help" || slices.Contains(commandNames, a) }
	switch {
	case len(args) >= 3 && isDB(args[0]) && args[2] == "help":
		return args[2:] // help opens no database
	case len(args) >= 2 && hasDB(args[0]) && args[1] == "help":
		return args[1:]
	case len(args) >= 3 && isDB(args[0]) && isCmd(args[2]):
		return append([]string{args[2], args[0], args[1]}, args[3:]...)
	case len(args) >= 2 && hasDB(args[0]) && isCmd(args[1]):
		return append([]string{args[1], args[0]}, args[2:]...)
	}
	return args
}

// flags returns a flag set for a subcommand with the common -db flag.
func flags(name string, cfg *Config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite file or postgres:// URL (REPERTOIRE_DB)")
	return fs
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	// Secrets never reach a log line, at any level.
	red := safe.NewRedactor(cfg.SlackBotToken, cfg.SlackAppToken, cfg.SlackSigningSecret, cfg.DiscordToken)
	return slog.New(red.Handler(h))
}

func runBot(ctx context.Context, args []string, cfg Config, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flags("run", &cfg, stderr)
	if err := noArgs(fs, args, stdout); err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	digests, err := digestDefaults(cfg)
	if err != nil {
		return err
	}
	store, err := storeopen.Open(ctx, cfg.DB, log.With("component", "store"))
	if err != nil {
		return err
	}
	defer store.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The inbox applies to the core, which needs the platforms, which
	// commit to the inbox: the handler reaches the core once it exists.
	var core *bot.Bot
	met := newMetrics(cfg, store, log)
	inbox := bot.NewInbox(store, met.Applied(bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error { return core.Handle(ctx, ev) })),
		log.With("component", "inbox"), bot.InboxOptions{})
	defer inbox.Close()
	inbox.WrapCatchUp(met.CaughtUp)
	platforms, err := buildPlatforms(ctx, cfg, log, stdin, stdout, inbox, met)
	if err != nil {
		return err
	}
	core = bot.New(store, log.With("component", "bot"), bot.Config{Digest: digests, Retention: cfg.MessageRetention, Capture: cfg.Capture, WebURL: cfg.WebURL,
		Observer: met}, platforms...)
	for _, p := range platforms {
		if d, ok := p.(bot.Decoder); ok {
			inbox.Register(met.Decoder(d))
		}
	}
	watchInbox(met, store)
	// What an earlier process acknowledged and did not apply goes first.
	inboxDone := make(chan error, 1)
	go func() { inboxDone <- inbox.Run(ctx) }()
	defer func() { cancel(); <-inboxDone }() // the events in hand finish before the store closes
	go inbox.Maintain(ctx, time.Minute)
	catchUp := startCatchUp(ctx, cfg, store, core, inbox, platforms, log)
	defer func() { cancel(); catchUp.Wait() }()
	waitDigests := startDigests(ctx, core, cfg.DigestLease)
	defer func() { cancel(); waitDigests() }() // shutdown waits for a digest being posted
	go pruneEvents(ctx, store, core, log)

	errc := make(chan error, len(platforms)+2)
	running := len(platforms)
	if cfg.MetricsAddr != "" {
		running++
		go func() { errc <- serveMetrics(ctx, cfg.MetricsAddr, met, log, nil) }()
	}
	if cfg.HTTPAddr != "" {
		routes := map[string]http.Handler{}
		if met != nil && cfg.MetricsAddr == "" {
			routes["GET /metrics"] = met.Handler()
		}
		for _, p := range platforms {
			if rp, ok := p.(routeProvider); ok {
				maps.Copy(routes, rp.Routes())
			}
		}
		page, err := web.New(core.Web(bot.WebOptions{Public: cfg.WebPublic}), web.Options{BaseURL: cfg.WebURL, Log: log.With("component", "web")})
		if err != nil {
			return err
		}
		maps.Copy(routes, page.Routes())
		running++
		ready := func(ctx context.Context) error {
			n, age, err := inbox.Ready(ctx)
			if err != nil {
				log.WarnContext(ctx, "not ready", "inbox_pending", n, "oldest_pending_age", age.Round(time.Millisecond), "err", err)
			}
			return err
		}
		go func() { errc <- serveHTTP(ctx, cfg.HTTPAddr, newMux(store, routes, ready), log, nil) }()
	}
	for _, p := range platforms {
		h := met.Applied(core)
		if p.Name() != "shell" {
			// Network adapters acknowledge first; the work is queued.
			d := bot.NewDispatcher(h, log, 4, 64)
			defer d.Close()
			h = d
		}
		h = met.Received(p.Name(), h)
		go func() {
			err := p.Run(ctx, h)
			if err != nil {
				err = fmt.Errorf("%s: %w", p.Name(), err)
			}
			errc <- err
		}()
	}
	// The first adapter to stop (the shell at end of input, or a fatal
	// platform error) stops the program.
	err = <-errc
	cancel()
	for range running - 1 {
		if e := <-errc; err == nil {
			err = e
		}
	}
	return err
}

// pruneEvents forgets old delivery IDs and logged messages once a day.
func pruneEvents(ctx context.Context, store repertoire.Store, core *bot.Bot, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		// With several replicas on one store, one of them prunes.
		if release, ok, err := store.TryLock(ctx, repertoire.LockRetention); err != nil && ctx.Err() == nil {
			log.Warn("retention lock", "err", err)
		} else if ok {
			if _, err := store.PruneEvents(ctx, time.Now().Add(-7*24*time.Hour)); err != nil && ctx.Err() == nil {
				log.Warn("prune delivery IDs", "err", err)
			}
			if _, err := core.PruneMessages(ctx); err != nil && ctx.Err() == nil {
				log.Warn("prune message log", "err", err)
			}
			release()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// openStore opens the store for a read-only command (search, entries,
// export, doctor): no background writes beside a running bot.
func openStore(ctx context.Context, cfg Config) (repertoire.Store, error) {
	return storeopen.OpenForReading(ctx, cfg.DB, nil)
}

func searchCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("search", &cfg, stderr)
	limit := fs.Int("n", 5, "number of results")
	words, err := parseArgs(fs, args, stdout, true)
	if err != nil {
		return err
	}
	text := strings.Join(words, " ")
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("%w: search needs TEXT, e.g. repertoire search \"rotate tls cert\"", errUsage)
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	hits, err := store.Search(ctx, repertoire.SearchParams{Text: text, Limit: *limit})
	if err != nil {
		return err
	}
	if len(hits) == 0 {
		fmt.Fprintln(stdout, "no entries match")
	}
	for i, h := range hits {
		fmt.Fprintf(stdout, "%s\n\n", safe.Text(bot.FormatHit(i+1, h)))
	}
	return nil
}

func entriesCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("entries", &cfg, stderr)
	limit := fs.Int("n", 20, "number of entries")
	channel := fs.String("channel", "", "only this channel ID")
	if err := noArgs(fs, args, stdout); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	entries, err := store.Entries(ctx, repertoire.ListParams{Channel: *channel, Limit: *limit})
	if err != nil {
		return err
	}
	for _, e := range entries {
		savers := make([]string, len(e.Savers))
		for i, p := range e.Savers {
			savers[i] = p.Name
		}
		vis := "public"
		if e.Channel.Private {
			vis = "private"
		}
		votes := "votes"
		if e.Votes == 1 {
			votes = "vote"
		}
		status := ""
		if e.Status == repertoire.Detected {
			status = ", detected"
		}
		saved := ""
		if len(savers) > 0 { // a member who left keeps no empty credit
			saved = ", saved by " + strings.Join(savers, ", ")
		}
		fmt.Fprint(stdout, safe.Text(fmt.Sprintf("#%d %s [%s, %s #%s%s] by %s%s, %d %s, 👍 %d 👎 %d, tags: %s\n   %s\n",
			e.ID, safe.Line(e.Title()), e.Kind, vis, e.Channel.ID, status, e.Author.Name, saved, e.Votes, votes,
			e.Helpful, e.Unhelpful, strings.Join(e.Tags, " "), safe.Line(e.Permalink))))
	}
	fmt.Fprintln(stdout, entriesCount(len(entries)))
	return nil
}

// entriesCount says how many entries, in words: "1 entry", "3 entries".
func entriesCount[N int | int64](n N) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
