package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/adapters/slack"
	"github.com/repertoire/repertoire/adapters/slack/slacktest"
)

// finding returns the doctor's line that starts with mark+what, and its
// fix line when there is one.
func finding(out, prefix string) (line, fix string, ok bool) {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    fix: ") {
				fix = lines[i+1]
			}
			return l, fix, true
		}
	}
	return "", "", false
}

type doctorCase struct {
	name    string
	env     map[string]string
	want    string // the line's start: mark and check
	wantFix string // a phrase of its fix ("" for a passing check)
	fails   bool   // whether the doctor exits non-zero
}

func checkDoctorCases(t *testing.T, cases []doctorCase) {
	t.Helper()
	for _, tc := range cases {
		out, err := runDoctor(t, tc.env)
		if (err != nil) != tc.fails {
			t.Errorf("%s: doctor error %v, want failure %v:\n%s", tc.name, err, tc.fails, out)
		}
		line, fix, ok := finding(out, tc.want)
		switch {
		case !ok:
			t.Errorf("%s: no line starting %q:\n%s", tc.name, tc.want, out)
		case tc.wantFix != "" && !strings.Contains(fix, tc.wantFix):
			t.Errorf("%s: %q: the fix does not name %q:\n%s", tc.name, line, tc.wantFix, out)
		}
	}
}

func withEnv(base map[string]string, kv ...string) map[string]string {
	env := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(env, kv[i])
			continue
		}
		env[kv[i]] = kv[i+1]
	}
	return env
}

