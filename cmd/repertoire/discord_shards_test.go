package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres/pgtest"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

// shardGuild is a guild of the loopback Discord with one channel; the IDs
// put two guilds on each of two shards ((id >> 22) % 2).
type shardGuild struct{ id, channel, word string }

var twoShardGuilds = []shardGuild{
	{"900000000000000100", "610000000000000001", "amber"},   // shard 1: the fake's GuildID
	{"900000000002490468", "610000000000000002", "cobalt"},  // shard 0
	{"900000000006684772", "610000000000000003", "violet"},  // shard 1
	{"900000000010879076", "610000000000000004", "saffron"}, // shard 0
}

// childLog is what a bot process said about itself in its JSON log: the
// gateway sessions it opened (by shard) and the entries it created.
type childLog struct {
	sessions map[string]int // session ID → shard
	captured []int64        // entry IDs of its "capture" lines with outcome created
}

func readChildLog(t *testing.T, c *child) childLog {
	t.Helper()
	out := childLog{sessions: map[string]int{}}
	sc := bufio.NewScanner(strings.NewReader(c.stderr.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			Msg     string `json:"msg"`
			Session string `json:"session"`
			Shard   *int   `json:"shard"`
			Entry   int64  `json:"entry"`
			Outcome string `json:"outcome"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		switch {
		case l.Msg == "gateway ready" && l.Shard != nil:
			out.sessions[l.Session] = *l.Shard
		case l.Msg == "capture" && l.Outcome == "created":
			out.captured = append(out.captured, l.Entry)
		}
	}
	return out
}

// TestDiscordShardsAcrossTwoProcesses runs two bot processes on one
// PostgreSQL database, REPERTOIRE_DISCORD_SHARDS=0/2 and 1/2, against a
// loopback Discord with four guilds (two on each shard) and a DM. Members
// save answers with 💡, ask by mention and with /ask, and ask in a DM.
// Every guild's gateway events reach exactly one process, the one running
// its shard (by the sessions each process logged and the deliveries it
// committed to the shared inbox); DMs reach only shard 0's; every capture
// is saved once, by one process; every question is answered once; nothing
// is left in the inbox.
func TestDiscordShardsAcrossTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	db := pgtest.DB(t)
	ctx := context.Background()
	s, err := storeopen.Open(ctx, db, nil) // migrate once before the processes start
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fake := discordtest.New(t)
	fake.HeartbeatInterval = 30 * time.Second
	fake.AwaitTimeout = 60 * time.Second
	for i, g := range twoShardGuilds {
		if g.id != fake.GuildID {
			fake.AddGuild(g.id, fmt.Sprintf("Guild %d", i))
		}
		fake.AddChannel(discordtest.Channel{ID: g.channel, Name: "general", Guild: g.id})
	}
	const dmChannel = "55555555555555555"
	fake.AddChannel(discordtest.Channel{ID: dmChannel, Type: discordtest.TypeDM})
	specs := []string{"0/2", "1/2"} // process i runs shard i
	var procs []*child
	for _, spec := range specs {
		procs = append(procs, startChild(t, map[string]string{"REPERTOIRE_DB": db, "DISCORD_TOKEN": fake.Token,
			"DISCORD_API_URL": fake.URL(), "REPERTOIRE_DISCORD_SHARDS": spec, "REPERTOIRE_LOG_FORMAT": "json"}))
	}
	dump := func() string {
		return "process 0/2:\n" + procs[0].stderr.String() + "\nprocess 1/2:\n" + procs[1].stderr.String()
	}
	defer func() {
		if t.Failed() {
			t.Log(dump())
		}
	}()
	fake.Await(t, "both shards connected", func() bool { return len(fake.LiveShards()) == 2 })

	alice := discordtest.User{ID: "80351110224678911", Name: "Alice"}
	nelly := discordtest.User{ID: "80351110224678912", Name: "Nelly"}
	carol := discordtest.User{ID: "80351110224678916", Name: "Carol"}
	dave := discordtest.User{ID: "80351110224678914", Name: "Dave"}
	const perGuild = 3
	type saved struct{ guild, channel, msg string }
	var captures []saved
	for k := range perGuild {
		for _, g := range twoShardGuilds {
			q := fake.Post(alice, g.channel, fmt.Sprintf("How do I rotate the %s key of region %d?", g.word, k), "")
			a := fake.Post(nelly, g.channel, fmt.Sprintf("Run keyctl rotate %s-%d and restart the signer", g.word, k), q)
			fake.React(carol, g.channel, a, "💡", false)
			captures = append(captures, saved{g.id, g.channel, a})
		}
	}
	store, err := storeopen.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	entryOf := func(c saved) (repertoire.Entry, error) {
		return store.EntryBySource(ctx, repertoire.Source{Platform: "discord", Space: c.guild, Channel: c.channel, Message: c.msg})
	}
	fake.Await(t, "every capture saved", func() bool {
		for _, c := range captures {
			if _, err := entryOf(c); err != nil {
				return false
			}
		}
		return true
	})
	mentions, asks := map[string][]string{}, map[string]string{}
	for _, g := range twoShardGuilds {
		for k := range 1 {
			// By the bot's role, which a process knows of a guild only from
			// its shard's GUILD_CREATE, or else from REST: the process that
			// applies a delivery from the shared inbox may not be the one
			// whose shard received it.
			mentions[g.id] = append(mentions[g.id], fake.Post(dave, g.channel,
				fmt.Sprintf("<@&%s> how do I rotate the %s key of region %d?", fake.BotRoleID, g.word, k), ""))
		}
		asks[g.id] = fake.Command(dave, g.channel, "ask", discordtest.Option{Name: "question", Value: "rotate the " + g.word + " key"})
	}
	fake.Post(dave, dmChannel, "how do I rotate the violet key of region 2?", "")
	violet2 := captures[2*len(twoShardGuilds)+2].msg // its source link ends with the message ID
	repliesTo := func(ask string) int {
		n := 0
		for _, m := range fake.Sent() {
			if m.ReplyTo == ask && strings.Contains(m.Content, "keyctl") {
				n++
			}
		}
		return n
	}
	interactionAnswers := func(id string) int {
		n := 0
		for _, r := range fake.Responses() {
			if r.Interaction == id && r.Kind != "followup" && strings.Contains(r.Content, "keyctl") {
				n++
			}
		}
		return n
	}
	dmAnswers := func() int {
		n := 0
		for _, m := range fake.Sent() {
			if m.Channel == dmChannel && strings.Contains(m.Content, violet2) {
				n++
			}
		}
		return n
	}
	fake.Await(t, "every question answered", func() bool {
		for _, g := range twoShardGuilds {
			for _, m := range mentions[g.id] {
				if repliesTo(m) == 0 {
					return false
				}
			}
			if interactionAnswers(asks[g.id]) == 0 {
				return false
			}
		}
		return dmAnswers() > 0
	})
	fake.Await(t, "the inbox empty", func() bool { n, _, err := store.InboxDepth(ctx); return err == nil && n == 0 })
	for _, p := range procs { // both at once: each spends a second closing its gateway
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range procs {
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("process %s: %v", specs[i], err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("process %s did not exit within 30s of SIGTERM", specs[i])
		}
	}

	// What each process says it did.
	logs := []childLog{readChildLog(t, procs[0]), readChildLog(t, procs[1])}
	owner := map[string]int{} // session → process
	for i, l := range logs {
		for sess, shard := range l.sessions {
			if shard != i {
				t.Errorf("process %s opened a session on shard %d", specs[i], shard)
			}
			owner[sess] = i
		}
	}
	// Received: the dispatches Discord sent each process's sessions.
	received := [2]map[string]int{{}, {}}
	for _, d := range fake.Deliveries() {
		p, ok := owner[d.Session]
		if !ok {
			t.Errorf("%s of guild %q went to session %s, which neither process logged", d.Type, d.Guild, d.Session)
			continue
		}
		if d.Type != "READY" && d.Type != "RESUMED" {
			received[p][d.Guild]++
		}
	}
	// Committed: the deliveries each process's sessions put in the shared
	// inbox (its ID names the session), by guild. Catch-up's own events
	// (a pass may meet a message still on its way) are not the gateway's.
	committed := [2]map[string]int{{}, {}}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT delivery, payload FROM inbox WHERE platform = 'discord' AND kind <> $1`, bot.KindCatchUp)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var delivery string
		var payload []byte
		if err := rows.Scan(&delivery, &payload); err != nil {
			t.Fatal(err)
		}
		var w struct {
			GuildID string `json:"guild_id"`
		}
		_ = json.Unmarshal(payload, &w)
		parts := strings.Split(delivery, ":")
		p, ok := owner[parts[min(1, len(parts)-1)]]
		if len(parts) != 3 || !ok {
			t.Errorf("inbox delivery %q is not from a session either process logged", delivery)
			continue
		}
		committed[p][w.GuildID]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Saved: each process's "capture … created" lines, by the entry's guild.
	savedBy := [2]map[string]int{{}, {}}
	creators := map[int64]int{}
	for i, l := range logs {
		for _, id := range l.captured {
			creators[id]++
			e, err := store.Entry(ctx, id)
			if err != nil {
				t.Errorf("process %s logged entry %d: %v", specs[i], id, err)
				continue
			}
			savedBy[i][e.Channel.Space]++
		}
	}

	t.Logf("guild              shard | received 0/2 1/2 | committed 0/2 1/2 | captures saved 0/2 1/2")
	for _, g := range twoShardGuilds {
		own := discordtest.ShardOf(g.id, 2)
		t.Logf("%s %5d | %12d %3d | %13d %3d | %18d %3d", g.id, own, received[0][g.id], received[1][g.id],
			committed[0][g.id], committed[1][g.id], savedBy[0][g.id], savedBy[1][g.id])
		if received[own][g.id] == 0 || received[1-own][g.id] != 0 || committed[own][g.id] == 0 || committed[1-own][g.id] != 0 {
			t.Errorf("guild %s (shard %d): received %d/%d, committed %d/%d by the processes of shards 0/1; want all by shard %d's",
				g.id, own, received[0][g.id], received[1][g.id], committed[0][g.id], committed[1][g.id], own)
		}
	}
	t.Logf("DMs: received %d by shard 0's process, %d by shard 1's", received[0][""], received[1][""])
	if received[0][""] == 0 || received[1][""] != 0 {
		t.Errorf("DMs received %d/%d by the processes of shards 0/1; want all by shard 0's", received[0][""], received[1][""])
	}

	lost, twice := 0, 0
	acks := map[string]int{}
	for _, r := range fake.Reactions() {
		acks[r.Message]++
	}
	for _, c := range captures {
		e, err := entryOf(c)
		switch {
		case err != nil:
			lost++
		case len(e.Savers) != 1 || e.Votes != 1 || acks[c.msg] != 1 || creators[e.ID] != 1:
			twice++
			t.Errorf("capture %s: %d savers, %d votes, %d acknowledgements, created by %d processes; want 1 each",
				c.msg, len(e.Savers), e.Votes, acks[c.msg], creators[e.ID])
		}
	}
	answers := 0
	for _, g := range twoShardGuilds {
		for _, m := range mentions[g.id] {
			if n := repliesTo(m); n != 1 {
				t.Errorf("guild %s: mention %s answered %d times, want once", g.id, m, n)
			}
			answers++
		}
		if n := interactionAnswers(asks[g.id]); n != 1 {
			t.Errorf("guild %s: /ask answered %d times, want once", g.id, n)
		}
		answers++
	}
	if n := dmAnswers(); n != 1 {
		t.Errorf("the DM was answered %d times with the violet guild's entry (heard only on shard 1), want once", n)
	}
	t.Logf("%d captures: lost %d, saved twice %d; %d guild questions and 1 DM answered once each", len(captures), lost, twice, answers)
	if lost > 0 {
		t.Errorf("%d captures lost", lost)
	}
}

// REPERTOIRE_DISCORD_SHARDS: unset runs every shard; a bad value is a clear
// error naming the variable, before anything connects, and `repertoire
// doctor` shows the split with the shards the other replicas must run.
func TestDiscordShardsConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{"DISCORD_TOKEN": "test-token"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := parseConfig(env())
	if err != nil || c.DiscordShards.String() != "0/1" {
		t.Errorf("unset: %v, %v; want 0/1", c.DiscordShards, err)
	}
	c, err = parseConfig(env("REPERTOIRE_DISCORD_SHARDS", "0,1/4"))
	if err != nil || c.DiscordShards.String() != "0,1/4" {
		t.Errorf("0,1/4: %v, %v", c.DiscordShards, err)
	}
	for spec, says := range map[string]string{"4/4": "shard 4 is not below the count 4", "0,0/2": "listed twice",
		"0,1": "no shard count", "x/2": "not a shard number"} {
		if _, err := parseConfig(env("REPERTOIRE_DISCORD_SHARDS", spec)); err == nil ||
			!strings.HasPrefix(err.Error(), "REPERTOIRE_DISCORD_SHARDS: ") || !strings.Contains(err.Error(), says) {
			t.Errorf("%q: %v, want REPERTOIRE_DISCORD_SHARDS: … %s", spec, err, says)
		}
	}
	if _, err := parseConfig(func(k string) string {
		return map[string]string{"REPERTOIRE_DISCORD_SHARDS": "0/2"}[k]
	}); err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN is not") {
		t.Errorf("shards without a token: %v", err)
	}

	fake := discordtest.New(t)
	good := map[string]string{"DISCORD_TOKEN": fake.Token, "DISCORD_API_URL": fake.URL(),
		"REPERTOIRE_DB": filepath.Join(t.TempDir(), "r.db"), "REPERTOIRE_DISCORD_SHARDS": "0,2/4"}
	out, _ := runDoctor(t, good)
	if !strings.Contains(out, "✓ Discord shards: this process runs 0,2/4; the other replicas must run shard 1, 3 of 4, each once") {
		t.Errorf("doctor with shards 0,2/4:\n%s", out)
	}
	out, err = runDoctor(t, withEnv(good, "REPERTOIRE_DISCORD_SHARDS", "2/2"))
	if err == nil || !strings.Contains(out, "✗ configuration: REPERTOIRE_DISCORD_SHARDS: \"2/2\": shard 2 is not below the count 2") {
		t.Errorf("doctor with shards 2/2: %v\n%s", err, out)
	}
	for i := range 1001 {
		fake.AddGuild(fmt.Sprint(900000000100000000+i), "a guild")
	}
	out, _ = runDoctor(t, withEnv(good, "REPERTOIRE_DISCORD_SHARDS", ""))
	if !strings.Contains(out, "! Discord shards: this process runs all of them (0/1), but Discord recommends 2 shards") {
		t.Errorf("doctor past 1,000 guilds:\n%s", out)
	}
}
