package discord_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

func TestParseShards(t *testing.T) {
	for _, c := range []struct {
		spec string
		want discord.Shards
	}{
		{"", discord.Shards{IDs: []int{0}, Count: 1}},
		{"0/1", discord.Shards{IDs: []int{0}, Count: 1}},
		{"0,1/4", discord.Shards{IDs: []int{0, 1}, Count: 4}},
		{" 3 , 1 / 4 ", discord.Shards{IDs: []int{1, 3}, Count: 4}},
		{"2-3/4", discord.Shards{IDs: []int{2, 3}, Count: 4}},
		{"0,2-4,7/8", discord.Shards{IDs: []int{0, 2, 3, 4, 7}, Count: 8}},
	} {
		got, err := discord.ParseShards(c.spec)
		if err != nil || !slices.Equal(got.IDs, c.want.IDs) || got.Count != c.want.Count {
			t.Errorf("ParseShards(%q) = %v, %v; want %v", c.spec, got, err, c.want)
		}
		if err == nil && c.spec != "" {
			if again, err := discord.ParseShards(got.String()); err != nil || again.String() != got.String() {
				t.Errorf("%q written as %q reads back as %v, %v", c.spec, got.String(), again, err)
			}
		}
	}
	for _, c := range []struct{ spec, says string }{
		{"0,1", "no shard count"},
		{"0/0", "not a whole number from 1"},
		{"0/four", "not a whole number from 1"},
		{"0/70000", "not a whole number from 1"},
		{"4/4", "shard 4 is not below the count 4"},
		{"0,9/4", "shard 9 is not below the count 4"},
		{"1,1/4", "shard 1 is listed twice"},
		{"0-2,2/4", "shard 2 is listed twice"},
		{"3-1/4", "runs backwards"},
		{"/4", "is not a shard number"},
		{"0,/4", "is not a shard number"},
		{"-1/4", "is not a shard number"},
		{"a/4", "is not a shard number"},
		{"+1/4", "is not a shard number"},
	} {
		_, err := discord.ParseShards(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseShards(%q) error %v, want one saying %q", c.spec, err, c.says)
		}
	}
}

// ShardOf is Discord's formula, (guild_id >> 22) % count, with DMs on
// shard 0; the loopback Discord routes by its own copy of it.
func TestShardOf(t *testing.T) {
	for _, c := range []struct {
		guild string
		count int
		want  int
	}{
		{"900000000000000100", 2, 1}, // 900000000000000100 >> 22 = 214576721191
		{"900000000000000100", 4, 3},
		{"900000000002490468", 2, 0},
		{"900000000010879076", 4, 2},
		{"41771983423143937", 1, 0},
		{"", 4, 0}, // a DM
	} {
		if got := discord.ShardOf(c.guild, c.count); got != c.want {
			t.Errorf("ShardOf(%s, %d) = %d, want %d", c.guild, c.count, got, c.want)
		}
		if got := discordtest.ShardOf(c.guild, c.count); got != c.want {
			t.Errorf("discordtest.ShardOf(%s, %d) = %d, want %d", c.guild, c.count, got, c.want)
		}
	}
}

// Four guilds, two on each of two shards (see TestShardOf), each with a
// channel, and a DM.
var shardGuilds = []struct{ id, channel, word string }{
	{"900000000000000100", "610000000000000001", "amber"},   // shard 1 of 2: the fake's GuildID
	{"900000000002490468", "610000000000000002", "cobalt"},  // shard 0
	{"900000000006684772", "610000000000000003", "violet"},  // shard 1
	{"900000000010879076", "610000000000000004", "saffron"}, // shard 0
}

func shardedDiscord(t *testing.T) *discordtest.Server {
	srv := discordtest.New(t)
	srv.HeartbeatInterval = 30 * time.Second
	for i, g := range shardGuilds {
		if g.id != srv.GuildID {
			srv.AddGuild(g.id, fmt.Sprintf("Guild %d", i))
		}
		srv.AddChannel(discordtest.Channel{ID: g.channel, Name: "general", Guild: g.id})
	}
	srv.AddChannel(discordtest.Channel{ID: dm, Type: discordtest.TypeDM})
	return srv
}

// shardProc is one bot process running some shards: the real adapter and
// core on a SQLite file it shares with the other, recording the guild of
// every event its adapter hands the core.
type shardProc struct {
	a    *discord.Adapter
	mu   sync.Mutex
	seen map[string]int // guild ("" for a DM) → events handed to the core
}

func (p *shardProc) record(ev bot.Event) {
	var space string
	switch e := ev.(type) {
	case bot.MessagePosted:
		space = e.Message.Ref.Channel.Space
	case bot.ReactionAdded:
		space = e.Target.Channel.Space
	case bot.Mentioned:
		space = e.Message.Ref.Channel.Space
	default:
		return
	}
	p.mu.Lock()
	p.seen[space]++
	p.mu.Unlock()
}

