package discord_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// process is one run of the bot as production wires it: the real adapter
// (discordgo) with the durable inbox, the core, and catch-up started by
// every new gateway session.
type process struct {
	t       *testing.T
	store   *sqlite.Store
	inbox   *bot.Inbox
	catchup *bot.CatchUp
	a       *discord.Adapter
	stop    func()
}

// startProcess starts the bot; with sessions, every READY starts catch-up.
func startProcess(t *testing.T, srv *discordtest.Server, db string, logs *syncBuffer, sessions bool) *process {
	t.Helper()
	return startShardedProcess(t, srv, db, logs, sessions, discord.Shards{})
}

// startShardedProcess is startProcess running the given gateway shards.
func startShardedProcess(t *testing.T, srv *discordtest.Server, db string, logs *syncBuffer, sessions bool, shards discord.Shards) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := &process{t: t, store: store}
	var core *bot.Bot
	p.inbox = bot.NewInbox(store, bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error { return core.Handle(ctx, ev) }), log, bot.InboxOptions{})
	a, err := discord.New(discord.Config{Token: srv.Token, APIURL: srv.URL(), Inbox: p.inbox, Shards: shards}, log)
	if err != nil {
		t.Fatal(err)
	}
	p.a = a
	if sessions {
		a.OnSession(func(s bot.CatchUpScope) { p.catchup.TriggerScope(ctx, a, s) })
	}
	core = bot.New(store, log, bot.Config{}, a)
	p.catchup = bot.NewCatchUp(store, core, p.inbox, log, bot.CatchUpOptions{Window: 24 * time.Hour, Settle: 5 * time.Second})
	p.inbox.Register(a)
	inboxDone, runDone := make(chan error, 1), make(chan error, 1)
	go func() { inboxDone <- p.inbox.Run(ctx) }()
	go func() { runDone <- a.Run(ctx, core) }()
	stopped := false
	p.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		for _, c := range []chan error{runDone, inboxDone} {
			select {
			case err := <-c:
				if err != nil {
					t.Errorf("stop: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("bot did not stop")
			}
		}
		p.catchup.Wait()
		p.inbox.Close()
		store.Close()
	}
	t.Cleanup(p.stop)
	srv.Await(t, "the bot connected", srv.Connected)
	return p
}

