// Package metrics is Repertoire's Prometheus instrumentation: what an
// operator needs to see the failure modes that matter (events dropped or
// failing, slow recall, rate-limit waits, digests not posted) and how big
// the repertoire is. It lives apart from the code it measures: cmd wires it
// in as handler wrappers around the core, an http.RoundTripper under the
// platform clients, and the core's bot.Observer hook, so the measured code
// carries one call per measurement at most.
//
// Everything is registered on the Metrics' own registry, never the global
// one. A nil *Metrics is valid and measures nothing.
package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// Metrics holds Repertoire's collectors.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	received, applied, failed *prometheus.CounterVec
	caughtUp                  *prometheus.CounterVec
	applySeconds              *prometheus.HistogramVec
	recallSeconds             prometheus.Histogram
	recalls                   *prometheus.CounterVec
	apiCalls                  *prometheus.CounterVec
	rateLimitWaits            *prometheus.CounterVec
	rateLimitSeconds          *prometheus.CounterVec
	digests                   *prometheus.CounterVec
}

// EntryCounter reads the entry counts the store keeps current
// (repertoire.Store).
type EntryCounter interface {
	EntryCounts(ctx context.Context) ([]repertoire.EntryCount, error)
}

// New registers Repertoire's metrics, the Go runtime's and the process's.
// entries, when not nil, is read at each scrape for the entries gauge.
func New(entries EntryCounter, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "repertoire", Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	m.received = counter("events_received_total", "Events the platforms delivered, by platform and type.", "platform", "type")
	m.caughtUp = counter("events_caught_up_total", "Events catch-up found in the platforms' history after downtime (never delivered live, so not in events_received_total), by platform and type.", "platform", "type")
	m.applied = counter("events_applied_total", "Events the core applied, by platform and type.", "platform", "type")
	m.failed = counter("events_failed_total", "Events the core failed to apply, by platform and type.", "platform", "type")
	m.recalls = counter("recalls_total", "Recall questions, by outcome (answered: at least one entry shown; unanswered: recorded as an open question).", "outcome")
	m.apiCalls = counter("platform_api_calls_total", "Calls to the platforms' HTTP APIs, by platform, method and outcome (ok, error, rate_limited).", "platform", "method", "outcome")
	m.rateLimitWaits = counter("rate_limit_waits_total", "Times a call waited for a rate limit, by platform, method and cause (retry_after: the platform answered 429; pacing: the adapter's own spacing of calls).", "platform", "method", "cause")
	m.rateLimitSeconds = counter("rate_limit_wait_seconds_total", "Seconds calls waited for a rate limit (Retry-After, or the adapter's pacing), by platform, method and cause.", "platform", "method", "cause")
	m.digests = counter("digests_total", "Scheduled digests, by platform and outcome (posted, skipped, failed).", "platform", "outcome")
	m.applySeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "repertoire", Name: "event_apply_seconds",
		Help: "Time the core took to apply an event, by platform and type.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)},
		[]string{"platform", "type"})
	m.recallSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "repertoire", Name: "recall_seconds",
		Help: "Time recall took to find the entries for a question.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)})
	m.reg.MustRegister(m.applySeconds, m.recallSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if entries != nil {
		m.reg.MustRegister(&entryCollector{src: entries, log: log})
	}
	return m
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)})
}

// Gauge registers a gauge read at each scrape, such as the depth of a
// queue: name is prefixed with repertoire_.
func (m *Metrics) Gauge(name, help string, read func() float64) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "repertoire", Name: name, Help: help}, read))
}

// Received wraps the handler a platform delivers to, counting what it
// delivers.
func (m *Metrics) Received(platform string, next bot.Handler) bot.Handler {
	if m == nil {
		return next
	}
	return bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
		m.received.WithLabelValues(platform, EventType(ev)).Inc()
		return next.Handle(ctx, ev)
	})
}

// Decoder wraps the decoder an inbox turns a platform's stored deliveries
// into events with: the events it yields are counted as received (for a
// platform that commits to the inbox, its handler sees none).
func (m *Metrics) Decoder(d bot.Decoder) bot.Decoder {
	if m == nil {
		return d
	}
	return countingDecoder{Decoder: d, vec: m.received}
}

