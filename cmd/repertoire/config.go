package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/safe"
	"github.com/repertoire/repertoire/repertoire"
)

// Config is the whole configuration, parsed once from the environment (flags
// override). Names are those of ../shared/DESIGN.md.
type Config struct {
	DB string

	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	SlackAPIURL        string
	// SlackReadInterval spaces conversations.replies/history calls; 0 is
	// the adapter's default (1.2 s).
	SlackReadInterval time.Duration

	DiscordToken  string
	DiscordAPIURL string
	// DiscordShards are the gateway shards this process runs
	// (REPERTOIRE_DISCORD_SHARDS); every one, 0 of 1, by default.
	DiscordShards discord.Shards

	HTTPAddr string
	// WebURL is the web page's public base URL (REPERTOIRE_WEB_URL, else
	// from HTTPAddr); WebPublic shows public entries without sign-in.
	WebURL    string
	WebPublic bool

	// Metrics serves Prometheus /metrics (REPERTOIRE_METRICS): on
	// MetricsAddr when set, else on HTTPAddr.
	Metrics     bool
	MetricsAddr string

	DigestSchedule string
	TZ             *time.Location
	// DigestLease is how long a digest claim is its process's before
	// another takes it over (REPERTOIRE_DIGEST_LEASE; 0: the scheduler's
	// default, its post timeout plus a minute).
	DigestLease time.Duration
	// CatchUp is how far back the bot reconciles channel history after
	// downtime (REPERTOIRE_CATCHUP; 0 turns catch-up off).
	CatchUp time.Duration

	LogLevel  slog.Level
	LogFormat string

	// MessageRetention is how long the message log keeps what members
	// posted, for detection.
	MessageRetention time.Duration
	// Capture is the emoji → kind map (REPERTOIRE_CAPTURE_EMOJI applied to
	// the default).
	Capture map[string]repertoire.Kind
}

// Slack reports whether the Slack adapter is configured.
func (c Config) Slack() bool { return c.SlackBotToken != "" }

// Discord reports whether the Discord adapter is configured.
func (c Config) Discord() bool { return c.DiscordToken != "" }

// parseConfig reads the environment. Every error names the variable.
func parseConfig(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DB:                 get("REPERTOIRE_DB", "./repertoire.db"),
		SlackBotToken:      get("SLACK_BOT_TOKEN", ""),
		SlackAppToken:      get("SLACK_APP_TOKEN", ""),
		SlackSigningSecret: get("SLACK_SIGNING_SECRET", ""),
		SlackAPIURL:        get("SLACK_API_URL", "https://slack.com/api/"),
		DiscordToken:       get("DISCORD_TOKEN", ""),
		DiscordAPIURL:      get("DISCORD_API_URL", "https://discord.com/"),
		HTTPAddr:           get("REPERTOIRE_HTTP_ADDR", ""),
		DigestSchedule:     get("REPERTOIRE_DIGEST_SCHEDULE", "0 9 * * MON"),
		LogFormat:          strings.ToLower(get("REPERTOIRE_LOG_FORMAT", "text")),
	}
	if c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		return Config{}, fmt.Errorf("SLACK_BOT_TOKEN: a bot token starts with xoxb-")
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		return Config{}, fmt.Errorf("SLACK_APP_TOKEN: an app-level token starts with xapp-")
	}
	if c.SlackBotToken != "" && c.SlackAppToken == "" && c.SlackSigningSecret == "" {
		return Config{}, fmt.Errorf("SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (Events API) is needed with SLACK_BOT_TOKEN")
	}
	if c.SlackBotToken == "" && (c.SlackAppToken != "" || c.SlackSigningSecret != "") {
		return Config{}, fmt.Errorf("SLACK_BOT_TOKEN: needed when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set")
	}
	if c.SlackSigningSecret != "" && c.SlackAppToken == "" && c.HTTPAddr == "" {
		c.HTTPAddr = ":8080"
	}
	for name, v := range map[string]string{"SLACK_API_URL": c.SlackAPIURL, "DISCORD_API_URL": c.DiscordAPIURL} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Config{}, fmt.Errorf("%s: %q is not an http(s) URL", name, safe.String(v))
		}
		if !strings.HasSuffix(v, "/") {
			return Config{}, fmt.Errorf("%s: %q must end with /", name, safe.String(v))
		}
	}
	if err := parseMetrics(&c, getenv); err != nil {
		return Config{}, err
	}
	if err := parseWeb(&c, getenv); err != nil {
		return Config{}, err
	}
	shards := get("REPERTOIRE_DISCORD_SHARDS", "")
	if shards != "" && c.DiscordToken == "" {
		return Config{}, fmt.Errorf("REPERTOIRE_DISCORD_SHARDS: set, but DISCORD_TOKEN is not (shards split the Discord gateway)")
	}
	var err error
	if c.DiscordShards, err = discord.ParseShards(shards); err != nil {
		return Config{}, fmt.Errorf("REPERTOIRE_DISCORD_SHARDS: %w", err)
	}
	tz, err := time.LoadLocation(get("REPERTOIRE_TZ", "UTC"))
	if err != nil {
		return Config{}, fmt.Errorf("REPERTOIRE_TZ: %w (use an IANA zone such as Europe/Berlin)", err)
	}
	c.TZ = tz
	if c.MessageRetention, err = parseRetention(get("REPERTOIRE_MESSAGE_RETENTION", "30d")); err != nil {
		return Config{}, fmt.Errorf("REPERTOIRE_MESSAGE_RETENTION: %w", err)
	}
	if v := getenv("SLACK_READ_INTERVAL"); strings.TrimSpace(v) != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("SLACK_READ_INTERVAL: %q is not a positive duration such as 1.2s or 1m", v)
		}
		c.SlackReadInterval = d
	}
	if v := strings.TrimSpace(getenv("REPERTOIRE_DIGEST_LEASE")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("REPERTOIRE_DIGEST_LEASE: %q is not a positive duration such as 3m", v)
		}
		c.DigestLease = d
	}
	c.CatchUp = bot.DefaultCatchUpWindow
	if v := strings.TrimSpace(getenv("REPERTOIRE_CATCHUP")); v != "" {
		d, err := time.ParseDuration(v)
		if v == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			return Config{}, fmt.Errorf("REPERTOIRE_CATCHUP: %q is not a duration such as 24h (0 turns catch-up off)", v)
		}
		c.CatchUp = d
	}
	if c.Capture, err = bot.ParseCapture(getenv("REPERTOIRE_CAPTURE_EMOJI")); err != nil {
		return Config{}, fmt.Errorf("REPERTOIRE_CAPTURE_EMOJI: %w", err)
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("REPERTOIRE_LOG_LEVEL", "info"))); err != nil {
		return Config{}, fmt.Errorf("REPERTOIRE_LOG_LEVEL: %q is not one of debug, info, warn, error", getenv("REPERTOIRE_LOG_LEVEL"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return Config{}, fmt.Errorf("REPERTOIRE_LOG_FORMAT: %q is not text or json", c.LogFormat)
	}
	return c, nil
}

// parseRetention reads a retention period in days ("30d") or as a Go
// duration ("720h"); it must be positive.
func parseRetention(v string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days such as 30d", v)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("%q is not a period such as 30d or 720h", v)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: the period must be positive", v)
	}
	return d, nil
}