func (p *process) entry(srv *discordtest.Server, channel, msg string) (repertoire.Entry, bool) {
	e, err := p.store.EntryBySource(context.Background(), repertoire.Source{Platform: "discord", Space: srv.GuildID, Channel: channel, Message: msg})
	if errors.Is(err, repertoire.ErrNotFound) {
		return repertoire.Entry{}, false
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return e, true
}

// TestCatchUpAfterDowntime stops the bot, lets members react, edit and
// delete while it is down (nothing reaches it: a new session replays
// nothing), restarts it, and checks that catch-up finds it all through Get
// Channel Messages and Get Reactions; that a message older than the window
// is not touched; that a private channel's capture stays private; and that
// a second pass changes nothing.
func TestCatchUpAfterDowntime(t *testing.T) {
	srv := discordtest.New(t)
	srv.HeartbeatInterval = 30 * time.Second
	srv.AddChannel(discordtest.Channel{ID: general, Name: "general"})
	srv.AddChannel(discordtest.Channel{ID: staff, Name: "staff", Private: true})
	db := filepath.Join(t.TempDir(), "repertoire.db")
	logs := &syncBuffer{}
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	}()
	ctx := context.Background()

	// An old exchange the bot saved 30 hours ago: outside the window.
	old := srv.PostAt(nelly, general, "Old tip: flush the DNS cache", time.Now().Add(-30*time.Hour))

	// The bot runs: members talk, and two answers are saved live.
	p := startProcess(t, srv, db, logs, true)
	if err := p.store.LogMessage(ctx, "", repertoire.LoggedMessage{Channel: repertoire.Channel{Platform: "discord", Space: srv.GuildID, ID: general},
		ID: old, Author: repertoire.Person{ID: nelly.ID}, Text: "Old tip: flush the DNS cache", At: time.Now().Add(-30 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.store.Save(ctx, repertoire.SaveParams{Channel: repertoire.Channel{Platform: "discord", Space: srv.GuildID, ID: general},
		SourceID: old, Kind: repertoire.Tip, Answer: "Old tip: flush the DNS cache", Author: repertoire.Person{ID: nelly.ID},
		Saver: repertoire.Person{ID: carol.ID}}); err != nil {
		t.Fatal(err)
	}
	q1 := srv.Post(alice, general, "How do I rotate the TLS certificate?", "")
	a1 := srv.Post(nelly, general, "Run certbot renew, then reload nginx", q1)
	q2 := srv.Post(alice, general, "Where are the backups kept?", "")
	a2 := srv.Post(nelly, general, "In the cold bucket, encrypted", q2)
	q3 := srv.Post(alice, general, "How do I restart the queue?", "")
	a3 := srv.Post(nelly, general, "systemctl restart queue, then check the lag", q3)
	a4 := srv.Post(dave, general, "Pin the driver to 1.4 until the fix lands", "")
	s1 := srv.Post(alice, staff, "Payroll runs on the 25th; the export is in the HR drive", "")
	srv.React(carol, general, a2, "💡", false)
	srv.React(carol, general, a3, "💡", false)
	srv.Await(t, "two live captures", func() bool {
		_, ok2 := p.entry(srv, general, a2)
		_, ok3 := p.entry(srv, general, a3)
		return ok2 && ok3
	})
	srv.Await(t, "messages logged", func() bool {
		_, err := p.store.LoggedMessageBySource(ctx, repertoire.Source{Platform: "discord", Space: srv.GuildID, Channel: staff, Message: s1})
		return err == nil
	})
	p.stop()

	// While it is down.
	srv.ReactQuietly(carol, a1, "💡", false)                                                    // a capture
	srv.ReactQuietly(dave, a1, "💡", false)                                                     // and a vote
	srv.EditQuietly(a2, "In the cold bucket, encrypted with the team key")                     // an edit of a saved answer
	srv.DeleteQuietly(a3)                                                                      // a saved answer deleted
	srv.ReactQuietly(carol, a4, "💡", false)                                                    // a capture …
	srv.ReactQuietly(carol, a4, "💡", true)                                                     // … taken back before anyone saw it
	srv.ReactQuietly(carol, s1, "💡", false)                                                    // a capture in a private channel
	srv.ReactQuietly(dave, old, "💡", false)                                                    // outside the window
	srv.EditQuietly(old, "Old tip, rewritten")                                                 // outside the window
	late := srv.PostAt(alice, general, "Use the staging token for the smoke test", time.Now()) // posted while down …
	srv.ReactQuietly(dave, late, "💡", false)                                                   // … and saved

	// Restarted: the new session's READY starts catch-up.
	p = startProcess(t, srv, db, logs, true)
	srv.Await(t, "catch-up found the captures, the edit and the delete", func() bool {
		e1, ok1 := p.entry(srv, general, a1)
		e2, ok2 := p.entry(srv, general, a2)
		_, ok3 := p.entry(srv, general, a3)
		_, okS := p.entry(srv, staff, s1)
		_, okL := p.entry(srv, general, late)
		return ok1 && e1.Votes == 2 && ok2 && e2.Answer == "In the cold bucket, encrypted with the team key" && !ok3 && okS && okL
	})
	p.catchup.Wait()
	e1, _ := p.entry(srv, general, a1)
	if e1.Question != "How do I rotate the TLS certificate?" || e1.Author.ID != nelly.ID {
		t.Errorf("caught-up capture: question %q, author %q", e1.Question, e1.Author.ID)
	}
	if _, ok := p.entry(srv, general, a4); ok {
		t.Error("a capture taken back while the bot was down was saved")
	}
	eo, _ := p.entry(srv, general, old)
	if eo.Answer != "Old tip: flush the DNS cache" || eo.Votes != 1 {
		t.Errorf("a message outside the window was touched: answer %q, votes %d", eo.Answer, eo.Votes)
	}
	es, _ := p.entry(srv, staff, s1)
	if !es.Channel.Private {
		t.Error("an entry caught up in a private channel is not private")
	}
	hits, err := p.store.Search(ctx, repertoire.SearchParams{Text: "payroll export", From: repertoire.Channel{Platform: "discord", Space: srv.GuildID, ID: general}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.SourceID == s1 {
			t.Error("the private channel's entry is visible from a public channel")
		}
	}

	// A second pass finds nothing to do and saves nothing twice.
	before := snapshot(t, p.store)
	st, err := p.catchup.Run(ctx, p.a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events() != 0 {
		t.Errorf("second pass emitted %d events: %+v", st.Events(), st)
	}
	if after := snapshot(t, p.store); after != before {
		t.Errorf("second pass changed the repertoire:\n%s\n%s", before, after)
	}
	t.Logf("second pass: %+v", st)
}

// snapshot is the entries with their votes and text, for before/after comparisons.
func snapshot(t *testing.T, s *sqlite.Store) string {
	t.Helper()
	es, err := s.Entries(context.Background(), repertoire.ListParams{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, e := range es {
		out += e.SourceID + "|" + e.Answer + "|" + strconv.Itoa(e.Votes) + "\n"
	}
	return out
}

// TestCatchUpResumes cuts a catch-up pass short with a 500 on its second
// page of Get Channel Messages: what the first page showed is applied and
// the channel's checkpoint holds the page's oldest message. The next pass
// resumes from there (the older capture is found) and then reads the
// channel again in full, ending with no pass in progress.
func TestCatchUpResumes(t *testing.T) {
	srv := discordtest.New(t)
	srv.HeartbeatInterval = 30 * time.Second
	srv.AddChannel(discordtest.Channel{ID: general, Name: "general"})
	db := filepath.Join(t.TempDir(), "repertoire.db")
	logs := &syncBuffer{}
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	}()
	ctx := context.Background()
	p := startProcess(t, srv, db, logs, false)
	ch := repertoire.Channel{Platform: "discord", Space: srv.GuildID, ID: general, Name: "general"}
	// 150 messages the bot logged: two pages of Get Channel Messages.
	var ids []string
	t0 := time.Now().Add(-2 * time.Hour)
	for i := range 150 {
		at := t0.Add(time.Duration(i) * 10 * time.Second)
		text := "note " + strconv.Itoa(i) + ": the runbook for the queue lives in the wiki"
		id := srv.PostAt(nelly, general, text, at)
		if err := p.store.LogMessage(ctx, "", repertoire.LoggedMessage{Channel: ch, ID: id, Author: repertoire.Person{ID: nelly.ID}, Text: text, At: at}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	older, newer := ids[10], ids[140] // on the second page and on the first
	srv.ReactQuietly(carol, older, "💡", false)
	srv.ReactQuietly(carol, newer, "💡", false)

	srv.FailAfter("GET channels/{}/messages", 1)
	if _, err := p.catchup.Run(ctx, p.a); err == nil {
		t.Fatal("a pass cut short by a 500 reported no error")
	}
	srv.Await(t, "the first page's capture", func() bool { _, ok := p.entry(srv, general, newer); return ok })
	if _, ok := p.entry(srv, general, older); ok {
		t.Fatal("the second page was applied although it was never read")
	}
	cs, err := p.store.CatchUpChannels(ctx, "discord", time.Now().Add(-24*time.Hour))
	if err != nil || len(cs) != 1 {
		t.Fatalf("checkpoints: %v %+v", err, cs)
	}
	if cs[0].PassAt.IsZero() || cs[0].Cursor != ids[50] {
		t.Fatalf("checkpoint after the cut: pass %v cursor %s, want a pass in progress at %s", cs[0].PassAt, cs[0].Cursor, ids[50])
	}

	fetches := srv.Fetches("GET channels/{}/messages")
	st, err := p.catchup.Run(ctx, p.a)
	if err != nil {
		t.Fatal(err)
	}
	srv.Await(t, "the second page's capture", func() bool { _, ok := p.entry(srv, general, older); return ok })
	// One page to finish the cut pass, two for the full one after it.
	if n := srv.Fetches("GET channels/{}/messages") - fetches; n != 3 {
		t.Errorf("the resumed pass read %d pages, want 1 to finish and 2 to read again", n)
	}
	cs, _ = p.store.CatchUpChannels(ctx, "discord", time.Now().Add(-24*time.Hour))
	if len(cs) != 1 || !cs[0].PassAt.IsZero() || cs[0].DoneAt.IsZero() {
		t.Errorf("checkpoint after the resumed pass: %+v", cs)
	}
	if e, _ := p.entry(srv, general, newer); e.Votes != 1 {
		t.Errorf("the first page's capture has %d votes after the second pass, want 1", e.Votes)
	}
	t.Logf("resumed pass: %+v", st)
}
