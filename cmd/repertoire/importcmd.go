package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/repertoire/repertoire/adapters/discordexport"
	"github.com/repertoire/repertoire/adapters/slackexport"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/safe"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/interchange"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

const importUsage = `usage:
  repertoire import slack [-workspace T123] [-url https://acme.slack.com] [-detect] EXPORT.zip
  repertoire import discord [-detect] FILE.json…  (DiscordChatExporter JSON)
  repertoire import repertoire FILE.json        (a file of repertoire export -format json)

An import is checked whole before anything is written, written one file per
transaction, resumed where it stopped when run again, and changes nothing the
second time.`

// importCommand brings the history of a chat export, or another instance's
// repertoire, into the store.
func importCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("import", &cfg, stderr)
	workspace := fs.String("workspace", "", "Slack: workspace (team) ID entries are filed under (default: team_id of users.json)")
	url := fs.String("url", "", "Slack: workspace URL for permalinks, e.g. https://acme.slack.com")
	detect := fs.Bool("detect", false, "Slack and Discord: also propose entries from threads nobody reacted to (saved with status detected)")
	progressMode := fs.String("progress", "auto", "progress display: auto, bar, lines or none")
	files, err := parseArgs(fs, args, stdout, false)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, importUsage)
		return fmt.Errorf("%w: import needs a source: slack, discord or repertoire", errUsage)
	}
	what := files[0]
	files = files[1:]
	if what != "slack" && what != "discord" && what != "repertoire" {
		fmt.Fprintln(stderr, importUsage)
		return fmt.Errorf("%w: unknown import source %q (slack, discord or repertoire)", errUsage, what)
	}
	if len(files) == 0 || (what != "discord" && len(files) > 1) {
		fmt.Fprintln(stderr, importUsage)
		return fmt.Errorf("%w: import %s takes one file (discord: one or more)", errUsage, what)
	}
	log := newLogger(cfg, stderr)
	store, err := storeopen.Open(ctx, cfg.DB, log.With("component", "store"))
	if err != nil {
		return err
	}
	defer store.Close()
	prog := newProgress(stderr, *progressMode, time.Now)
	defer prog.finish()

	var h bot.History
	switch what {
	case "slack":
		a, err := slackexport.Open(ctx, files[0], slackexport.Options{Space: *workspace, URL: *url})
		if err != nil {
			return fmt.Errorf("import slack: nothing imported: %w", err)
		}
		defer a.Close()
		if u := a.Unlisted(); len(u) > 0 {
			fmt.Fprintf(stderr, "import slack: %d %s of messages not named by channels.json, groups.json, mpims.json or dms.json, left out: %s\n",
				len(u), map[bool]string{true: "folder", false: "folders"}[len(u) == 1], safe.Line(strings.Join(u, ", ")))
		}
		h = a
	case "discord":
		e, err := discordexport.Open(ctx, files...)
		if err != nil {
			return fmt.Errorf("import discord: nothing imported: %w", err)
		}
		h = e
	case "repertoire":
		sum, err := interchange.ImportJSON(ctx, store, files[0], func(p interchange.Progress) {
			prog.update(bot.ImportProgress{Phase: p.Phase, Units: p.Total, UnitsDone: p.Batches, Messages: int64(p.Items)})
		})
		prog.finish()
		if err != nil {
			return fmt.Errorf("import repertoire: %w", err)
		}
		optimize(ctx, store, stderr)
		fmt.Fprintf(stdout, "imported %s: %d entries and open questions read; entries: %d created, %d updated, %d unchanged; %d open questions added; %d batches already imported\n",
			files[0], sum.Read, sum.Created, sum.Updated, sum.Unchanged, sum.OpenQuestions, sum.Resumed)
		return nil
	default:
		fmt.Fprintln(stderr, importUsage)
		return fmt.Errorf("%w: unknown import source %q (slack, discord or repertoire)", errUsage, what)
	}
	core := bot.New(store, log.With("component", "bot"), bot.Config{Capture: cfg.Capture})
	sum, err := core.Import(ctx, h, bot.ImportOptions{Detect: *detect, Progress: prog.update})
	prog.finish()
	if err != nil {
		if errors.Is(err, bot.ErrBrokenInput) {
			return fmt.Errorf("import %s: nothing imported: %w", what, err)
		}
		return fmt.Errorf("import %s: stopped; run the same command again to resume: %w", what, err)
	}
	optimize(ctx, store, stderr)
	printSummary(stdout, strings.Join(files, ", "), sum)
	return nil
}

