package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/bot/adaptertest"
	"github.com/repertoire/repertoire/repertoire"
)

// Channels of the loopback guild.
const (
	general = "41771983423143937"
	staff   = "41771983423143938"
	thread  = "41771983423143990"
	dm      = "55555555555555555"
)

var (
	alice = discordtest.User{ID: "80351110224678911", Name: "Alice"}
	nelly = discordtest.User{ID: "80351110224678912", Name: "Nelly"}
	carol = discordtest.User{ID: "80351110224678916", Name: "Carol"}
	dave  = discordtest.User{ID: "80351110224678914", Name: "Dave"}
)

// syncBuffer is a log sink tests can read while the adapter writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	t      testing.TB
	srv    *discordtest.Server
	store  *sqlite.Store
	a      *discord.Adapter
	core   *bot.Bot
	logs   *syncBuffer
	runErr chan error
	stop   context.CancelFunc
	// applied records what the core applied (after the dispatcher).
	applied  *adaptertest.Applied
	o        options
	db       string
	shutdown func() // stops the bot started last and closes its store
}

type options struct {
	heartbeat  time.Duration
	deferAfter time.Duration
	server     func(*discordtest.Server)
	noWait     bool
	token      string
	wrap       func(bot.Handler) bot.Handler // between the adapter and the dispatcher
	// parallel: other tests run sessions meanwhile, so Cleanup cannot
	// check that this one left no session goroutines (the tests of the
	// session's life cycle run alone and check it).
	parallel bool
}

// start runs the real adapter (discordgo inside) against a loopback Discord,
// with the real core on a SQLite temp file behind a Dispatcher, as in
// production.
func start(t testing.TB, o options) *harness {
	t.Helper()
	srv := discordtest.New(t)
	srv.HeartbeatInterval = 30 * time.Second
	if o.heartbeat > 0 {
		srv.HeartbeatInterval = o.heartbeat
	}
	srv.AddChannel(discordtest.Channel{ID: general, Name: "general"})
	srv.AddChannel(discordtest.Channel{ID: staff, Name: "staff", Private: true})
	srv.AddChannel(discordtest.Channel{ID: thread, Name: "cert question", Type: discordtest.TypePublicThread, Parent: general})
	srv.AddChannel(discordtest.Channel{ID: dm, Type: discordtest.TypeDM})
	if o.server != nil {
		o.server(srv)
	}
	h := &harness{t: t, srv: srv, o: o, db: filepath.Join(t.TempDir(), "repertoire.db"), logs: &syncBuffer{}, applied: adaptertest.NewApplied()}
	h.run()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("adapter logs:\n%s", h.logs.String())
		}
		h.shutdown()
		if !o.parallel {
			noSessionGoroutines(t)
		}
		assertNoMentionsParsed(t, srv)
	})
	if !o.noWait {
		srv.Await(t, "the bot connected", srv.Connected)
		srv.Await(t, "commands registered", func() bool { return srv.Commands() != nil })
	}
	return h
}

// run starts the store, the adapter and the core, as the program does.
func (h *harness) run() {
	t, o := h.t, h.o
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, h.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	token := h.srv.Token
	if o.token != "" {
		token = o.token
	}
	a, err := discord.New(discord.Config{Token: token, APIURL: h.srv.URL(), DeferAfter: o.deferAfter}, log)
	if err != nil {
		t.Fatal(err)
	}
	core := bot.New(store, log, bot.Config{}, a)
	d := bot.NewDispatcher(h.applied.Wrap(core), log, 2, 64)
	runCtx, cancel := context.WithCancel(ctx)
	h.store, h.a, h.core, h.runErr, h.stop = store, a, core, make(chan error, 1), cancel
	var handler bot.Handler = d
	if o.wrap != nil {
		handler = o.wrap(d)
	}
	runErr := h.runErr
	go func() { runErr <- a.Run(runCtx, handler) }()
	h.shutdown = func() {
		cancel()
		select {
		case err := <-runErr:
			if err != nil && !o.noWait {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
		d.Close()
		store.Close()
	}
}

// restart stops the bot and starts a new one (a new process) on the same
// database, against the same Discord, and waits for its new session.
func (h *harness) restart() {
	h.t.Helper()
	n := len(h.srv.Identifies())
	h.shutdown()
	h.run()
	h.srv.Await(h.t, "a new session", func() bool { return len(h.srv.Identifies()) > n && h.srv.Connected() })
}

// noSessionGoroutines fails when discordgo or adapter goroutines outlive Run.
func noSessionGoroutines(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var left []string
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "bwmarrin/discordgo") || strings.Contains(g, "adapters/discord.(*Adapter)") {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d session goroutines left running:\n%s", len(left), strings.Join(left, "\n\n"))
			return
		}
		time.Sleep(20 * time.Millisecond) // polling for goroutine exit; no event to wait on
	}
}

