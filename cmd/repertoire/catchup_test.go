package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/repertoire"
)

// TestCatchUpOnDiscordRestart runs the program on the loopback Discord,
// stops it, lets a member save one answer and delete another while it is
// down, and starts it again: with the default REPERTOIRE_CATCHUP, the new
// session's catch-up saves the first and removes the second's entry.
func TestCatchUpOnDiscordRestart(t *testing.T) {
	const ch = "41771983423143937"
	srv := discordtest.New(t)
	srv.HeartbeatInterval = 30 * time.Second
	srv.AddChannel(discordtest.Channel{ID: ch, Name: "general"})
	db := filepath.Join(t.TempDir(), "r.db")
	env := map[string]string{"DISCORD_TOKEN": srv.Token, "DISCORD_API_URL": srv.URL(), "REPERTOIRE_DB": db, "REPERTOIRE_LOG_LEVEL": "warn"}
	var errs bytes.Buffer
	start := func() func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"run"}, func(k string) string { return env[k] }, strings.NewReader(""), &bytes.Buffer{}, &errs)
		}()
		return func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run: %v\n%s", err, errs.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("run did not return after cancel")
			}
		}
	}
	alice, nelly, carol := discordtest.User{ID: "1001", Name: "Alice"}, discordtest.User{ID: "1002", Name: "Nelly"}, discordtest.User{ID: "1003", Name: "Carol"}

	stop := start()
	srv.Await(t, "the bot connected", srv.Connected)
	q := srv.Post(alice, ch, "How do I rotate the TLS certificate?", "")
	a1 := srv.Post(nelly, ch, "Run certbot renew", q)
	a2 := srv.Post(nelly, ch, "Then reload nginx, or the old one stays", q)
	srv.React(carol, ch, a1, "💡", false)
	srv.Await(t, "the live capture's acknowledgement", func() bool { return len(srv.Reactions()) == 1 })
	stop()

	srv.ReactQuietly(carol, a2, "💡", false) // saved while the bot is down
	srv.DeleteQuietly(a1)                   // a saved answer deleted while it is down

	stop = start()
	defer stop()
	s, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entry := func(msg string) bool {
		_, err := s.EntryBySource(context.Background(), repertoire.Source{Platform: "discord", Space: srv.GuildID, Channel: ch, Message: msg})
		if err != nil && !errors.Is(err, repertoire.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	srv.Await(t, "catch-up saved the answer and removed the deleted one", func() bool { return entry(a2) && !entry(a1) })
}