// optimize merges the search indexes after an import wrote many entries,
// so recall reads each word's postings in few pieces. The import stands
// when it fails; recall stays exact, only slower.
func optimize(ctx context.Context, store repertoire.Store, stderr io.Writer) {
	if err := store.Optimize(ctx); err != nil {
		fmt.Fprintf(stderr, "import: the entries are stored; merging the search index failed (recall stays exact): %v\n", err)
	}
}

func printSummary(w io.Writer, name string, s bot.ImportSummary) {
	fmt.Fprintf(w, "imported %s\n", name)
	fmt.Fprintf(w, "  channels: %d, files: %d (%d already imported), messages read: %d\n", s.Channels, s.Units, s.Resumed, s.Messages)
	fmt.Fprintf(w, "  entries: %d created, %d updated, %d unchanged\n", s.Created, s.Updated, s.Unchanged)
	if s.Detected > 0 {
		fmt.Fprintf(w, "  detected: %d exchanges nobody reacted to, saved with status detected\n", s.Detected)
	}
	skips := s.SortedSkips()
	if len(skips) == 0 {
		fmt.Fprintln(w, "  skipped: nothing")
		return
	}
	fmt.Fprintln(w, "  skipped:")
	for _, r := range skips {
		fmt.Fprintf(w, "    %7d  %s (first at %s)\n", s.Skipped[r], r, s.FirstSkip[r])
	}
}

// progress shows how an import goes: a bar redrawn in place on a terminal,
// a line every few seconds otherwise.
type progress struct {
	w     io.Writer
	bar   bool
	off   bool
	now   func() time.Time
	last  time.Time
	phase string
	drawn bool
}

func newProgress(w io.Writer, mode string, now func() time.Time) *progress {
	p := &progress{w: w, now: now}
	switch mode {
	case "bar":
		p.bar = true
	case "none":
		p.off = true
	case "lines":
	default:
		f, ok := w.(*os.File)
		p.bar = ok && isTerminal(f)
	}
	return p
}

func (p *progress) update(ip bot.ImportProgress) {
	if p.off {
		return
	}
	now := p.now()
	if p.bar {
		if ip.Phase != p.phase && p.drawn {
			fmt.Fprintln(p.w)
		}
		if ip.Phase == p.phase && now.Sub(p.last) < 100*time.Millisecond && ip.UnitsDone < ip.Units {
			return
		}
		const width = 30
		filled := 0
		if ip.Units > 0 {
			filled = width * ip.UnitsDone / ip.Units
		}
		fmt.Fprintf(p.w, "\r%-9s [%s%s] %d/%d files, %d messages", ip.Phase,
			strings.Repeat("#", filled), strings.Repeat(".", width-filled), ip.UnitsDone, ip.Units, ip.Messages)
		p.phase, p.last, p.drawn = ip.Phase, now, true
		return
	}
	if ip.Phase == p.phase && now.Sub(p.last) < 5*time.Second && ip.UnitsDone < ip.Units {
		return
	}
	fmt.Fprintf(p.w, "%s: %d/%d files, %d messages\n", ip.Phase, ip.UnitsDone, ip.Units, ip.Messages)
	p.phase, p.last, p.drawn = ip.Phase, now, true
}

func (p *progress) finish() {
	if p.bar && p.drawn {
		fmt.Fprintln(p.w)
	}
	p.drawn = false
}
