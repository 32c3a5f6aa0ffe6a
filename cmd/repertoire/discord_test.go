package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/repertoire"
)

func TestDiscordInvite(t *testing.T) {
	srv := discordtest.New(t)
	env := map[string]string{"DISCORD_TOKEN": srv.Token, "DISCORD_API_URL": srv.URL()}
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"discord-invite"}, func(k string) string { return env[k] }, nil, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(out.String()), discord.InviteURL(srv.AppID); got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}

// TestRunOnDiscord: with DISCORD_TOKEN set, `repertoire run` serves Discord
// (the loopback one) and a reaction saves an entry in REPERTOIRE_DB.
func TestRunOnDiscord(t *testing.T) {
	srv := discordtest.New(t)
	srv.AddChannel(discordtest.Channel{ID: "41771983423143937", Name: "general"})
	db := filepath.Join(t.TempDir(), "r.db")
	env := map[string]string{"DISCORD_TOKEN": srv.Token, "DISCORD_API_URL": srv.URL(), "REPERTOIRE_DB": db}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, errs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"run"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	}()
	srv.Await(t, "the bot connected", srv.Connected)
	q := srv.Post(discordtest.User{ID: "1001", Name: "Alice"}, "41771983423143937", "How do I rotate the TLS certificate?", "")
	a := srv.Post(discordtest.User{ID: "1002", Name: "Nelly"}, "41771983423143937", "Run certbot renew", q)
	srv.React(discordtest.User{ID: "1003", Name: "Carol"}, "41771983423143937", a, "💡", false)
	srv.Await(t, "the acknowledgement", func() bool { return len(srv.Reactions()) == 1 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v\n%s", err, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	s, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.EntryBySource(context.Background(), repertoire.Source{Platform: "discord", Space: srv.GuildID, Channel: "41771983423143937", Message: a}); err != nil {
		t.Errorf("entry: %v", err)
	}
}