// assertNoMentionsParsed: every message and interaction answer the bot sent
// carried allowed_mentions {"parse": []}.
func assertNoMentionsParsed(t testing.TB, srv *discordtest.Server) {
	t.Helper()
	check := func(what string, raw json.RawMessage) {
		var am struct {
			Parse *[]string `json:"parse"`
		}
		if err := json.Unmarshal(raw, &am); err != nil || am.Parse == nil || len(*am.Parse) != 0 {
			t.Errorf("%s sent with allowed_mentions %s, want {\"parse\":[]}", what, raw)
		}
	}
	for _, s := range srv.Sent() {
		check("message "+s.ID, s.AllowedMentions)
	}
	for _, r := range srv.Responses() {
		if r.Type == 5 || r.Type == 6 {
			continue // a deferred response has no content
		}
		check("interaction answer "+r.Kind, r.AllowedMentions)
	}
}

func (h *harness) entry(channel, msg string) (repertoire.Entry, bool) {
	e, err := h.store.EntryBySource(context.Background(), repertoire.Source{Platform: "discord", Space: h.srv.GuildID, Channel: channel, Message: msg})
	if errors.Is(err, repertoire.ErrNotFound) {
		return repertoire.Entry{}, false
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return e, true
}

func (h *harness) awaitEntry(channel, msg string) repertoire.Entry {
	h.t.Helper()
	var e repertoire.Entry
	h.srv.Await(h.t, "entry for "+msg, func() bool {
		var ok bool
		e, ok = h.entry(channel, msg)
		return ok
	})
	return e
}

// awaitGone waits until the entry for msg is removed.
func (h *harness) awaitGone(channel, msg string) {
	h.t.Helper()
	h.srv.Await(h.t, "entry for "+msg+" removed", func() bool { _, ok := h.entry(channel, msg); return !ok })
}

func (h *harness) sentContaining(s string) []discordtest.Sent {
	var out []discordtest.Sent
	for _, m := range h.srv.Sent() {
		if strings.Contains(m.Content, s) {
			out = append(out, m)
		}
	}
	return out
}

// capture posts a question and an answer as a reply, and reacts 💡 to it.
func (h *harness) capture(question, answer string) (q, a string) {
	q = h.srv.Post(alice, general, question, "")
	a = h.srv.Post(nelly, general, answer, q)
	h.srv.React(carol, general, a, "💡", false)
	h.awaitEntry(general, a)
	return q, a
}

// TestCaptureDiscordDetails: what Discord adds to capture (the conformance
// suite covers the rest): the jump link, the answer read from the gateway
// cache, a custom emoji named bulb counting as a vote, and a thread with no
// starter message.
func TestCaptureDiscordDetails(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	_, a := h.capture("How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx #tls")
	e := h.awaitEntry(general, a)
	if want := "https://discord.com/channels/" + h.srv.GuildID + "/" + general + "/" + a; e.Permalink != want {
		t.Errorf("permalink %q, want %q", e.Permalink, want)
	}
	if e.Author.Name != "Nelly" {
		t.Errorf("author %+v, want Nelly's display name", e.Author)
	}
	if n := h.srv.Fetches("GET channels/{}/messages/{}"); n != 0 {
		t.Errorf("%d message fetches; the cache should have answered", n)
	}

	t.Run("custom emoji named bulb, a vote", func(t *testing.T) {
		h.srv.React(dave, general, a, "bulb:41771983429993937", false)
		h.srv.Await(t, "a vote", func() bool { e, _ := h.entry(general, a); return e.Votes == 2 })
	})

	t.Run("in a thread with no starter message", func(t *testing.T) {
		id := h.srv.Post(nelly, thread, "Use the staging ACME directory first", "")
		h.srv.React(carol, thread, id, "✅", false)
		e := h.awaitEntry(thread, id)
		if e.Kind != repertoire.Solution {
			t.Errorf("kind %s", e.Kind)
		}
	})
}

// A moderator clearing the reactions of a saved message undoes the saves;
// clearing an emoji that saved nothing changes nothing.
func TestClearedReactionsUndoSaves(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	_, a := h.capture("How do I rotate the TLS certificate?", "Run certbot renew")
	h.srv.React(dave, general, a, "💡", false)
	h.srv.React(dave, general, a, "🎉", false)
	h.srv.Await(t, "a vote", func() bool { e, _ := h.entry(general, a); return e.Votes == 2 })
	h.srv.Dispatch("MESSAGE_REACTION_REMOVE_EMOJI", map[string]any{"channel_id": general, "guild_id": h.srv.GuildID,
		"message_id": a, "emoji": map[string]any{"id": nil, "name": "🎉"}})
	// Events of a channel apply in order: a later vote counting proves the
	// 🎉 clear was applied and kept the entry.
	h.srv.React(alice, general, a, "💡", false)
	h.srv.Await(t, "a third vote after 🎉 was cleared", func() bool { e, _ := h.entry(general, a); return e.Votes == 3 })
	h.srv.Dispatch("MESSAGE_REACTION_REMOVE_ALL", map[string]any{"channel_id": general, "guild_id": h.srv.GuildID, "message_id": a})
	h.awaitGone(general, a)
}

func TestReactionOnUnseenMessageFetchesIt(t *testing.T) {
	t.Parallel()
	var q, a string
	h := start(t, options{parallel: true, server: func(srv *discordtest.Server) {
		// Posted before the bot connects: the fake has no session to dispatch on.
		q = srv.Post(alice, general, "Where is the runbook for failover?", "")
		a = srv.Post(nelly, general, "In the wiki under ops/failover", q)
	}})
	h.srv.React(carol, general, a, "💡", false)
	e := h.awaitEntry(general, a)
	if e.Question != "Where is the runbook for failover?" {
		t.Errorf("question %q: the thread's opening message was not fetched", e.Question)
	}
	if n := h.srv.Fetches("GET channels/{}/messages/{}"); n != 2 {
		t.Errorf("%d message fetches, want 2 (the answer and its question)", n)
	}
	h.srv.React(dave, general, a, "💡", false)
	h.srv.Await(t, "a vote", func() bool { e, _ := h.entry(general, a); return e.Votes == 2 })
	if n := h.srv.Fetches("GET channels/{}/messages/{}"); n != 2 {
		t.Errorf("%d message fetches after a second reaction, want still 2", n)
	}
}

// A DM is outside any server: it recalls the public entries of the servers
// the member shares with the bot, and nothing for someone who is not in it.
func TestRecallInADirectMessage(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	h.capture("How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx #tls")
	inDM := func() []discordtest.Sent {
		var out []discordtest.Sent
		for _, m := range h.srv.Sent() {
			if m.Channel == dm {
				out = append(out, m)
			}
		}
		return out
	}
	h.srv.Post(dave, dm, "how do we renew certificates?", "")
	h.srv.Await(t, "an answer in the DM", func() bool { return len(inDM()) == 1 })
	if got := inDM()[0].Content; !strings.Contains(got, "certbot") {
		t.Fatalf("a member's DM did not recall their server's entry:\n%s", got)
	}
	mallory := discordtest.User{ID: "80351110224678999", Name: "Mallory"}
	h.srv.Outsider(mallory.ID)
	h.srv.Post(mallory, dm, "how do we renew certificates?", "")
	h.srv.Await(t, "an answer to the outsider", func() bool { return len(inDM()) == 2 })
	if got := inDM()[1].Content; strings.Contains(got, "certbot") {
		t.Fatalf("a server's entry answered someone who is not in it:\n%s", got)
	}
	h.srv.Post(dave, dm, "how do we renew certificates again?", "")
	h.srv.Await(t, "a second answer to the member", func() bool { return len(inDM()) == 3 })
	if n := h.srv.Fetches("GET guilds/{}/members/{}"); n != 2 {
		t.Errorf("%d membership lookups, want 2 (one per member, then cached)", n)
	}
}

// TestRecallByMentionDiscordDetails: what Discord adds to recall by
// mention (the conformance suite covers the rest): the answer is a reply
// sent with no mention parsing, mentioning the bot's role asks it too, a
// mention of another role does not, and help in a DM.
func TestRecallByMentionDiscordDetails(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	h.capture("How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx #tls")
	ask := h.srv.Post(dave, general, "<@"+h.srv.Bot.ID+"> how do we renew certificates?", "")
	h.srv.Await(t, "an answer", func() bool { return len(h.sentContaining("certbot")) > 0 })
	if m := h.sentContaining("certbot")[0]; m.ReplyTo != ask || string(m.AllowedMentions) != `{"parse":[]}` {
		t.Errorf("answer replying to %s with allowed_mentions %s, want a reply to %s with {\"parse\":[]}", m.ReplyTo, m.AllowedMentions, ask)
	}

	t.Run("mentioning the bot's role asks the bot too", func(t *testing.T) {
		ask := h.srv.Post(dave, general, "<@&"+h.srv.BotRoleID+"> how do we renew certificates?", "")
		h.srv.Await(t, "an answer to the role mention", func() bool {
			for _, m := range h.sentContaining("certbot") {
				if m.ReplyTo == ask {
					return true
				}
			}
			return false
		})
		other := h.srv.Post(dave, general, "<@&900000000000000555> ping the on-call role, how do we renew certificates?", "")
		// Events of a channel are applied in order: once a later question is
		// answered, the other role's mention has been seen.
		later := h.srv.Post(dave, general, "<@"+h.srv.Bot.ID+"> how do we renew certificates again?", "")
		h.srv.Await(t, "an answer to the later question", func() bool {
			for _, m := range h.sentContaining("certbot") {
				if m.ReplyTo == later {
					return true
				}
			}
			return false
		})
		for _, m := range h.sentContaining("certbot") {
			if m.ReplyTo == other {
				t.Errorf("answered a mention of another role")
			}
		}
	})

	t.Run("DM", func(t *testing.T) {
		h.srv.Post(dave, dm, "help", "")
		h.srv.Await(t, "help in the DM", func() bool {
			for _, s := range h.srv.Sent() {
				if s.Channel == dm && strings.Contains(s.Content, "React 💡") {
					return true
				}
			}
			return false
		})
	})
}

func TestAskIsEphemeralAndQuick(t *testing.T) {
	for _, tc := range []struct {
		name       string
		deferAfter time.Duration
		first      int
	}{
		{"answered directly", 2 * time.Second, 4},
		{"deferred then edited", time.Nanosecond, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Alone: "answered directly" needs the core to answer within
			// DeferAfter, which a loaded machine may miss.
			h := start(t, options{deferAfter: tc.deferAfter})
			_, a := h.capture("How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx #tls")
			id := h.srv.Command(dave, general, "ask", discordtest.Option{Name: "question", Value: "how do we renew certificates?"})
			var rs []discordtest.Response
			h.srv.Await(t, "the answer", func() bool {
				rs = nil
				for _, r := range h.srv.Responses() {
					if r.Interaction == id {
						rs = append(rs, r)
					}
				}
				return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Content, "certbot")
			})
			if rs[0].Kind != "callback" || rs[0].Type != tc.first || rs[0].Flags&64 == 0 {
				t.Errorf("first response %+v, want an ephemeral callback of type %d", rs[0], tc.first)
			}
			if d := rs[0].At.Sub(h.srv.InteractionAt(id)); d > 3*time.Second {
				t.Errorf("first response after %v: Discord wants it within 3 s", d)
			}
			last := rs[len(rs)-1]
			if tc.first == 5 && last.Kind != "edit" {
				t.Errorf("answer sent as %s, want an edit of the deferred response", last.Kind)
			}
			if link := "https://discord.com/channels/" + h.srv.GuildID + "/" + general + "/" + a; !strings.Contains(last.Content, link) {
				t.Errorf("no jump link in %q", last.Content)
			}
			if len(h.sentContaining("certbot")) != 0 {
				t.Error("the ephemeral answer was also posted to the channel")
			}
		})
	}
}

