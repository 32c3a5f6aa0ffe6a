package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
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
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// TestImportWhileTheBotWorks imports one DiscordChatExporter file of
// REPERTOIRE_CONTENTION_CAPTURES captures (the figure: 100000)
// into the database a running bot (a child process, Events API) writes at
// 50 captures/s while `repertoire search` runs in a loop, and counts the
// bot's SQLITE_BUSY errors and refused events, failed searches and the
// longest acknowledgement. It is a measurement, off unless the variable is
// set:
//
//	REPERTOIRE_CONTENTION_CAPTURES=100000 go test ./cmd/repertoire -run ImportWhileTheBotWorks -v -timeout 40m
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
	// The program itself, built once, for the search loop.
	cli := filepath.Join(dir, "repertoire")
	if out, err := exec.Command("go", "build", "-o", cli, ".").CombinedOutput(); err != nil {
		t.Fatalf("build repertoire: %v\n%s", err, out)
	}
	t.Logf("load average at the start: %s", loadAverage())
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
	var ackedCapture []bool // by capture number: its message and 💡 acknowledged
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ctx.Err() == nil; i++ {
			<-tick.C
			ts, msg := fake.Say("C1", "U1", fmt.Sprintf("live tip %d: drain the queue before a deploy", i), "")
			ok := true
			for _, ev := range []map[string]any{msg, fake.React("C1", ts, "U2", "bulb")} {
				_, body := fake.Callback(ev)
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/events", bytes.NewReader(body))
				req.Header = slacktest.Sign(secret, body, time.Now())
				start := time.Now()
				resp, err := client.Do(req)
				acks = append(acks, time.Since(start))
				if err != nil || resp.StatusCode != http.StatusOK {
					refused.Add(1)
					ok = false
				}
				if err == nil {
					resp.Body.Close()
				}
			}
			ackedCapture = append(ackedCapture, ok)
		}
	}()
	// `repertoire search` in a loop: the real program, a process of its own
	// for each query (as a member or a script runs it), one query
	// searchPause after the last one ended, so the loop never spins on
	// the bot's CPU. A non-zero exit or a busy database in the output is
	// a failed search.
	var searches, failed atomic.Int64
	var searchCPU atomic.Int64 // nanoseconds, user + system
	var searchTimes []time.Duration
	var firstFail atomic.Value
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			cmd := exec.Command(cli, "search", "restart the worker pool")
			cmd.Env = append(os.Environ(), "REPERTOIRE_DB="+db, "REPERTOIRE_LOG_LEVEL=warn")
			start := time.Now()
			out, err := cmd.CombinedOutput()
			searchTimes = append(searchTimes, time.Since(start))
			searches.Add(1)
			if ps := cmd.ProcessState; ps != nil {
				searchCPU.Add(int64(ps.UserTime() + ps.SystemTime()))
			}
			if err != nil || bytes.Contains(out, []byte("SQLITE_BUSY")) || bytes.Contains(out, []byte("database is locked")) {
				failed.Add(1)
				firstFail.CompareAndSwap(nil, fmt.Sprintf("%v: %.300s", err, out))
			}
			select {
			case <-ctx.Done():
			case <-time.After(searchPause):
			}
		}
	}()
	// The WAL's size, sampled: it must stay bounded.
	var walPeak atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			if fi, err := os.Stat(db + "-wal"); err == nil && fi.Size() > walPeak.Load() {
				walPeak.Store(fi.Size())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	// The bot's backlog, sampled: acknowledged events not applied yet. An
	// import that starves the bot's writes shows as a backlog that grows.
	var pendingPeak, pendingLast, pendingSum, pendingLooks atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		idb, err := sql.Open("sqlite", sqlite.InboxPath(db)+"?_pragma=busy_timeout(5000)")
		if err != nil {
			return
		}
		defer idb.Close()
		for ctx.Err() == nil {
			var n int64
			if _, err := os.Stat(sqlite.InboxPath(db)); err != nil { // the bot creates it at its first delivery
				time.Sleep(50 * time.Millisecond)
				continue
			}
			if err := idb.QueryRow(`SELECT count(*) FROM inbox WHERE applied_at IS NULL`).Scan(&n); err == nil {
				pendingPeak.Store(max(pendingPeak.Load(), n))
				pendingLast.Store(n)
				pendingSum.Add(n)
				pendingLooks.Add(1)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}()
	// The import runs in a process of its own, as `repertoire import`
	// does, so that its peak RSS is its own.
	start := time.Now()
	imp := exec.Command(os.Args[0], "-test.run=^TestImportChild$", "-test.count=1")
	imp.Env = append(os.Environ(), importChildEnv+"="+export, "REPERTOIRE_DB="+db, "REPERTOIRE_LOG_LEVEL=warn")
	var ierr bytes.Buffer
	imp.Stderr, imp.Stdout = &ierr, &ierr
	err := imp.Run()
	took := time.Since(start)
	cancel()
	wg.Wait()
	loadAtEnd := loadAverage()
	if err != nil {
		t.Fatalf("import: %v\n%s", err, ierr.String())
	}
	rss := imp.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	// The bot catches up once the import is over (its traffic stops with
	// the import): the time its backlog takes to drain.
	idb, err := sql.Open("sqlite", sqlite.InboxPath(db)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer idb.Close()
	drained := time.Now()
	var left int
	for end := time.Now().Add(10 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if err := idb.QueryRow(`SELECT count(*) FROM inbox WHERE applied_at IS NULL`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 || time.Now().After(end) {
			break
		}
	}
	drainTook := time.Since(drained)
	bot.stop(t, syscall.SIGTERM)
	botCPU := bot.cmd.ProcessState.UserTime() + bot.cmd.ProcessState.SystemTime()
	// Every capture whose message and 💡 were acknowledged is an entry once
	// the inbox is applied (a start applies what is pending): acknowledged
	// means stored.
	logs := bot.stderr.String() + ierr.String()
	firstBot := bot.stderr.String()
	slices.Sort(acks)
	slices.Sort(searchTimes)
	t.Logf("import of %d captures in %s, peak RSS %d MiB; WAL peak %d MiB; bot: %d events sent, %d refused, ack p50 %s p99 %s max %s",
		n, took.Round(time.Millisecond), rss>>10, walPeak.Load()>>20, len(acks), refused.Load(), acks[len(acks)/2].Round(time.Microsecond),
		acks[len(acks)*99/100].Round(time.Microsecond), acks[len(acks)-1].Round(time.Microsecond))
	t.Logf("searches (one %s after the last ended): %d run, %d failed %v; wall p50 %s max %s; their CPU %.2f of a core over the import",
		searchPause, searches.Load(), failed.Load(), firstFail.Load(), searchTimes[len(searchTimes)/2].Round(time.Millisecond),
		searchTimes[len(searchTimes)-1].Round(time.Millisecond), time.Duration(searchCPU.Load()).Seconds()/took.Seconds())
	t.Logf("bot's CPU from its start to its stop: %s (%.2f of a core over the import and the drain); load average at the import's end: %s",
		botCPU.Round(time.Millisecond), botCPU.Seconds()/(took+drainTook).Seconds(), loadAtEnd)
	t.Logf("longest write transactions over %s: %s", sqlite.LongWrite, longWrites(logs))
	t.Logf("bot's backlog while importing (every 250 ms): mean %d, peak %d, %d at the import's end; drained to %d in %s after the import (its traffic stopped)",
		pendingSum.Load()/max(pendingLooks.Load(), 1), pendingPeak.Load(), pendingLast.Load(), left, drainTook.Round(100*time.Millisecond))
	bot = startChild(t, env)
	sdb, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var pendingAtStop int
	drain := time.Now()
	for end := time.Now().Add(10 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var n int
		if err := idb.QueryRow(`SELECT count(*) FROM inbox WHERE applied_at IS NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		pendingAtStop = max(pendingAtStop, n)
		if n == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d acknowledged events still pending 10 minutes after the import\n%s", n, bot.stderr)
		}
	}
	t.Logf("acknowledged and not applied when the bot stopped: %d events, applied in %s by the next start", pendingAtStop, time.Since(drain).Round(time.Second))
	bot.stop(t, syscall.SIGTERM)
	stored := map[int]bool{}
	rows, err := sdb.QueryContext(context.Background(), `SELECT answer FROM entries WHERE answer LIKE 'live tip %'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		var i int
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Sscanf(a, "live tip %d:", &i); err == nil {
			stored[i] = true
		}
	}
	rows.Close()
	var lost []int
	for i, ok := range ackedCapture {
		if ok && !stored[i] {
			lost = append(lost, i)
		}
	}
	logs += bot.stderr.String()
	busy := strings.Count(logs, "SQLITE_BUSY") + strings.Count(logs, "database is locked")
	t.Logf("%d acknowledged captures not stored, %d SQLITE_BUSY in the logs", len(lost), busy)
	shown := 0
	for _, line := range strings.Split(logs, "\n") {
		if shown < 5 && (strings.Contains(line, "SQLITE_BUSY") || strings.Contains(line, "database is locked")) {
			t.Logf("busy: %s", line)
			shown++
		}
	}
	if busy > 0 || refused.Load() > 0 || len(lost) > 0 || failed.Load() > 0 || acks[len(acks)-1] > time.Second {
		t.Errorf("the import got in the bot's way\n%s", firstBot)
	}
}

const importChildEnv = "REPERTOIRE_IMPORT_CHILD"

// searchPause is the contention test's pause between two searches: a
// member's or a script's pace, five queries a second at most.
const searchPause = 200 * time.Millisecond

// loadAverage is the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// TestImportChild is the import process of TestImportWhileTheBotWorks; it
// does nothing in a normal run.
func TestImportChild(t *testing.T) {
	export := os.Getenv(importChildEnv)
	if export == "" {
		t.Skip("the import process of the contention test")
	}
	err := run(context.Background(), []string{"import", "discord", "-progress", "none", export}, os.Getenv, strings.NewReader(""), os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "import:", err)
		os.Exit(1)
	}
}

// longWrites is the longest of the store's "long write transaction"
// warnings in logs, by what wrote.
func longWrites(logs string) string {
	longest := map[string]time.Duration{}
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, "long write transaction") {
			continue
		}
		var by string
		var held time.Duration
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "by="); ok {
				by = v
			}
			if v, ok := strings.CutPrefix(f, "held="); ok {
				held, _ = time.ParseDuration(v)
			}
		}
		longest[by] = max(longest[by], held)
	}
	if len(longest) == 0 {
		return "none"
	}
	var out []string
	for by, d := range longest {
		out = append(out, fmt.Sprintf("%s %s", by, d.Round(time.Millisecond)))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
