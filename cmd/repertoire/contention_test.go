package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
)

// TestImportWhileTheBotWorks imports one DiscordChatExporter file of
// REPERTOIRE_CONTENTION_CAPTURES captures (the figure: 100000)
// into the database a running bot (a child process, Events API) writes at
// 50 captures/s while `repertoire search` runs in a loop, and counts the
// bot's SQLITE_BUSY errors and refused events, failed searches and the
// longest acknowledgement. It is a measurement, off unless the variable is
// set:
//
//	REPERTOIRE_CONTENTION_CAPTURES=100000 go test ./cmd/repertoire -run ImportWhileTheBotWorks -v -timeout 30m
func TestImportWhileTheBotWorks(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("REPERTOIRE_CONTENTION_CAPTURES"))
	if n <= 0 {
		t.Skip("a measurement: set REPERTOIRE_CONTENTION_CAPTURES")
	}
	dir := t.TempDir()
	export := filepath.Join(dir, "export.json")
	if err := writeDiscordExport(export, n); err != nil {
		t.Fatal(err)
	}
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(dir, "busy.db")
	addr := freeAddr(t)
	const secret = "contention-secret"
	// REPERTOIRE_CATCHUP=0: the inbox alone is measured (catch-up would recover what it lost).
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.URL,
		"SLACK_READ_INTERVAL": "5ms", "REPERTOIRE_LOG_LEVEL": "warn", "REPERTOIRE_CATCHUP": "0", "REPERTOIRE_HTTP_ADDR": addr, "SLACK_SIGNING_SECRET": secret}
	bot := startChild(t, env)
	client := &http.Client{Timeout: 10 * time.Second}
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := client.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(end) {
			t.Fatalf("bot not up\n%s", bot.stderr)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// The bot's traffic: 50 captures/s (a message and its 💡 each).
	var acks []time.Duration
	var refused atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ctx.Err() == nil; i++ {
			<-tick.C
			ts, msg := fake.Say("C1", "U1", fmt.Sprintf("live tip %d: drain the queue before a deploy", i), "")
			for _, ev := range []map[string]any{msg, fake.React("C1", ts, "U2", "bulb")} {
				_, body := fake.Callback(ev)
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/events", bytes.NewReader(body))
				req.Header = slacktest.Sign(secret, body, time.Now())
				start := time.Now()
				resp, err := client.Do(req)
				acks = append(acks, time.Since(start))
				if err != nil || resp.StatusCode != http.StatusOK {
					refused.Add(1)
				}
				if err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	// `repertoire search` in a loop, each a new process's open.
	var searches, failed atomic.Int64
	var firstFail atomic.Value
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			var out, errs strings.Builder
			err := run(context.Background(), []string{"search", "restart the worker pool"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
			searches.Add(1)
			if err != nil {
				failed.Add(1)
				firstFail.CompareAndSwap(nil, err.Error())
			}
		}
	}()
	start := time.Now()
	var out, errs strings.Builder
	ienv := map[string]string{"REPERTOIRE_DB": db, "REPERTOIRE_LOG_LEVEL": "warn"}
	err := run(context.Background(), []string{"import", "discord", "-progress", "none", export}, func(k string) string { return ienv[k] }, strings.NewReader(""), &out, &errs)
	took := time.Since(start)
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errs.String())
	}
	bot.stop(t, syscall.SIGTERM)
	busy := strings.Count(bot.stderr.String(), "SQLITE_BUSY") + strings.Count(bot.stderr.String(), "database is locked")
	slices.Sort(acks)
	t.Logf("import of %d captures in %s; bot: %d events sent, %d refused, %d SQLITE_BUSY in its log, ack p50 %s p99 %s max %s; searches: %d, %d failed %v",
		n, took.Round(time.Millisecond), len(acks), refused.Load(), busy, acks[len(acks)/2].Round(time.Microsecond),
		acks[len(acks)*99/100].Round(time.Microsecond), acks[len(acks)-1].Round(time.Microsecond), searches.Load(), failed.Load(), firstFail.Load())
	if busy > 0 || refused.Load() > 0 || failed.Load() > 0 || acks[len(acks)-1] > time.Second {
		t.Errorf("the import got in the bot's way\n%s", bot.stderr)
	}
}