func TestContextMenuSave(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	q := h.srv.Post(alice, general, "How do we give a contractor read access?", "")
	a := h.srv.Post(nelly, general, "Add them to the readers group in the IdP, never share an account", q)
	id := h.srv.MessageCommand(dave, general, "Save to repertoire", a)
	e := h.awaitEntry(general, a)
	if e.Author.ID != nelly.ID || len(e.Savers) != 1 || e.Savers[0].ID != dave.ID || e.Question != "How do we give a contractor read access?" {
		t.Errorf("entry %+v", e)
	}
	// Answered at once, or (on a slow machine, after DeferAfter) deferred
	// ephemerally and then edited: either way only Dave sees it.
	h.srv.Await(t, "an ephemeral confirmation", func() bool {
		ephemeral, saved := false, false
		for _, r := range h.srv.Responses() {
			if r.Interaction == id {
				ephemeral = ephemeral || r.Kind == "callback" && r.Flags&64 != 0
				saved = saved || strings.Contains(r.Content, "Saved")
			}
		}
		return ephemeral && saved
	})
}

// TestBulkDelete: MESSAGE_DELETE_BULK removes every entry it names (the
// conformance suite covers edits and single deletes).
func TestBulkDelete(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	_, a2 := h.capture("How do I flush DNS?", "resolvectl flush-caches")
	_, a3 := h.capture("How do I see open ports?", "ss -tlnp")
	h.srv.DeleteBulk(general, a2, a3)
	h.awaitGone(general, a2)
	h.awaitGone(general, a3)
}

