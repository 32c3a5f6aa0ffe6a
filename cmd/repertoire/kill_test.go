package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
)

// The kill tests run the real program in a child process (this test binary
// again, as TestKillChild) against the loopback Slack, stream captures at
// full speed, kill the child mid-stream, restart it and count: every event
// the bot acknowledged is applied, none twice, and the database is intact.
//
// REPERTOIRE_KILL_ROUNDS sets the rounds (2 kills and 1 SIGTERM by default,
// to keep CI short; the figure is 10), REPERTOIRE_KILL_AFTER the
// traffic before each stop (a random time between it and twice it; 500ms
// by default).

const childEnv = "REPERTOIRE_KILL_CHILD"

// TestKillChild is the bot process of the kill tests; it does nothing in a
// normal run.
func TestKillChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("the child process of the kill tests")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, []string{"run"}, os.Getenv, strings.NewReader(""), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
}

func killRounds(t *testing.T, sig syscall.Signal) int {
	if n, err := strconv.Atoi(os.Getenv("REPERTOIRE_KILL_ROUNDS")); err == nil && n > 0 {
		return n
	}
	if sig == syscall.SIGTERM {
		return 1
	}
	return 2
}

func killAfter(t *testing.T) time.Duration {
	if d, err := time.ParseDuration(os.Getenv("REPERTOIRE_KILL_AFTER")); err == nil && d > 0 {
		return d
	}
	return 500 * time.Millisecond
}

