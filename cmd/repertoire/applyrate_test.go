package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// TestApplyRate measures how fast the bot applies captures against a big
// repertoire: the real program (in this process) on a copy of a store
// holding REPERTOIRE_APPLY_BASE captures (the contention test's import,
// built once and kept at REPERTOIRE_APPLY_STORE), sent
// REPERTOIRE_APPLY_CAPTURES captures (a message and its 💡 each) over the
// Events API as fast as they are acknowledged; it reports the events
// applied per second from the first delivery to an empty inbox.
// REPERTOIRE_APPLY_CPUPROFILE writes a CPU profile of that time. A
// measurement, off unless REPERTOIRE_APPLY_STORE is set:
//
//	REPERTOIRE_APPLY_STORE=/tmp/base100k.db REPERTOIRE_APPLY_BASE=100000 go test ./cmd/repertoire -run ApplyRate -v -timeout 60m
func TestApplyRate(t *testing.T) {
	base := os.Getenv("REPERTOIRE_APPLY_STORE")
	if base == "" {
		t.Skip("a measurement: set REPERTOIRE_APPLY_STORE")
	}
	ctx := context.Background()
	if _, err := os.Stat(base); err != nil {
		n, _ := strconv.Atoi(os.Getenv("REPERTOIRE_APPLY_BASE"))
		if n <= 0 {
			n = 10_000
		}
		export := filepath.Join(t.TempDir(), "export.json")
		if err := writeDiscordExport(export, n); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		env := map[string]string{"REPERTOIRE_DB": base, "REPERTOIRE_LOG_LEVEL": "warn"}
		if err := run(ctx, []string{"import", "discord", "-progress", "none", export}, func(k string) string { return env[k] },
			strings.NewReader(""), io.Discard, os.Stderr); err != nil {
			t.Fatal(err)
		}
		t.Logf("built %s: %d captures in %s", base, n, time.Since(start).Round(time.Second))
	}
	captures := 1000
	if n, err := strconv.Atoi(os.Getenv("REPERTOIRE_APPLY_CAPTURES")); err == nil && n > 0 {
		captures = n
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "apply.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(base + suffix)
		if err != nil && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(db+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	addr := freeAddr(t)
	const secret = "apply-secret"
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.URL,
		"SLACK_READ_INTERVAL": "5ms", "REPERTOIRE_LOG_LEVEL": "warn", "REPERTOIRE_CATCHUP": "0", "REPERTOIRE_HTTP_ADDR": addr, "SLACK_SIGNING_SECRET": secret}
	bctx, stop := context.WithCancel(ctx)
	var logs lockedWriter
	logs.w = &bytes.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(bctx, []string{"run"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, &logs)
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("bot: %v", err)
		}
	}()
	client := &http.Client{Timeout: 10 * time.Second}
	for end := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := client.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(end) {
			t.Fatalf("bot not up\n%s", logs.w)
		}
	}
	sdb, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	idb, err := sql.Open("sqlite", sqlite.InboxPath(db)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer idb.Close()
	if p := os.Getenv("REPERTOIRE_APPLY_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	start := time.Now()
	for i := range captures {
		ts, msg := fake.Say("C1", "U1", fmt.Sprintf("live tip %d: drain the queue before a deploy", i), "")
		for _, ev := range []map[string]any{msg, fake.React("C1", ts, "U2", "bulb")} {
			_, body := fake.Callback(ev)
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/events", bytes.NewReader(body))
			req.Header = slacktest.Sign(secret, body, time.Now())
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("event refused: %s", resp.Status)
			}
		}
	}
	sent := time.Since(start)
	for end := time.Now().Add(30 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var n int
		if err := idb.QueryRow(`SELECT count(*) FROM inbox WHERE applied_at IS NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d events still pending", n)
		}
	}
	took := time.Since(start)
	var entries int
	if err := sdb.QueryRow(`SELECT count(*) FROM entries WHERE answer LIKE 'live tip %'`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d captures (%d events) sent in %s, applied in %s: %.1f events/s; %d stored", captures, 2*captures,
		sent.Round(time.Millisecond), took.Round(time.Millisecond), float64(2*captures)/took.Seconds(), entries)
	if entries != captures {
		t.Errorf("%d of %d captures stored\n%s", entries, captures, logs.w)
	}
}