// Removed from the server (GUILD_DELETE without unavailable), the bot
// purges what it kept from it; an outage (unavailable: true) keeps it.
func TestRemovedFromGuildPurges(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	_, a := h.capture("How do I rotate the TLS certificate?", "Run certbot renew")
	h.srv.Dispatch("GUILD_DELETE", map[string]any{"id": h.srv.GuildID, "unavailable": true})
	_, b := h.capture("How do I flush DNS?", "resolvectl flush-caches") // dispatched after the outage: it was handled
	if _, ok := h.entry(general, a); !ok {
		t.Fatal("an unavailable guild purged its entries")
	}
	h.srv.Dispatch("GUILD_DELETE", map[string]any{"id": h.srv.GuildID})
	h.awaitGone(general, a)
	h.awaitGone(general, b)
}

// Events the gateway delivered but the core had not taken when the bot stops
// are applied before Run returns: a new session would not replay them.
func TestStopAppliesDeliveredEvents(t *testing.T) {
	release, busy := make(chan struct{}), make(chan struct{}, 5)
	var mu sync.Mutex
	var posted []string
	h := start(t, options{wrap: func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
			if p, ok := ev.(bot.MessagePosted); ok {
				busy <- struct{}{}
				<-release // the core is busy
				mu.Lock()
				posted = append(posted, p.Message.Text)
				mu.Unlock()
			}
			return next.Handle(ctx, ev)
		})
	}})
	for i := range 5 {
		h.srv.Post(alice, general, fmt.Sprint("message ", i), "")
	}
	// The first message keeps the core busy; the client answers op 1 after
	// reading every frame sent before it, so the other four are queued.
	select {
	case <-busy:
	case <-time.After(10 * time.Second):
		t.Fatal("the first message did not reach the core")
	}
	// A heartbeat carries the last sequence the client read: once one
	// carries the fifth message's, all five are queued (a timed heartbeat
	// may come before the one answering op 1, so the count alone is not enough).
	h.srv.RequestHeartbeat()
	h.srv.Await(t, "a heartbeat after the five messages were read", h.srv.HeardAll)
	h.stop()
	// Release the core only after discordgo's Close (it waits up to a second
	// for the close frame), so that what is still queued is left to the
	// drain. The assertion holds at any timing; the pause makes the test
	// catch a missing drain.
	time.Sleep(1500 * time.Millisecond)
	close(release)
	select {
	case err := <-h.runErr:
		h.runErr <- err // for the cleanup
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posted) != 5 {
		t.Fatalf("%d of 5 delivered messages applied before Run returned: %q", len(posted), posted)
	}
}