// CaughtUp wraps the decoder of catch-up's deliveries (bot.Inbox.WrapCatchUp):
// the events it yields are counted as caught up, apart from those the
// platforms delivered.
func (m *Metrics) CaughtUp(d bot.Decoder) bot.Decoder {
	if m == nil {
		return d
	}
	return countingDecoder{Decoder: d, vec: m.caughtUp, byDelivery: true}
}

// countingDecoder counts the events its decoder yields in vec, by platform
// and type.
type countingDecoder struct {
	bot.Decoder
	vec *prometheus.CounterVec
	// byDelivery takes the platform from each delivery (catch-up's decoder
	// serves every platform) rather than from the decoder's name.
	byDelivery bool
}

func (d countingDecoder) Decode(ctx context.Context, del bot.Delivery) ([]bot.Event, error) {
	evs, err := d.Decoder.Decode(ctx, del)
	platform := d.Name()
	if d.byDelivery {
		platform = del.Platform
	}
	for _, ev := range evs {
		d.vec.WithLabelValues(platform, EventType(ev)).Inc()
	}
	return evs, err
}

// Applied wraps the core: each event applied or failed is counted and its
// time observed, by the event's platform and type.
func (m *Metrics) Applied(next bot.Handler) bot.Handler {
	if m == nil {
		return next
	}
	return bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
		start := time.Now()
		err := next.Handle(ctx, ev)
		platform, typ := EventPlatform(ev), EventType(ev)
		m.applySeconds.WithLabelValues(platform, typ).Observe(time.Since(start).Seconds())
		if err != nil {
			m.failed.WithLabelValues(platform, typ).Inc()
		} else {
			m.applied.WithLabelValues(platform, typ).Inc()
		}
		return err
	})
}

// Recalled implements bot.Observer.
func (m *Metrics) Recalled(d time.Duration, answered bool) {
	if m == nil {
		return
	}
	m.recallSeconds.Observe(d.Seconds())
	outcome := "unanswered"
	if answered {
		outcome = "answered"
	}
	m.recalls.WithLabelValues(outcome).Inc()
}

// Digest implements bot.Observer.
func (m *Metrics) Digest(platform, outcome string) {
	if m == nil {
		return
	}
	m.digests.WithLabelValues(platform, outcome).Inc()
}

var _ bot.Observer = (*Metrics)(nil)

// EventType names an event for a label: message_posted, reaction_added…
func EventType(ev bot.Event) string {
	switch ev.(type) {
	case bot.MessagePosted:
		return "message_posted"
	case bot.MessageEdited:
		return "message_edited"
	case bot.MessageDeleted:
		return "message_deleted"
	case bot.ReactionAdded:
		return "reaction_added"
	case bot.ReactionRemoved:
		return "reaction_removed"
	case bot.ReactionsCleared:
		return "reactions_cleared"
	case bot.Mentioned:
		return "mentioned"
	case bot.SpaceRemoved:
		return "space_removed"
	}
	return "other"
}

// EventPlatform is the platform an event came from.
func EventPlatform(ev bot.Event) string {
	switch ev := ev.(type) {
	case bot.MessagePosted:
		return ev.Message.Ref.Channel.Platform
	case bot.MessageEdited:
		return ev.Message.Ref.Channel.Platform
	case bot.MessageDeleted:
		return ev.Ref.Channel.Platform
	case bot.ReactionAdded:
		return ev.Target.Channel.Platform
	case bot.ReactionRemoved:
		return ev.Target.Channel.Platform
	case bot.ReactionsCleared:
		return ev.Target.Channel.Platform
	case bot.Mentioned:
		return ev.Message.Ref.Channel.Platform
	case bot.SpaceRemoved:
		return ev.Platform
	}
	return "unknown"
}

// Transport wraps next (http.DefaultTransport when nil) to count a
// platform's API calls by method and outcome, and the rate-limit waits the
// platform asks for.
func (m *Metrics) Transport(platform string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return &transport{m: m, platform: platform, next: next}
}