func (p *shardProc) events(guild string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[guild]
}

func startShards(t *testing.T, srv *discordtest.Server, db, spec string, logs *syncBuffer) *shardProc {
	t.Helper()
	shards, err := discord.ParseShards(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("process", spec)
	a, err := discord.New(discord.Config{Token: srv.Token, APIURL: srv.URL(), Shards: shards}, log)
	if err != nil {
		t.Fatal(err)
	}
	p := &shardProc{a: a, seen: map[string]int{}}
	core := bot.New(store, log, bot.Config{}, a)
	d := bot.NewDispatcher(core, log, 2, 64)
	runErr := make(chan error, 1)
	go func() {
		runErr <- a.Run(ctx, bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
			p.record(ev)
			return d.Handle(ctx, ev)
		}))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-runErr:
			if err != nil {
				t.Errorf("Run (%s): %v", spec, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run (%s) did not return after cancel", spec)
		}
		d.Close()
		store.Close()
	})
	return p
}

// TestShardsSplitGuilds: two bot processes on one store, each running one
// of two shards, against a Discord with four guilds. Every guild's
// messages, reactions and commands reach exactly the process whose shard
// owns the guild, and DMs only shard 0's; each capture is saved once and
// each question answered once; and a DM (on shard 0) recalls an entry of a
// guild that only the other process hears, since the member is in it.
func TestShardsSplitGuilds(t *testing.T) {
	t.Parallel()
	srv := shardedDiscord(t)
	db := filepath.Join(t.TempDir(), "repertoire.db")
	logs := &syncBuffer{}
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
			for _, m := range srv.Sent() {
				t.Logf("sent in %s replying to %s: %q", m.Channel, m.ReplyTo, m.Content)
			}
			for _, r := range srv.Responses() {
				t.Logf("%s to %s: %q", r.Kind, r.Interaction, r.Content)
			}
		}
	}()
	procs := []*shardProc{startShards(t, srv, db, "0/2", logs), startShards(t, srv, db, "1/2", logs)}
	srv.Await(t, "both shards connected", func() bool { return len(srv.LiveShards()) == 2 })
	srv.Await(t, "commands registered", func() bool { return srv.Commands() != nil })

	answers, asks := map[string]string{}, map[string]string{}
	for _, g := range shardGuilds {
		q := srv.Post(alice, g.channel, "How do I rotate the "+g.word+" signing key?", "")
		answers[g.id] = srv.Post(nelly, g.channel, "Run keyctl rotate "+g.word+" and restart the signer", q)
		srv.React(carol, g.channel, answers[g.id], "💡", false)
	}
	store, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	entry := func(g string) (repertoire.Entry, error) {
		for _, sg := range shardGuilds {
			if sg.id == g {
				return store.EntryBySource(context.Background(), repertoire.Source{Platform: "discord", Space: g, Channel: sg.channel, Message: answers[g]})
			}
		}
		return repertoire.Entry{}, errors.New("no such guild")
	}
	srv.Await(t, "a capture in every guild", func() bool {
		for _, g := range shardGuilds {
			if _, err := entry(g.id); err != nil {
				return false
			}
		}
		return true
	})
	commands := map[string]string{} // guild → its /ask interaction
	for _, g := range shardGuilds {
		asks[g.id] = srv.Post(dave, g.channel, "<@"+srv.Bot.ID+"> how do I rotate the "+g.word+" signing key?", "")
		commands[g.id] = srv.Command(dave, g.channel, "ask", discordtest.Option{Name: "question", Value: "rotate the " + g.word + " signing key"})
	}
	srv.Post(dave, dm, "how do I rotate the violet signing key?", "")
	// /ask in a DM is an interaction without a guild: shard 0's.
	dmCommand := srv.Command(dave, dm, "ask", discordtest.Option{Name: "question", Value: "rotate the amber signing key"})
	// An answer names each entry by its source link, which ends with the
	// saved message's ID.
	amber, violet := shardGuilds[0].id, shardGuilds[2].id // both on shard 1
	answered := func(channel, ask, word string) int {
		n := 0
		for _, m := range srv.Sent() {
			if m.Channel == channel && (ask == "" || m.ReplyTo == ask) && strings.Contains(m.Content, word) {
				n++
			}
		}
		return n
	}
	commandAnswers := func(interaction, word string) int {
		n := 0
		for _, r := range srv.Responses() {
			if r.Interaction == interaction && r.Kind != "followup" && strings.Contains(r.Content, word) {
				n++
			}
		}
		return n
	}
	srv.Await(t, "every question answered", func() bool {
		for _, g := range shardGuilds {
			if answered(g.channel, asks[g.id], answers[g.id]) == 0 || commandAnswers(commands[g.id], answers[g.id]) == 0 {
				return false
			}
		}
		return answered(dm, "", answers[violet]) > 0 && commandAnswers(dmCommand, answers[amber]) > 0
	})

	for _, g := range shardGuilds {
		owner := discord.ShardOf(g.id, 2)
		e, err := entry(g.id)
		if err != nil || len(e.Savers) != 1 {
			t.Errorf("guild %s: entry %+v, %v; want one, saved once", g.id, e, err)
		}
		if n := answered(g.channel, asks[g.id], answers[g.id]); n != 1 {
			t.Errorf("guild %s: mention answered %d times, want once", g.id, n)
		}
		if n := commandAnswers(commands[g.id], answers[g.id]); n != 1 {
			t.Errorf("guild %s: /ask answered %d times, want once", g.id, n)
		}
		// q, answer, 💡 and the mention: messages, a reaction, the mention;
		// /ask: one more event.
		if got, other := procs[owner].events(g.id), procs[1-owner].events(g.id); got == 0 || other != 0 {
			t.Errorf("guild %s (shard %d of 2): %d events in its shard's process, %d in the other; want all in its own", g.id, owner, got, other)
		}
		t.Logf("guild %s: shard %d; events handled by shard 0's process %d, shard 1's %d", g.id, owner, procs[0].events(g.id), procs[1].events(g.id))
	}
	if procs[0].events("") == 0 || procs[1].events("") != 0 {
		t.Errorf("DM events: %d in shard 0's process, %d in shard 1's; want them all on shard 0", procs[0].events(""), procs[1].events(""))
	}
	if n := commandAnswers(dmCommand, answers[amber]); n != 1 {
		t.Errorf("/ask in the DM was answered %d times with the amber guild's entry, want once", n)
	}
	if n := answered(dm, "", answers[violet]); n != 1 {
		t.Errorf("the DM was answered %d times with the violet guild's entry, want once", n)
	}
	if got := srv.IdentifiedShards(); !slices.Contains(got, [2]int{0, 2}) || !slices.Contains(got, [2]int{1, 2}) || len(got) != 2 {
		t.Errorf("IDENTIFY shards %v, want [0 2] and [1 2] once each", got)
	}
	// The fake routed each guild's dispatches to one shard's sessions only.
	for _, d := range srv.Deliveries() {
		if d.Type == "READY" || d.Type == "RESUMED" {
			continue // a session's own
		}
		if want := discordtest.ShardOf(d.Guild, 2); d.Shard != [2]int{want, 2} {
			t.Errorf("%s of guild %q went to shard %v", d.Type, d.Guild, d.Shard)
		}
	}
}

