package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
)

// TestMetricsAfterDiscordRun runs the program over the loopback Discord with
// metrics on, scripts a capture, an answered and an unanswered question and
// a rate-limited post, then scrapes /metrics: events received and applied,
// the recall histogram, recalls by outcome and the platform calls moved.
func TestMetricsAfterDiscordRun(t *testing.T) {
	srv := discordtest.New(t)
	const general = "41771983423143937"
	srv.AddChannel(discordtest.Channel{ID: general, Name: "general"})
	db := filepath.Join(t.TempDir(), "metrics.db")
	addr := freeAddr(t)
	// Catch-up is off: at a first start it reads the channel's history and
	// would apply the scripted reaction a second time (idempotently), or
	// not, depending on when it runs.
	env := map[string]string{"REPERTOIRE_DB": db, "DISCORD_TOKEN": srv.Token, "DISCORD_API_URL": srv.URL(),
		"REPERTOIRE_LOG_LEVEL": "debug", "REPERTOIRE_METRICS": addr, "REPERTOIRE_CATCHUP": "0"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	}()
	srv.Await(t, "the bot connected", srv.Connected)
	alice, nelly, carol := discordtest.User{ID: "1001", Name: "Alice"}, discordtest.User{ID: "1002", Name: "Nelly"}, discordtest.User{ID: "1003", Name: "Carol"}
	q := srv.Post(alice, general, "How do I rotate the TLS certificate?", "")
	a := srv.Post(nelly, general, "Run certbot renew, then reload nginx", q)
	srv.React(carol, general, a, "💡", false)
	srv.Await(t, "the capture's acknowledgement", func() bool { return len(srv.Reactions()) == 1 })
	// The first answer is rate limited once, then posted.
	srv.RateLimit("POST channels/{}/messages", 0.2)
	srv.Post(carol, general, "<@"+srv.Bot.ID+"> how do I rotate the certificate?", "")
	srv.Await(t, "the first answer", func() bool { return len(srv.Sent()) == 1 })
	srv.Post(carol, general, "<@"+srv.Bot.ID+"> zyxxy quorble flange", "")
	srv.Await(t, "the second answer", func() bool { return len(srv.Sent()) == 2 })

	// The second answer's event is marked applied just after it is posted,
	// and the gateway delivers the answer back a moment later: scrape until
	// the inbox has caught up and the echo is counted, within a deadline.
	var text string
	for deadline := time.Now().Add(10 * time.Second); ; {
		text = scrape(t, "http://"+addr+"/metrics")
		caughtUp := sample(text, "repertoire_inbox_pending") == 0 &&
			sample(text, `repertoire_events_applied_total{platform="discord",type="mentioned"}`) == 2 &&
			sample(text, `repertoire_events_received_total{platform="discord",type="message_posted"}`) >= 6
		if caughtUp || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for series, want := range map[string]float64{
		// Four members' messages (each mention is a message for the log
		// too) and the bot's two answers, which the gateway delivers back.
		`repertoire_events_received_total{platform="discord",type="message_posted"}`:                                                           6,
		`repertoire_events_received_total{platform="discord",type="reaction_added"}`:                                                           1,
		`repertoire_events_applied_total{platform="discord",type="reaction_added"}`:                                                            1,
		`repertoire_events_applied_total{platform="discord",type="mentioned"}`:                                                                 2,
		`repertoire_event_apply_seconds_count{platform="discord",type="reaction_added"}`:                                                       1,
		`repertoire_recall_seconds_count`:                                                                                                      2,
		`repertoire_recalls_total{outcome="answered"}`:                                                                                         1,
		`repertoire_recalls_total{outcome="unanswered"}`:                                                                                       1,
		`repertoire_platform_api_calls_total{method="PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me",outcome="ok",platform="discord"}`: 1,
		`repertoire_platform_api_calls_total{method="POST /channels/{id}/messages",outcome="rate_limited",platform="discord"}`:                 1,
		`repertoire_platform_api_calls_total{method="POST /channels/{id}/messages",outcome="ok",platform="discord"}`:                           2,
		`repertoire_platform_api_calls_total{method="GET /applications/@me",outcome="ok",platform="discord"}`:                                  1,
		`repertoire_rate_limit_waits_total{cause="retry_after",method="POST /channels/{id}/messages",platform="discord"}`:                      1,
		`repertoire_entries{kind="tip",status="saved",visibility="public"}`:                                                                    1,
	} {
		if got := sample(text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if sample(text, `repertoire_events_failed_total{platform="discord",type="mentioned"}`) > 0 {
		t.Errorf("events failed:\n%s", text)
	}
	if got := sample(text, `repertoire_event_apply_seconds_bucket{platform="discord",type="mentioned",le="+Inf"}`); got != 2 {
		t.Errorf("apply histogram of mentions counts %v, want 2", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	if t.Failed() {
		t.Logf("the bot's log:\n%s", errs.String())
	}
}
