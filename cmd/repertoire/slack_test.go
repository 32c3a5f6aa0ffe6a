package main

import (
	"bytes"
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
)

// TestSlackThroughRun runs the program with Slack tokens against the
// loopback Slack: a reaction over Socket Mode becomes an entry.
func TestSlackThroughRun(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "slack.db")
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_APP_TOKEN": fake.AppToken,
		"SLACK_API_URL": fake.URL, "REPERTOIRE_LOG_LEVEL": "error"}
	ctx, cancel := context.WithCancel(context.Background())
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
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	e, err := openDB(t, db).EntryBySource(context.Background(), repertoire.Source{Platform: "slack", Space: fake.Team, Channel: "C1", Message: a})
	if err != nil || e.Author.ID != "U2" || e.Savers[0].ID != "U3" {
		t.Fatalf("entry: %+v %v", e, err)
	}
}

// TestSlackEventsRoute checks that with a signing secret the adapter's
// /slack/events handler is mounted on the program's HTTP mux.
func TestSlackEventsRoute(t *testing.T) {
	fake := slacktest.New(t)
	cfg, err := parseConfig(func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": fake.BotToken, "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": fake.URL}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := buildPlatforms(context.Background(), cfg, slog.New(slog.DiscardHandler), nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]http.Handler{}
	for _, p := range ps {
		if rp, ok := p.(routeProvider); ok {
			maps.Copy(routes, rp.Routes())
		}
	}
	mux := newMux(openDB(t, filepath.Join(t.TempDir(), "r.db")), routes)
	body := []byte(`{"token":"x","challenge":"abc123","type":"url_verification"}`)
	for secret, want := range map[string]int{"s3cret": 200, "wrong": 401} {
		r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
		r.Header = slacktest.Sign(secret, body, time.Now())
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != want || (want == 200 && w.Body.String() != "abc123") {
			t.Errorf("secret %q: %d %q, want %d", secret, w.Code, w.Body, want)
		}
	}
}