func TestResume(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cause func(*discordtest.Server)
	}{
		{"op 7", (*discordtest.Server).Reconnect},
		{"dropped socket", (*discordtest.Server).DropConnection},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, options{parallel: true})
			_, a := h.capture("How do I rotate the TLS certificate?", "Run certbot renew")
			tc.cause(h.srv)
			// Dispatched while the client is away: replayed on RESUME, applied once.
			q2 := h.srv.Post(alice, general, "How do I flush DNS?", "")
			a2 := h.srv.Post(nelly, general, "resolvectl flush-caches", q2)
			h.srv.React(carol, general, a2, "💡", false)
			h.srv.React(dave, general, a, "💡", false)
			h.srv.Await(t, "RESUME", func() bool { return h.srv.Resumes() == 1 && h.srv.Connected() })
			e2 := h.awaitEntry(general, a2)
			h.srv.Await(t, "the vote from the gap", func() bool { e, _ := h.entry(general, a); return e.Votes == 2 })
			if len(h.srv.Identifies()) != 1 {
				t.Errorf("%d IDENTIFYs, want 1 (a resume, not a new session)", len(h.srv.Identifies()))
			}
			if len(e2.Savers) != 1 || e2.Question != "How do I flush DNS?" {
				t.Errorf("entry from the gap %+v", e2)
			}
			// Still live afterwards.
			h.capture("How do I see open ports?", "ss -tlnp")
		})
	}
}

