package main

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/postgres/pgtest"
	"github.com/repertoire/repertoire/repertoire/sqlite"
	"github.com/repertoire/repertoire/repertoire/storeopen"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
)

// TestDigestExactlyOnceAcrossACrash runs two bot processes on one database
// with 40 channels due for their digest. The first process's first post is
// stuck (Slack answers 429 with a long Retry-After, after posting the
// message or not) and the process is killed there, between its claim and
// the record of its post; the second takes the claim over after the lease,
// looks in the channel for the post, and posts only when it is not there.
// Every channel gets exactly one digest.
func TestDigestExactlyOnceAcrossACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	for _, delivered := range []bool{true, false} {
		t.Run(fmt.Sprintf("posted-before-the-kill=%v", delivered), func(t *testing.T) { digestCrash(t, delivered, filepath.Join(t.TempDir(), "digest.db")) })
	}
	for _, delivered := range []bool{true, false} {
		t.Run(fmt.Sprintf("discord/posted-before-the-kill=%v", delivered), func(t *testing.T) { digestCrashDiscord(t, delivered) })
	}
}

// digestCrashDiscord is the same on Discord: the first post is answered 429
// with a minute's retry_after (the message created or not), the process is
// killed while discordgo waits, and the second process finds the post in
// the channel's messages (Discord's FindPost) or posts it.
func digestCrashDiscord(t *testing.T, delivered bool) {
	const channels = 40
	srv := discordtest.New(t)
	srv.HeartbeatInterval = 30 * time.Second
	db := filepath.Join(t.TempDir(), "digest.db")
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	schedule := fmt.Sprintf("0 %d * * *", end.Hour())
	chanID := func(i int) string { return fmt.Sprintf("4177198342314%04d", i) }
	for i := range channels {
		srv.AddChannel(discordtest.Channel{ID: chanID(i), Name: fmt.Sprintf("ops%02d", i)})
		_, _, err := store.Save(ctx, repertoire.SaveParams{
			Channel:  repertoire.Channel{Platform: "discord", Space: srv.GuildID, ID: chanID(i), Name: fmt.Sprintf("ops%02d", i)},
			SourceID: fmt.Sprintf("9000000000000%04d", i), Kind: repertoire.Tip, Answer: "restart the pool after a reload",
			Author: repertoire.Person{ID: "1001", Name: "Ana"}, Saver: repertoire.Person{ID: "1002", Name: "Bo"},
			At: end.Add(-30 * time.Minute),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	env := map[string]string{"REPERTOIRE_DB": db, "DISCORD_TOKEN": srv.Token, "DISCORD_API_URL": srv.URL(), "REPERTOIRE_LOG_LEVEL": "warn",
		"REPERTOIRE_DIGEST_SCHEDULE": schedule, "REPERTOIRE_DIGEST_LEASE": "2s", "REPERTOIRE_CATCHUP": "0"}
	if delivered {
		srv.RateLimitDelivered(60)
	} else {
		srv.RateLimit("POST channels/{}/messages", 60)
	}
	a := startChild(t, env)
	srv.Await(t, "the first post answered 429", func() bool { return len(srv.RateLimited()) > 0 })
	b := startChild(t, env)
	a.stop(t, syscall.SIGKILL) // mid-post, its claim still 'posting'

	deadline := time.Now().Add(60 * time.Second)
	for {
		s, err := sqlite.Open(ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		sent := 0
		for i := range channels {
			recs, err := s.Digests(ctx, repertoire.Channel{Platform: "discord", Space: srv.GuildID, ID: chanID(i)}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 1 && recs[0].Status == repertoire.DigestSent {
				sent++
			}
		}
		s.Close()
		if sent == channels {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d digests recorded sent after 60s\n%s", sent, channels, b.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.stop(t, syscall.SIGTERM)
	per := map[string]int{}
	for _, m := range srv.Sent() {
		per[m.Channel]++
	}
	zero, twice := 0, 0
	for i := range channels {
		switch n := per[chanID(i)]; {
		case n == 0:
			zero++
		case n > 1:
			twice++
		}
	}
	t.Logf("Discord: %d channels, one process killed mid-post (message delivered: %v): %d without a digest, %d with more than one",
		channels, delivered, zero, twice)
	if zero > 0 || twice > 0 {
		t.Fatalf("%d channels got no digest, %d got more than one\n%s", zero, twice, b.stderr)
	}
}

// TestDigestExactlyOnceAcrossACrashOnPostgres: the same two processes
// (replicas) on one PostgreSQL database.
func TestDigestExactlyOnceAcrossACrashOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	digestCrash(t, true, pgtest.DB(t))
}

func digestCrash(t *testing.T, delivered bool, db string) {
	const channels = 40
	fake := slacktest.New(t)
	ctx := context.Background()
	store, err := storeopen.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A daily schedule whose last fire time was one to two hours ago: that
	// period is due and the next one is a day away, so no second period
	// falls due while the test runs (an hourly schedule did at the top of
	// the hour). Each channel saved one entry in it.
	end := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	schedule := fmt.Sprintf("0 %d * * *", end.Hour())
	for i := range channels {
		ch := fmt.Sprintf("C%02d", i)
		fake.AddChannel(ch, false)
		_, _, err := store.Save(ctx, repertoire.SaveParams{
			Channel:  repertoire.Channel{Platform: "slack", Space: fake.Team, ID: ch, Name: "ops" + ch},
			SourceID: fmt.Sprintf("1700000000.%06d", i), Kind: repertoire.Tip, Answer: "restart the pool after a reload",
			Author: repertoire.Person{ID: "U1", Name: "Ana"}, Saver: repertoire.Person{ID: "U2", Name: "Bo"},
			At: end.Add(-30 * time.Minute),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_APP_TOKEN": fake.AppToken,
		"SLACK_API_URL": fake.URL, "SLACK_READ_INTERVAL": "5ms", "REPERTOIRE_LOG_LEVEL": "warn",
		"REPERTOIRE_DIGEST_SCHEDULE": schedule, "REPERTOIRE_DIGEST_LEASE": "2s"}
	// The first post anybody makes is answered 429, Retry-After 60 s.
	fake.RateLimit("chat.postMessage", 1, 60, delivered)
	a := startChild(t, env)
	if err := fake.WaitCalls("chat.postMessage", 1, 20*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, a.stderr)
	}
	b := startChild(t, env)
	if err := fake.WaitConnected(2, 20*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, b.stderr)
	}
	a.stop(t, syscall.SIGKILL) // mid-post, its claim still 'posting'

	// Wait (bounded) for every period to be recorded as sent.
	deadline := time.Now().Add(60 * time.Second)
	for {
		s, err := storeopen.Open(ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		sent := 0
		for i := range channels {
			recs, err := s.Digests(ctx, repertoire.Channel{Platform: "slack", Space: fake.Team, ID: fmt.Sprintf("C%02d", i)}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 1 && recs[0].Status == repertoire.DigestSent {
				sent++
			}
		}
		s.Close()
		if sent == channels {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d digests recorded sent after 60s\n%s", sent, channels, b.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.stop(t, syscall.SIGTERM)
	zero, twice := 0, 0
	for i := range channels {
		switch n := len(fake.BotMessages(fmt.Sprintf("C%02d", i))); {
		case n == 0:
			zero++
		case n > 1:
			twice++
		}
	}
	t.Logf("%d channels, one process killed mid-post (message delivered: %v): %d without a digest, %d with more than one",
		channels, delivered, zero, twice)
	if zero > 0 || twice > 0 {
		t.Fatalf("%d channels got no digest, %d got more than one\n%s", zero, twice, b.stderr)
	}
}