// Causes of a rate-limit wait.
const (
	causeRetryAfter = "retry_after"
	causePacing     = "pacing"
)

// Paced counts a wait an adapter's own pacing imposed on a call of method
// (Slack's posts per channel, its history reads), apart from 429s.
func (m *Metrics) Paced(platform, method string, wait time.Duration) {
	if m == nil {
		return
	}
	m.rateLimitWaits.WithLabelValues(platform, method, causePacing).Inc()
	m.rateLimitSeconds.WithLabelValues(platform, method, causePacing).Add(wait.Seconds())
}

type transport struct {
	m        *Metrics
	platform string
	next     http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	method := APIMethod(t.platform, r)
	resp, err := t.next.RoundTrip(r)
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "error"
	case resp.StatusCode == http.StatusTooManyRequests:
		outcome = "rate_limited"
		t.m.rateLimitWaits.WithLabelValues(t.platform, method, causeRetryAfter).Inc()
		if s, perr := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); perr == nil && s > 0 {
			t.m.rateLimitSeconds.WithLabelValues(t.platform, method, causeRetryAfter).Add(s)
		}
	case resp.StatusCode >= 400:
		outcome = "error"
	case t.platform == "slack" && slackFailed(resp):
		outcome = "error"
	}
	t.m.apiCalls.WithLabelValues(t.platform, method, outcome).Inc()
	return resp, err
}

// slackFailed reads a Slack Web API answer ({"ok": false, "error": …} with
// status 200) and puts the body back for the client.
func slackFailed(resp *http.Response) bool {
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Body == nil {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return true
	}
	var v struct {
		OK *bool `json:"ok"`
	}
	return json.Unmarshal(b, &v) == nil && v.OK != nil && !*v.OK
}

var (
	discordVersion = regexp.MustCompile(`^/api/v\d+`)
	discordID      = regexp.MustCompile(`/\d{5,}`)
	discordToken   = regexp.MustCompile(`(/(?:interactions|webhooks)/\{id\})/[^/]+`)
	discordEmoji   = regexp.MustCompile(`/reactions/[^/]+`)
)

// APIMethod names the API method of a request with no ID or token in it:
// Slack's method ("chat.postMessage", "response_url" for a command's
// answer), Discord's verb and route ("POST /channels/{id}/messages",
// "PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me").
func APIMethod(platform string, r *http.Request) string {
	p := r.URL.Path
	switch platform {
	case "slack":
		if i := strings.LastIndex(p, "/api/"); i >= 0 && !strings.Contains(p[i+5:], "/") {
			return p[i+5:]
		}
		if i := strings.LastIndexByte(p, '/'); i >= 0 && strings.Contains(p[i:], ".") {
			return p[i+1:]
		}
		return "response_url"
	case "discord":
		p = discordVersion.ReplaceAllString(p, "")
		p = discordEmoji.ReplaceAllString(p, "/reactions/{emoji}")
		p = discordID.ReplaceAllString(p, "/{id}")
		p = discordToken.ReplaceAllString(p, "$1/{token}")
		return r.Method + " " + p
	}
	return r.Method
}

// entryCollector reports the entries gauge from the store's counts, which
// its triggers keep current: a scrape reads a few rows.
type entryCollector struct {
	src EntryCounter
	log *slog.Logger
}

var entriesDesc = prometheus.NewDesc("repertoire_entries", "Entries in the repertoire, by kind, visibility and status.",
	[]string{"kind", "visibility", "status"}, nil)

func (c *entryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- entriesDesc }

func (c *entryCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.src.EntryCounts(ctx)
	if err != nil {
		c.log.Warn("metrics: entry counts", "err", err)
		ch <- prometheus.NewInvalidMetric(entriesDesc, err)
		return
	}
	for _, n := range counts {
		vis := "public"
		if n.Private {
			vis = "private"
		}
		ch <- prometheus.MustNewConstMetric(entriesDesc, prometheus.GaugeValue, float64(n.N), string(n.Kind), vis, string(n.Status))
	}
}