func TestZombieConnectionIsResumed(t *testing.T) {
	const interval = time.Second
	h := start(t, options{heartbeat: interval})
	h.srv.Await(t, "a heartbeat", func() bool { return h.srv.Heartbeats() > 0 })
	stopped := time.Now()
	h.srv.StopAcks()
	h.srv.Await(t, "the zombie closed", func() bool { return !h.srv.ZombieClosed().IsZero() })
	// The last ACK came at most one interval before StopAcks; the adapter
	// closes after 1.5 intervals without one (discordgo alone waits five).
	if d := h.srv.ZombieClosed().Sub(stopped); d > 2*interval {
		t.Errorf("zombie closed %v after ACKs stopped, want within two intervals (%v)", d, 2*interval)
	}
	h.srv.Await(t, "RESUME", func() bool { return h.srv.Resumes() == 1 && h.srv.Connected() })
	if !strings.Contains(h.logs.String(), "zombied") {
		t.Error("the adapter did not report the zombied connection")
	}
	h.capture("How do I rotate the TLS certificate?", "Run certbot renew")
}

func TestInvalidSessionReidentifies(t *testing.T) {
	h := start(t, options{})
	h.srv.InvalidSession()
	h.srv.Await(t, "a fresh IDENTIFY", func() bool { return len(h.srv.Identifies()) == 2 && h.srv.Connected() })
	h.capture("How do I rotate the TLS certificate?", "Run certbot renew")
}

func TestDisallowedIntentStops(t *testing.T) {
	h := start(t, options{noWait: true, server: func(srv *discordtest.Server) {
		srv.AppFlags = discordtest.FlagMessageContent // the portal says enabled...
		srv.AllowMessageContent = false               // ...the gateway disagrees: 4014
	}})
	select {
	case err := <-h.runErr:
		var fe *discord.FatalCloseError
		if !errors.As(err, &fe) || fe.Code != 4014 || !strings.Contains(err.Error(), "Message Content intent") {
			t.Fatalf("Run = %v, want a 4014 error naming the Message Content intent", err)
		}
		h.runErr <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop on 4014")
	}
	if n := len(h.srv.Identifies()); n != 1 {
		t.Errorf("%d IDENTIFYs: a 4014 must not be retried", n)
	}
}

func TestFatalCloseMidSessionStops(t *testing.T) {
	h := start(t, options{})
	h.srv.CloseNextIdentify(4004)
	h.srv.InvalidSession() // the client identifies again, and is refused
	select {
	case err := <-h.runErr:
		var fe *discord.FatalCloseError
		if !errors.As(err, &fe) || fe.Code != 4004 || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
			t.Fatalf("Run = %v, want a 4004 error naming DISCORD_TOKEN", err)
		}
		h.runErr <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop on 4004")
	}
}

