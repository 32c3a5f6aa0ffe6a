package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres/pgtest"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

// TestKillReplicaOnPostgres runs two bot processes (replicas) on one
// PostgreSQL database behind the loopback Slack's Events API, as behind a
// load balancer: captures stream to both, one replica is killed mid-stream,
// Slack's retries of what it did not acknowledge go to the other, and the
// survivor applies what the dead one had committed to the shared inbox.
// Every acknowledged capture must be an entry exactly once: one saver, one
// endorsement, one confirmation reaction.
func TestKillReplicaOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	db := pgtest.DB(t)
	ctx := context.Background()
	// Migrate once before the replicas start.
	s, err := storeopen.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fake := slacktest.New(t)
	channels := []string{"C1", "C2", "C3", "C4"}
	for _, c := range channels {
		fake.AddChannel(c, false)
	}
	const secret = "replica-test-signing-secret"
	addrs := []string{freeAddr(t), freeAddr(t)}
	var replicas []*child
	for _, addr := range addrs {
		replicas = append(replicas, startChild(t, map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken,
			"SLACK_API_URL": fake.URL, "SLACK_SIGNING_SECRET": secret, "SLACK_READ_INTERVAL": "5ms",
			"REPERTOIRE_LOG_LEVEL": "warn", "REPERTOIRE_CATCHUP": "0", "REPERTOIRE_HTTP_ADDR": addr}))
	}
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(addr string, body []byte) bool {
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
	for i, addr := range addrs {
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := client.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %d not listening within 30s: %v\n%s", i, err, replicas[i].stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var (
		mu    sync.Mutex
		alive = []bool{true, true}
	)
	// send delivers to the replica the balancer picks, or the other one
	// when that one is down (a health-checked balancer).
	send := func(pick int, body []byte) bool {
		mu.Lock()
		if !alive[pick] {
			pick = 1 - pick
		}
		mu.Unlock()
		return post(addrs[pick], body)
	}
	var led ledger
	var toKilled sync.Map // captures whose reaction the killed replica acknowledged
	stream := func(ctx context.Context) {
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					ch := channels[w]
					ts, msg := fake.Say(ch, "U1", fmt.Sprintf("worker %d tip %d: drain the node before the upgrade", w, i), "")
					c := &capture{channel: ch, ts: ts}
					react := fake.React(ch, ts, "U2", "bulb")
					_, c.msgBody = fake.Callback(msg)
					_, c.reactBody = fake.Callback(react)
					c.msgAcked = send((w+i)%2, c.msgBody)
					pick := (w + i + 1) % 2
					mu.Lock()
					up := alive[pick]
					mu.Unlock()
					c.reactAcked = send(pick, c.reactBody)
					if c.reactAcked && pick == 0 && up {
						toKilled.Store(c, true)
					}
					led.add(c)
				}
			}()
		}
		wg.Wait()
	}
	sctx, cancel := context.WithCancel(ctx)
	streamed := make(chan struct{})
	go func() { stream(sctx); close(streamed) }()
	time.Sleep(killAfter(t))
	mu.Lock()
	alive[0] = false
	mu.Unlock()
	replicas[0].stop(t, syscall.SIGKILL)
	time.Sleep(killAfter(t)) // the survivor alone takes the traffic
	cancel()
	<-streamed
	// Slack retries what was not acknowledged; the balancer sends it to the
	// survivor.
	led.mu.Lock()
	refused := 0
	for _, c := range led.captures {
		if !c.msgAcked {
			c.msgAcked = post(addrs[1], c.msgBody)
		}
		if !c.reactAcked {
			c.reactAcked = post(addrs[1], c.reactBody)
		}
		if !c.msgAcked || !c.reactAcked {
			refused++
		}
	}
	total := len(led.captures)
	led.mu.Unlock()
	if refused > 0 {
		t.Fatalf("%d deliveries refused by the survivor\n%s", refused, replicas[1].stderr)
	}
	store, err := storeopen.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	deadline := time.Now().Add(90 * time.Second)
	for {
		n, _, err := store.InboxDepth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && st.Entries >= int64(total) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90s: %d entries of %d captures, %d deliveries pending\n%s", st.Entries, total, n, replicas[1].stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	replicas[1].stop(t, syscall.SIGTERM)
	lost, twice, killedAcks := 0, 0, 0
	toKilled.Range(func(any, any) bool { killedAcks++; return true })
	adds := map[string]int{}
	for _, call := range fake.Calls("reactions.add") {
		adds[call.Get("channel")+"/"+call.Get("timestamp")]++
	}
	for _, cp := range led.captures {
		src := repertoire.Source{Platform: "slack", Space: fake.Team, Channel: cp.channel, Message: cp.ts}
		e, err := store.EntryBySource(ctx, src)
		if err != nil {
			lost++
			continue
		}
		if len(e.Savers) != 1 || e.Votes != 1 || adds[cp.channel+"/"+cp.ts] > 1 {
			twice++
		}
		if _, err := store.LoggedMessageBySource(ctx, src); err != nil {
			lost++
		}
	}
	t.Logf("two replicas on PostgreSQL, one killed mid-stream: %d captures acknowledged (%d of them by the killed one); lost %d, applied twice %d",
		total, killedAcks, lost, twice)
	if lost > 0 || twice > 0 {
		t.Fatalf("lost %d, applied twice %d\n%s", lost, twice, replicas[1].stderr)
	}
}
