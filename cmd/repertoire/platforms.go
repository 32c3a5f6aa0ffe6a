package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/adapters/slack"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/metrics"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

// buildPlatforms returns the adapters the configuration enables: Slack
// and/or Discord when their tokens are set, otherwise the shell. With an
// inbox, the network adapters commit what they receive to it before acking.
func buildPlatforms(ctx context.Context, cfg Config, log *slog.Logger, stdin io.Reader, stdout io.Writer, in *bot.Inbox, met *metrics.Metrics) ([]bot.Platform, error) {
	var ps []bot.Platform
	if cfg.Slack() {
		var client *http.Client               // the adapter's default
		var paced func(string, time.Duration) // none
		if met != nil {
			client = &http.Client{Timeout: 30 * time.Second, Transport: met.Transport("slack", nil)}
			paced = func(method string, d time.Duration) { met.Paced("slack", method, d) }
		}
		a, err := slack.New(ctx, slack.Options{BotToken: cfg.SlackBotToken, AppToken: cfg.SlackAppToken,
			SigningSecret: cfg.SlackSigningSecret, APIURL: cfg.SlackAPIURL, ReadInterval: cfg.SlackReadInterval, Inbox: in,
			HTTPClient: client, Paced: paced}, log.With("component", "slack"))
		if err != nil {
			return nil, err
		}
		ps = append(ps, a)
	}
	if cfg.Discord() {
		var transport http.RoundTripper // the adapter's default
		if met != nil {
			transport = met.Transport("discord", nil)
		}
		d, err := discord.New(discord.Config{Token: cfg.DiscordToken, APIURL: cfg.DiscordAPIURL, Inbox: in, Transport: transport,
			Shards: cfg.DiscordShards}, log)
		if err != nil {
			return nil, err
		}
		ps = append(ps, d)
	}
	if len(ps) == 0 {
		log.Info("no Slack or Discord token set: starting the shell adapter", "db", storeopen.Redact(cfg.DB))
		ps = append(ps, shell.New(shell.Options{In: stdin, Out: stdout, Prompt: isTerminal(stdin)}))
	}
	return ps, nil
}

// isTerminal reports whether r is a character device (an interactive terminal).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
