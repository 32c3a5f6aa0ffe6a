package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/metrics"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// sample returns the value of the sample named exactly series (name and
// labels as exposed), or -1 when there is none.
func sample(text, series string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// TestMetricsAfterSlackRun runs the program over the loopback Slack with
// metrics on, scripts a capture, an answered and an unanswered question and
// a rate-limited post, then scrapes /metrics: every counter and histogram
// moved as expected.
func TestMetricsAfterSlackRun(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "metrics.db")
	addr := freeAddr(t)
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_APP_TOKEN": fake.AppToken,
		"SLACK_API_URL": fake.URL, "REPERTOIRE_LOG_LEVEL": "error", "REPERTOIRE_METRICS": addr,
		"REPERTOIRE_CATCHUP": "0"} // its history reads would race with the script (see TestMetricsAfterDiscordRun)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	}()
	if err := fake.WaitConnected(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	q, qev := fake.Say("C1", "U1", "How do I rotate the TLS certificate?", "")
	a, aev := fake.Say("C1", "U2", "Run certbot renew, then reload nginx", q)
	fake.Event(qev)
	fake.Event(aev)
	fake.Event(fake.React("C1", a, "U3", "bulb"))
	if err := fake.WaitCalls("reactions.add", 1, 10*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	// The first answer is rate limited once (Retry-After: 1), then posted.
	fake.RateLimit("chat.postMessage", 1, 1, false)
	_, m1 := fake.Mention("C1", "U4", "<@UBOT> how do I rotate the certificate?", "")
	fake.Event(m1)
	if err := fake.WaitCalls("chat.postMessage", 2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_, m2 := fake.Mention("C1", "U4", "<@UBOT> zyxxy quorble flange", "")
	fake.Event(m2)
	if err := fake.WaitCalls("chat.postMessage", 3, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// The third post is the second answer; its event is marked applied
	// (and counted) just after, so scrape until the inbox has caught up,
	// within a deadline.
	var text string
	for deadline := time.Now().Add(10 * time.Second); ; {
		text = scrape(t, "http://"+addr+"/metrics")
		caughtUp := sample(text, "repertoire_inbox_pending") == 0 &&
			sample(text, `repertoire_events_applied_total{platform="slack",type="mentioned"}`) == 2
		if caughtUp || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for series, want := range map[string]float64{
		// Two messages, and each app_mention is a message for the log too.
		`repertoire_events_received_total{platform="slack",type="message_posted"}`:                                 4,
		`repertoire_events_received_total{platform="slack",type="reaction_added"}`:                                 1,
		`repertoire_events_applied_total{platform="slack",type="reaction_added"}`:                                  1,
		`repertoire_events_applied_total{platform="slack",type="mentioned"}`:                                       2,
		`repertoire_event_apply_seconds_count{platform="slack",type="reaction_added"}`:                             1,
		`repertoire_recall_seconds_count`:                                                                          2,
		`repertoire_recalls_total{outcome="answered"}`:                                                             1,
		`repertoire_recalls_total{outcome="unanswered"}`:                                                           1,
		`repertoire_platform_api_calls_total{method="reactions.add",outcome="ok",platform="slack"}`:                1,
		`repertoire_platform_api_calls_total{method="chat.postMessage",outcome="rate_limited",platform="slack"}`:   1,
		`repertoire_platform_api_calls_total{method="chat.postMessage",outcome="ok",platform="slack"}`:             2,
		`repertoire_rate_limit_waits_total{cause="retry_after",method="chat.postMessage",platform="slack"}`:        1,
		`repertoire_rate_limit_wait_seconds_total{cause="retry_after",method="chat.postMessage",platform="slack"}`: 1,
		`repertoire_entries{kind="tip",status="saved",visibility="public"}`:                                        1,
	} {
		if got := sample(text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	// The second answer follows the first in C1 within the adapter's
	// one-post-a-second pace: the pacer's wait is counted apart from 429s.
	if got := sample(text, `repertoire_rate_limit_waits_total{cause="pacing",method="chat.postMessage",platform="slack"}`); got < 1 {
		t.Errorf("pacing waits = %v, want at least 1", got)
	}
	if got := sample(text, "repertoire_inbox_pending"); got != 0 {
		t.Errorf("inbox pending = %v after every event was applied, want 0", got)
	}
	if sample(text, `repertoire_events_failed_total{platform="slack",type="mentioned"}`) > 0 {
		t.Errorf("events failed:\n%s", text)
	}
	for _, series := range []string{"go_goroutines", "process_resident_memory_bytes", `repertoire_event_apply_seconds_bucket{platform="slack",type="mentioned",le="+Inf"}`} {
		if sample(text, series) <= 0 {
			t.Errorf("%s missing or zero", series)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}

	// The week's digest, posted through the same instrumented adapter.
	cfg, err := parseConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	store := openDB(t, db)
	met := newMetrics(cfg, store, nil)
	ps, err := buildPlatforms(context.Background(), cfg, slog.New(slog.DiscardHandler), nil, nil, nil, met)
	if err != nil {
		t.Fatal(err)
	}
	defaults, _ := digestDefaults(cfg)
	core := bot.New(store, nil, bot.Config{Digest: defaults, Observer: met}, ps...)
	if _, err := core.NewScheduler(bot.SchedulerConfig{Instance: "test"}).Tick(context.Background(), time.Now().Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	srv := http.Server{Handler: met.Handler()}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Close()
	text = scrape(t, "http://"+ln.Addr().String()+"/")
	if got := sample(text, `repertoire_digests_total{outcome="posted",platform="slack"}`); got != 1 {
		t.Errorf("digests posted = %v, want 1:\n%s", got, grepLines(text, "digests"))
	}
}

func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsOnlyWhenAsked: /metrics is not served unless REPERTOIRE_METRICS
// says so, and a bad value is refused naming the variable.
func TestMetricsOnlyWhenAsked(t *testing.T) {
	for _, tc := range []struct {
		env        map[string]string
		on         bool
		addr, fail string
	}{
		{map[string]string{}, false, "", ""},
		{map[string]string{"REPERTOIRE_HTTP_ADDR": ":8080"}, false, "", ""},
		{map[string]string{"REPERTOIRE_HTTP_ADDR": ":8080", "REPERTOIRE_METRICS": "true"}, true, "", ""},
		{map[string]string{"REPERTOIRE_METRICS": "true"}, false, "", "REPERTOIRE_HTTP_ADDR"},
		{map[string]string{"REPERTOIRE_METRICS": "127.0.0.1:9090"}, true, "127.0.0.1:9090", ""},
		{map[string]string{"REPERTOIRE_METRICS": "yes please"}, false, "", "REPERTOIRE_METRICS"},
	} {
		c, err := parseConfig(func(k string) string { return tc.env[k] })
		if tc.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("%v: %v, want an error naming %s", tc.env, err, tc.fail)
			}
			continue
		}
		if err != nil || c.Metrics != tc.on || c.MetricsAddr != tc.addr {
			t.Errorf("%v: metrics %v on %q (%v), want %v on %q", tc.env, c.Metrics, c.MetricsAddr, err, tc.on, tc.addr)
		}
	}
	var _ *metrics.Metrics = newMetrics(Config{}, nil, nil)
	if newMetrics(Config{}, nil, nil) != nil {
		t.Error("metrics built while off")
	}
}