func TestWrongTokenIsAClearError(t *testing.T) {
	h := start(t, options{noWait: true, token: "not-the-token"})
	select {
	case err := <-h.runErr:
		if err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
			t.Fatalf("Run = %v, want an error naming DISCORD_TOKEN", err)
		}
		h.runErr <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestWithoutMessageContentIntent(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true, server: func(srv *discordtest.Server) { srv.AppFlags = 0 }})
	if ids := h.srv.Identifies(); ids[0]&discordtest.IntentMessageContent != 0 {
		t.Errorf("identified with MESSAGE_CONTENT (%b) though the application lacks it", ids[0])
	}
	if !strings.Contains(h.logs.String(), "Message Content intent is not enabled") {
		t.Errorf("no start-up warning; logs:\n%s", h.logs.String())
	}
	// The context menu still saves: Discord sends the target's content.
	a := h.srv.Post(nelly, general, "Use the staging ACME directory first", "")
	h.srv.MessageCommand(dave, general, "Save to repertoire", a)
	if e := h.awaitEntry(general, a); e.Answer != "Use the staging ACME directory first" {
		t.Errorf("answer %q", e.Answer)
	}
}

func TestRateLimitedPostSentOnce(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	h.capture("How do I rotate the TLS certificate?", "Run certbot renew")
	h.srv.RateLimit("POST channels/{}/messages", 0.3)
	h.srv.Post(dave, general, "<@"+h.srv.Bot.ID+"> renew certificates", "")
	h.srv.Await(t, "the answer", func() bool { return len(h.sentContaining("certbot")) > 0 })
	limited := h.srv.RateLimited()
	got := h.sentContaining("certbot")
	if len(limited) != 1 || len(got) != 1 {
		t.Fatalf("%d 429s and %d answers, want 1 and exactly 1", len(limited), len(got))
	}
	if wait := got[0].At.Sub(limited[0]); wait < 300*time.Millisecond {
		t.Errorf("retried after %v, before retry_after (300ms)", wait)
	}
}

func TestLongPostSplitBetweenParts(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	parts := []string{"Here is what the repertoire has:", strings.Repeat("a", 1500), strings.Repeat("b", 1200), strings.Repeat("c", 700) + " @everyone"}
	if _, err := h.a.Post(context.Background(), bot.Outgoing{Channel: bot.ChannelRef{Platform: "discord", Space: h.srv.GuildID, ID: general},
		Doc: bot.Sentences(parts...)}); err != nil {
		t.Fatal(err)
	}
	sent := h.srv.Sent()
	if len(sent) != 2 { // header+a, then b+c
		t.Fatalf("%d messages, want 2", len(sent))
	}
	var all strings.Builder
	for _, s := range sent {
		if n := utf8.RuneCountInString(s.Content); n > 2000 {
			t.Errorf("message of %d characters", n)
		}
		all.WriteString(s.Content + "\n\n")
	}
	for _, p := range parts {
		whole := false
		for _, s := range sent {
			whole = whole || strings.Contains(s.Content, bot.Inert(p))
		}
		if strings.Contains(all.String(), "@everyone") {
			t.Errorf("a live @everyone was sent")
		}
		if !whole {
			t.Errorf("part of %d characters split across messages", len(p))
		}
	}
}

func TestMalformedDispatchesAreSurvived(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	for _, tc := range []struct{ t, d string }{
		{"MESSAGE_CREATE", `{"id":"1"}`},
		{"MESSAGE_CREATE", `"not an object"`},
		{"MESSAGE_REACTION_ADD", `{"emoji":null}`},
		{"MESSAGE_DELETE_BULK", `{"ids":"x"}`},
		{"INTERACTION_CREATE", `{"id":"1","token":"t","channel_id":"` + general + `","type":2,"data":{"name":"nope"}}`},
		{"GUILD_CREATE", `{"channels":7}`},
		{"READY", `[]`},
		{"SOMETHING_NEW", `{}`},
	} {
		h.srv.DispatchRaw(tc.t, json.RawMessage(tc.d))
	}
	h.capture("How do I rotate the TLS certificate?", "Run certbot renew")
	if !strings.Contains(h.logs.String(), "skipped a gateway dispatch") {
		t.Error("malformed dispatches were not logged")
	}
}

// TestCommandsRegistered runs alone: its cleanup also checks that a normal
// stop leaves no session goroutines behind.
func TestCommandsRegistered(t *testing.T) {
	h := start(t, options{})
	var cmds []struct {
		Name string `json:"name"`
		Type int    `json:"type"`
	}
	if err := json.Unmarshal(h.srv.Commands(), &cmds); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "ask,save,repertoire,Save to repertoire" {
		t.Errorf("commands %s", got)
	}
}