// TestDoctorSlack: a good Slack set-up over the loopback Slack passes every
// check; each broken one fails (or warns) and names its fix.
func TestDoctorSlack(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	runScript(t, db, "hello")

	fake := slacktest.New(t)
	fake.AddChannel("C0GENERAL", false)
	fake.AddChannel("G0PRIVATE", true)
	fake.AddChannel("C0ELSE", false)
	fake.SetMembers("C0GENERAL", "U1", fake.BotUser)
	fake.SetMembers("G0PRIVATE", fake.BotUser)
	fake.SetMembers("C0ELSE", "U1")
	good := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_APP_TOKEN": fake.AppToken, "SLACK_API_URL": fake.URL}
	out, err := runDoctor(t, good)
	if err != nil || strings.Contains(out, "✗") || strings.Contains(out, "\n! ") {
		t.Fatalf("good set-up: %v\n%s", err, out)
	}
	for _, want := range []string{"✓ Slack auth.test", "✓ Slack scopes: the 12 the manifest asks for", "✓ Slack Socket Mode: connected, hello received",
		"✓ Slack channels: the bot is in 2: #c0general, #g0private"} {
		if !strings.Contains(out, want) {
			t.Errorf("good set-up lacks %q:\n%s", want, out)
		}
	}

	// Scopes: one missing, one too many.
	lacking := slacktest.New(t)
	lacking.SetScopes(without(slacktest.DefaultScopes, "reactions:read")...)
	extra := slacktest.New(t)
	extra.SetScopes(append(slacktest.DefaultScopes, "chat:write.customize")...)
	extra.AddChannel("C1", false)
	extra.SetMembers("C1", extra.BotUser)
	// A bot in no channel.
	lonely := slacktest.New(t)
	lonely.AddChannel("C1", false)
	lonely.SetMembers("C1", "U1")
	on := func(f *slacktest.Server) map[string]string {
		return withEnv(good, "SLACK_BOT_TOKEN", f.BotToken, "SLACK_APP_TOKEN", f.AppToken, "SLACK_API_URL", f.URL)
	}

	// The Events API: nothing listening, the bot's own listener, and
	// another program on the address.
	a, err := slack.New(context.Background(), slack.Options{BotToken: fake.BotToken, SigningSecret: "8f742231b10e8888abcd99yyyzzz85a5", APIURL: fake.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, h := range a.Routes() {
		mux.Handle(pattern, h)
	}
	bots := httptest.NewServer(mux)
	defer bots.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }))
	defer other.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freeAddr := free.Addr().String()
	free.Close()
	events := withEnv(good, "SLACK_APP_TOKEN", "", "SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5")
	hostOf := func(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

	checkDoctorCases(t, []doctorCase{
		{"a scope missing", on(lacking), "✗ Slack scopes: the token lacks reactions:read", "reinstall the app", true},
		{"a scope too many", on(extra), "! Slack scopes: all 12 the manifest asks for, and chat:write.customize", "remove them", false},
		{"in no channel", on(lonely), "! Slack channels: the bot is a member of none", "/invite @repertoire", false},
		{"wrong app token", withEnv(good, "SLACK_APP_TOKEN", "xapp-wrong"), "✗ Slack Socket Mode: apps.connections.open: invalid_auth", "SLACK_APP_TOKEN", true},
		{"Slack unreachable", withEnv(good, "SLACK_API_URL", "http://"+freeAddr+"/api/"), "✗ Slack auth.test", "check SLACK_API_URL", true},
		{"events, bot stopped", withEnv(events, "REPERTOIRE_HTTP_ADDR", freeAddr), "✓ Slack Events API: signing secret set; nothing listens on", "", false},
		{"events, bot listening", withEnv(events, "REPERTOIRE_HTTP_ADDR", hostOf(bots)), "✓ Slack Events API: signing secret set; the listener on", "", false},
		{"events, another program", withEnv(events, "REPERTOIRE_HTTP_ADDR", hostOf(other)), "✗ Slack Events API: " + hostOf(other) + "/slack/events answered an unsigned request with 200", "another program", true},
		{"events, token as secret", withEnv(events, "SLACK_SIGNING_SECRET", "xoxb-pasted-by-mistake"), "✗ Slack Events API: SLACK_SIGNING_SECRET holds a token", "Signing Secret", true},
	})
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// TestDoctorDiscord: after the bot ran once over the loopback Discord (and
// registered its commands), every Discord check passes; each broken set-up
// fails and names its fix.
func TestDoctorDiscord(t *testing.T) {
	srv := discordtest.New(t)
	db := filepath.Join(t.TempDir(), "r.db")
	good := map[string]string{"DISCORD_TOKEN": srv.Token, "DISCORD_API_URL": srv.URL(), "REPERTOIRE_DB": db}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var errs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"run"}, func(k string) string { return good[k] }, strings.NewReader(""), &bytes.Buffer{}, &errs)
	}()
	srv.Await(t, "the bot connected", srv.Connected)
	srv.Await(t, "the commands registered", func() bool { return srv.Commands() != nil })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v\n%s", err, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}

	out, err := runDoctor(t, good)
	if err != nil || strings.Contains(out, "✗") || strings.Contains(out, "\n! ") {
		t.Fatalf("good set-up: %v\n%s", err, out)
	}
	for _, want := range []string{"✓ Discord token: bot repertoire", "✓ Discord Message Content intent: enabled",
		"✓ Discord server Fake Guild (" + srv.GuildID + "): the bot has the permissions", "✓ Discord commands: all 4 registered"} {
		if !strings.Contains(out, want) {
			t.Errorf("good set-up lacks %q:\n%s", want, out)
		}
	}

	// Each broken fake differs from a good one in one thing.
	registered, err := json.Marshal(discord.Commands())
	if err != nil {
		t.Fatal(err)
	}
	fake := func(change func(*discordtest.Server)) map[string]string {
		s := discordtest.New(t)
		s.SetRegisteredCommands(registered)
		if change != nil {
			change(s)
		}
		return withEnv(good, "DISCORD_TOKEN", s.Token, "DISCORD_API_URL", s.URL())
	}
	var old []map[string]any
	json.Unmarshal(registered, &old)
	old[0]["description"] = "an older wording"
	older, _ := json.Marshal(old)
	checkDoctorCases(t, []doctorCase{
		{"a fake good set-up", fake(nil), "✓ Discord commands: all 4 registered", "", false},
		{"wrong token", withEnv(good, "DISCORD_TOKEN", "reset-token"), "✗ Discord token: GET /users/@me", "check DISCORD_TOKEN", true},
		{"intent off", fake(func(s *discordtest.Server) { s.AppFlags = 0 }), "✗ Discord Message Content intent: off", "Privileged Gateway Intents", true},
		{"limited intent", fake(func(s *discordtest.Server) { s.AppFlags = 1 << 19 }), "✓ Discord Message Content intent: enabled", "", false},
		{"permissions", fake(func(s *discordtest.Server) {
			s.SetPermissions(discordtest.PermViewChannel, discordtest.PermSendMessages|discordtest.PermReadMessageHistory)
		}), "✗ Discord server Fake Guild (" + srv.GuildID + "): the bot lacks Send Messages in Threads, Add Reactions", "invite link", true},
		{"in no server", fake(func(s *discordtest.Server) { s.LeaveGuild() }), "! Discord servers: the bot is in none", "discord-invite", false},
		{"administrator", fake(func(s *discordtest.Server) { s.SetPermissions(0, 1<<3) }), "✓ Discord server Fake Guild", "", false},
		{"never started", fake(func(s *discordtest.Server) { s.SetRegisteredCommands(nil) }), "✗ Discord commands: not registered: ask, save, repertoire, Save to repertoire", "start the bot", true},
		{"older version", fake(func(s *discordtest.Server) { s.SetRegisteredCommands(older) }), "✗ Discord commands: registered by another version: ask", "start the bot", true},
	})
}