// TestOneProcessRunsTwoShards: a process given both shards opens two
// sessions (IDENTIFYs spaced as GET /gateway/bot's max_concurrency allows)
// and hears every guild; each shard's new session catches up its own
// guilds' channels, under its own lock.
func TestOneProcessRunsTwoShards(t *testing.T) {
	t.Parallel()
	srv := shardedDiscord(t)
	srv.MaxConcurrency = 2 // both shards may identify at once
	db := filepath.Join(t.TempDir(), "repertoire.db")
	logs := &syncBuffer{}
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	}()
	both, err := discord.ParseShards("0,1/2")
	if err != nil {
		t.Fatal(err)
	}
	// First run: the bot hears a question and an answer in every guild.
	p := startShardedProcess(t, srv, db, logs, true, both)
	srv.Await(t, "two sessions", func() bool { return len(srv.LiveShards()) == 2 })
	var answersTo []string
	for _, g := range shardGuilds {
		q := srv.Post(alice, g.channel, "How do I rotate the "+g.word+" signing key?", "")
		answersTo = append(answersTo, srv.Post(nelly, g.channel, "Run keyctl rotate "+g.word, q))
	}
	srv.Await(t, "every answer logged", func() bool {
		for i, g := range shardGuilds {
			if _, err := p.store.LoggedMessageBySource(context.Background(), repertoire.Source{Platform: "discord", Space: g.id, Channel: g.channel, Message: answersTo[i]}); err != nil {
				return false
			}
		}
		return true
	})
	p.stop()
	// While it is down, a member saves every answer.
	for _, a := range answersTo {
		srv.ReactQuietly(carol, a, "💡", false)
	}
	p = startShardedProcess(t, srv, db, logs, true, both)
	srv.Await(t, "every capture caught up", func() bool {
		for i, g := range shardGuilds {
			if _, err := p.store.EntryBySource(context.Background(), repertoire.Source{Platform: "discord", Space: g.id, Channel: g.channel, Message: answersTo[i]}); err != nil {
				return false
			}
		}
		return true
	})
	p.stop()
	// Each shard's pass read its two guilds' channels, and only those.
	for _, scope := range []string{`scope="shard 0/2" channels=2`, `scope="shard 1/2" channels=2`} {
		if !strings.Contains(logs.String(), "catch-up started\" platform=discord "+scope) {
			t.Errorf("no catch-up pass with %s", scope)
		}
	}
}