// child is one run of the bot process.
type child struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &child{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = &lockedWriter{w: c.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

func (c *child) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("child did not exit within 30s of %v\n%s", sig, c.stderr)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w.Len() > 1<<20 {
		return len(p), nil
	}
	return l.w.Write(p)
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// capture is one reacted message: the message's and the reaction's
// deliveries and whether the bot acknowledged each.
type capture struct {
	channel, ts string
	msgBody     []byte
	reactBody   []byte
	msgEnv      string // Socket Mode envelope IDs
	reactEnv    string
	msgAcked    bool
	reactAcked  bool
}

// ledger is what the traffic sent and what was acknowledged.
type ledger struct {
	mu       sync.Mutex
	captures []*capture
}

func (l *ledger) add(c *capture) {
	l.mu.Lock()
	l.captures = append(l.captures, c)
	l.mu.Unlock()
}

// TestKillEventsAPI: signed Events API traffic, SIGKILL mid-stream.
func TestKillEventsAPI(t *testing.T) { killTest(t, false, syscall.SIGKILL) }

// TestKillSocketMode: Socket Mode traffic, SIGKILL mid-stream.
func TestKillSocketMode(t *testing.T) { killTest(t, true, syscall.SIGKILL) }

// TestTermEventsAPI: SIGTERM under load loses nothing either.
func TestTermEventsAPI(t *testing.T) { killTest(t, false, syscall.SIGTERM) }

// TestTermSocketMode: SIGTERM under Socket Mode load.
func TestTermSocketMode(t *testing.T) { killTest(t, true, syscall.SIGTERM) }

func killTest(t *testing.T, socket bool, sig syscall.Signal) {
	if testing.Short() {
		t.Skip("kill tests run child processes")
	}
	fake := slacktest.New(t)
	channels := []string{"C1", "C2", "C3", "C4"}
	for _, c := range channels {
		fake.AddChannel(c, false)
	}
	db := filepath.Join(t.TempDir(), "kill.db")
	addr := freeAddr(t)
	// REPERTOIRE_CATCHUP=0: the inbox alone is measured (catch-up would recover what it lost).
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_API_URL": fake.URL,
		"SLACK_READ_INTERVAL": "5ms", "REPERTOIRE_LOG_LEVEL": "warn", "REPERTOIRE_CATCHUP": "0", "REPERTOIRE_HTTP_ADDR": addr}
	const secret = "kill-test-signing-secret"
	if socket {
		env["SLACK_APP_TOKEN"] = fake.AppToken
	} else {
		env["SLACK_SIGNING_SECRET"] = secret
	}
	client := &http.Client{Timeout: 5 * time.Second}
	postEvent := func(body []byte) bool {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/events", bytes.NewReader(body))
		req.Header = slacktest.Sign(secret, body, time.Now())
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	waitUp := func(c *child, connects int) {
		t.Helper()
		if socket {
			if err := fake.WaitConnected(connects, 20*time.Second); err != nil {
				t.Fatalf("%v\n%s", err, c.stderr)
			}
			return
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := client.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("bot not listening within 20s: %v\n%s", err, c.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var led ledger
	// stream sends captures from four workers until ctx ends.
	stream := func(ctx context.Context) {
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					ch := channels[w]
					ts, msg := fake.Say(ch, "U1", fmt.Sprintf("worker %d tip %d: restart the pool after a config reload", w, i), "")
					c := &capture{channel: ch, ts: ts}
					react := fake.React(ch, ts, "U2", "bulb")
					if socket {
						_, c.msgEnv = fake.Event(msg)
						_, c.reactEnv = fake.Event(react)
						led.add(c)
						// Slack sends at the pace the bot acks (it is
						// the back-pressure of Socket Mode); a killed bot
						// acks nothing, so do not wait long.
						_ = fake.WaitAck(c.reactEnv, 200*time.Millisecond)
						continue
					}
					_, c.msgBody = fake.Callback(msg)
					_, c.reactBody = fake.Callback(react)
					c.msgAcked = postEvent(c.msgBody)
					c.reactAcked = postEvent(c.reactBody)
					led.add(c)
				}
			}()
		}
		wg.Wait()
	}
	rounds := killRounds(t, sig)
	connects := 0
	var pendingAtStop int64
	for round := range rounds {
		c := startChild(t, env)
		connects++
		waitUp(c, connects)
		if !socket {
			resend(&led, postEvent) // Slack retries what was not acknowledged
		}
		ctx, cancel := context.WithCancel(context.Background())
		streamed := make(chan struct{})
		go func() { stream(ctx); close(streamed) }()
		d := killAfter(t)
		time.Sleep(d + rand.N(d))
		c.stop(t, sig)
		cancel()
		<-streamed
		// Acknowledged and not applied when the bot stopped: what a
		// memory queue would have lost.
		s, err := sqlite.Open(context.Background(), db, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, _, err := s.InboxDepth(context.Background())
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		pendingAtStop += n
		if sig == syscall.SIGTERM {
			if err := c.cmd.ProcessState; !err.Success() {
				t.Fatalf("round %d: the bot exited with %v after SIGTERM\n%s", round, err, c.stderr)
			}
		}
	}
	// A last start applies what is pending and takes Slack's retries.
	c := startChild(t, env)
	connects++
	waitUp(c, connects)
	if !socket {
		if n := resend(&led, postEvent); n > 0 {
			t.Fatalf("%d events still refused after the last start\n%s", n, c.stderr)
		}
	}
	led.mu.Lock()
	total := len(led.captures)
	acked := 0
	for _, cp := range led.captures {
		if socket {
			cp.msgAcked, cp.reactAcked = fake.Acked(cp.msgEnv), fake.Acked(cp.reactEnv)
		}
		if cp.reactAcked {
			acked++
		}
	}
	led.mu.Unlock()
	store := openDB(t, db)
	ctx := context.Background()
	// Wait (bounded) until every acknowledged capture is an entry.
	deadline := time.Now().Add(90 * time.Second)
	for {
		if socket {
			acked = 0
			for _, cp := range led.captures {
				if fake.Acked(cp.reactEnv) {
					acked++
				}
			}
		}
		st, err := store.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Entries >= int64(acked) && acked == total {
			break
		}
		if time.Now().After(deadline) {
			t.Logf("%d of %d acked captures are entries after 90s", st.Entries, acked)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.stop(t, syscall.SIGTERM)

	if err := integrity(ctx, db); err != nil {
		t.Fatal(err)
	}
	lost, twice := 0, 0
	adds := map[string]int{}
	for _, call := range fake.Calls("reactions.add") {
		adds[call.Get("channel")+"/"+call.Get("timestamp")]++
	}
	for _, cp := range led.captures {
		if !cp.reactAcked {
			continue
		}
		e, err := store.EntryBySource(ctx, repertoire.Source{Platform: "slack", Space: fake.Team, Channel: cp.channel, Message: cp.ts})
		if err != nil {
			lost++
			continue
		}
		if len(e.Savers) != 1 || e.Votes != 1 {
			twice++
		}
		if adds[cp.channel+"/"+cp.ts] > 1 {
			twice++
		}
		if cp.msgAcked {
			if _, err := store.LoggedMessageBySource(ctx, repertoire.Source{Platform: "slack", Space: fake.Team, Channel: cp.channel, Message: cp.ts}); err != nil {
				lost++
			}
		}
	}
	if n, _, err := store.InboxDepth(ctx); err != nil || n != 0 {
		t.Errorf("inbox pending after the last stop: %d (%v)", n, err)
	}
	t.Logf("%s, %v × %d: %d captures streamed, %d acknowledged, %d deliveries acknowledged and not yet applied at the stops; lost %d, applied twice %d; integrity_check ok",
		map[bool]string{true: "Socket Mode", false: "Events API"}[socket], sig, rounds, total, acked, pendingAtStop, lost, twice)
	if lost > 0 || twice > 0 {
		t.Fatalf("lost %d acknowledged events, applied %d twice\n%s", lost, twice, c.stderr)
	}
}

// resend posts again every event not acknowledged yet, as Slack retries,
// and returns how many are still refused.
func resend(led *ledger, post func([]byte) bool) int {
	led.mu.Lock()
	defer led.mu.Unlock()
	refused := 0
	for _, c := range led.captures {
		if !c.msgAcked {
			c.msgAcked = post(c.msgBody)
		}
		if !c.reactAcked {
			c.reactAcked = post(c.reactBody)
		}
		if !c.msgAcked || !c.reactAcked {
			refused++
		}
	}
	return refused
}

// integrity runs PRAGMA integrity_check on the database file and its
// inbox's (the store package registers the driver).
func integrity(ctx context.Context, db string) error {
	for _, file := range []string{db, sqlite.InboxPath(db)} {
		conn, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
		if err != nil {
			return err
		}
		var res string
		err = conn.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
		conn.Close()
		if err != nil {
			return fmt.Errorf("integrity_check %s: %w", file, err)
		}
		if res != "ok" {
			return fmt.Errorf("integrity_check %s: %s", file, res)
		}
	}
	return nil
}

// TestKillDiscord: the Discord Gateway has no ack and a new session does
// not replay what the last one delivered. Events the bot received (stored
// in its inbox) before a SIGKILL are applied after the restart.
func TestKillDiscord(t *testing.T) {
	if testing.Short() {
		t.Skip("kill tests run child processes")
	}
	srv := discordtest.New(t)
	const ch = "41771983423143937"
	srv.AddChannel(discordtest.Channel{ID: ch, Name: "general"})
	db := filepath.Join(t.TempDir(), "discord.db")
	env := map[string]string{"DISCORD_TOKEN": srv.Token, "DISCORD_API_URL": srv.URL(), "REPERTOIRE_DB": db, "REPERTOIRE_LOG_LEVEL": "warn",
		"REPERTOIRE_CATCHUP": "0"} // the inbox alone
	c := startChild(t, env)
	srv.Await(t, "the bot connected", srv.Connected)
	const n = 30
	var answers []string
	for i := range n {
		a := srv.Post(discordtest.User{ID: "1002", Name: "Nelly"}, ch, fmt.Sprintf("tip %d: run certbot renew, then reload nginx", i), "")
		srv.React(discordtest.User{ID: "1003", Name: "Carol"}, ch, a, "💡", false)
		answers = append(answers, a)
	}
	ctx := context.Background()
	// Kill as soon as the last reaction is stored: received, maybe not applied.
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := sql.Open("sqlite", "file:"+sqlite.InboxPath(db)+"?mode=ro") // absent until the bot's first delivery
		if err != nil {
			t.Fatal(err)
		}
		var stored int
		err = conn.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE platform = 'discord' AND kind = 'MESSAGE_REACTION_ADD'`).Scan(&stored)
		conn.Close()
		if err == nil && stored == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d reactions stored within 30s (%v)\n%s", stored, n, err, c.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.stop(t, syscall.SIGKILL)
	s, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	pending, _, err := s.InboxDepth(ctx)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	c = startChild(t, env)
	srv.Await(t, "the bot connected again", srv.Connected)
	s = openDB(t, db)
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if st, err := s.Stats(ctx); err == nil && st.Entries >= n {
			break
		}
	}
	c.stop(t, syscall.SIGTERM)
	lost := 0
	for _, a := range answers {
		if _, err := s.EntryBySource(ctx, repertoire.Source{Platform: "discord", Space: srv.GuildID, Channel: ch, Message: a}); err != nil {
			lost++
		}
	}
	// A capture saved just before the kill may miss its quiet 📚: the
	// acknowledgement is at most once, the entry exactly once.
	t.Logf("Discord: %d captures received, %d deliveries pending at the kill; %d lost, %d acknowledgements", n, pending, lost, len(srv.Reactions()))
	if lost > 0 || len(srv.Reactions()) > n {
		t.Fatalf("%d captures lost, %d acknowledgements for %d captures", lost, len(srv.Reactions()), n)
	}
	if err := integrity(ctx, db); err != nil {
		t.Fatal(err)
	}
}
