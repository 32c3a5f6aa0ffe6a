package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
)

// TestMetricsCountCaughtUpEvents: events catch-up finds after downtime
// never came from the platform live, so they are not in
// events_received_total; they are counted in events_caught_up_total, by
// platform and type, and applied like the others. The program runs twice
// over the loopback Slack; between the runs a member saves a message with
// 💡 (the event is never delivered).
func TestMetricsCountCaughtUpEvents(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "metrics.db")
	addr := freeAddr(t)
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_APP_TOKEN": fake.AppToken,
		"SLACK_API_URL": fake.URL, "REPERTOIRE_LOG_LEVEL": "error", "REPERTOIRE_METRICS": addr, "SLACK_READ_INTERVAL": "10ms"}
	start := func() (stop func(), errs *bytes.Buffer) {
		ctx, cancel := context.WithCancel(context.Background())
		var out bytes.Buffer
		errs = &bytes.Buffer{}
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"run"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, errs)
		}()
		if err := fake.WaitConnected(1, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("run: %v\n%s", err, errs.String())
			}
		}, errs
	}
	// scrapeUntil scrapes until cond holds, within 10 s.
	scrapeUntil := func(what string, cond func(text string) bool) string {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; {
			// The second run's listener may not be up yet: retry.
			text := ""
			if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				text = string(b)
			}
			if cond(text) {
				return text
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s:\n%s", what, grepLines(text, "events_"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	stop, _ := start()
	q, qev := fake.Say("C1", "U1", "How do I rotate the TLS certificate?", "")
	a, aev := fake.Say("C1", "U2", "Run certbot renew, then reload nginx", q)
	fake.Event(qev)
	fake.Event(aev)
	// At least two: the start's catch-up may read the question from the
	// channel's history before its live event is applied, and then applies
	// it once more (a no-op the counter still counts).
	scrapeUntil("two messages applied", func(text string) bool {
		return sample(text, `repertoire_events_applied_total{platform="slack",type="message_posted"}`) >= 2
	})
	stop()

	fake.React("C1", a, "U3", "bulb") // while the bot is down
	stop, _ = start()
	defer stop()
	text := scrapeUntil("the caught-up capture applied", func(text string) bool {
		return sample(text, `repertoire_events_applied_total{platform="slack",type="reaction_added"}`) == 1
	})
	for series, want := range map[string]float64{
		`repertoire_events_caught_up_total{platform="slack",type="reaction_added"}`: 1,
		`repertoire_events_received_total{platform="slack",type="reaction_added"}`:  -1, // none was delivered
	} {
		if got := sample(text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}