// Discord closes the gateway with 4011 when one shard would hold too many
// guilds: the adapter stops with that error instead of reconnecting.
func TestShardingRequiredStops(t *testing.T) {
	t.Parallel()
	srv := shardedDiscord(t)
	srv.MaxGuildsPerShard = 3
	a, err := discord.New(discord.Config{Token: srv.Token, APIURL: srv.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Run(ctx, bot.HandlerFunc(func(context.Context, bot.Event) error { return nil }))
	var fatal *discord.FatalCloseError
	if !errors.As(err, &fatal) || fatal.Code != 4011 || !strings.Contains(err.Error(), "sharding required") {
		t.Fatalf("Run: %v, want the 4011 close (sharding required)", err)
	}
}

// The loopback Discord closes an IDENTIFY naming a shard that does not
// exist with 4010, as Discord does (the adapter never sends one: its
// configuration refuses it first).
func TestInvalidShardClosed(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	for _, shard := range [][]int{{2, 2}, {-1, 2}, {0, 0}, {1}} {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL(), "http")+"gateway?v=9&encoding=json", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ws.ReadMessage(); err != nil { // HELLO
			t.Fatal(err)
		}
		if err := ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": srv.Token, "intents": 0, "shard": shard,
			"properties": map[string]any{"os": "linux", "browser": "test", "device": "test"}}}); err != nil {
			t.Fatal(err)
		}
		_, _, err = ws.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4010 {
			t.Errorf("shard %v: %v, want close 4010", shard, err)
		}
		ws.Close()
	}
}

// A replica may apply, from the shared inbox, a message another replica's
// shard received: a mention of the bot's role in a guild whose GUILD_CREATE
// this process never saw still addresses the bot (the role is read over
// REST, once).
func TestRoleMentionFromAnotherShard(t *testing.T) {
	t.Parallel()
	srv := shardedDiscord(t)
	logs := &syncBuffer{}
	p := startShards(t, srv, filepath.Join(t.TempDir(), "repertoire.db"), "0/2", logs)
	srv.Await(t, "shard 0 connected", func() bool { return len(srv.LiveShards()) == 1 })
	other := shardGuilds[2] // shard 1
	raw := fmt.Sprintf(`{"id":"610000000000000900","channel_id":%q,"guild_id":%q,"type":0,"content":"<@&%s> how do I rotate the violet signing key?",
		"author":{"id":%q,"username":"dave"},"mention_roles":[%q],"mentions":[],"timestamp":%q}`,
		other.channel, other.id, srv.BotRoleID, dave.ID, srv.BotRoleID, time.Now().UTC().Format(time.RFC3339Nano))
	for i := range 2 {
		evs, err := p.a.Decode(context.Background(), bot.Delivery{Platform: "discord", Kind: "MESSAGE_CREATE",
			ID: fmt.Sprintf("discord:elsewhere:%d", i), Channel: other.channel, Payload: []byte(raw)})
		if err != nil {
			t.Fatal(err)
		}
		mentioned := false
		for _, ev := range evs {
			_, ok := ev.(bot.Mentioned)
			mentioned = mentioned || ok
		}
		if !mentioned {
			t.Fatalf("a mention of the bot's role in guild %s (shard 1) was not seen as one by shard 0's process: %+v", other.id, evs)
		}
	}
	if n := srv.Fetches("GET guilds/{}/roles"); n != 1 {
		t.Errorf("%d reads of the guild's roles, want 1", n)
	}
}

// Two processes that both run shard 0 of 1 (REPERTOIRE_DISCORD_SHARDS left
// unset on two replicas) both hear every guild, as on Discord: why each
// shard must run on exactly one replica.
func TestShardRunTwiceHearsTwice(t *testing.T) {
	t.Parallel()
	srv := shardedDiscord(t)
	db := filepath.Join(t.TempDir(), "repertoire.db")
	logs := &syncBuffer{}
	a, b := startShards(t, srv, db, "0/1", logs), startShards(t, srv, db, "0/1", logs)
	srv.Await(t, "two sessions of shard 0", func() bool { return len(srv.LiveShards()) == 2 })
	g := shardGuilds[1]
	srv.Post(alice, g.channel, "Who has the spare key?", "")
	srv.Await(t, "the message heard twice", func() bool { return a.events(g.id)+b.events(g.id) >= 2 })
	if a.events(g.id) != 1 || b.events(g.id) != 1 {
		t.Errorf("events: %d and %d, want one in each process", a.events(g.id), b.events(g.id))
	}
}
