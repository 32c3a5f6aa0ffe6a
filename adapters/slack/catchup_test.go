package slack_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/slack"
	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// readEvery is the history pacing the catch-up test sets: short, so the
// test is fast, and long enough to see in the call times.
const readEvery = 20 * time.Millisecond

// process is one run of the bot as production wires it over Socket Mode:
// the durable inbox, the core, and catch-up started on start.
type process struct {
	t       *testing.T
	store   *sqlite.Store
	a       *slack.Adapter
	inbox   *bot.Inbox
	catchup *bot.CatchUp
	stop    func()
}

func startProcess(t *testing.T, fake *slacktest.Server, db string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	p := &process{t: t, store: store}
	var core *bot.Bot
	p.inbox = bot.NewInbox(store, bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error { return core.Handle(ctx, ev) }), log, bot.InboxOptions{})
	a, err := slack.New(ctx, slack.Options{BotToken: fake.BotToken, AppToken: fake.AppToken, APIURL: fake.URL,
		PostInterval: 10 * time.Millisecond, ReadInterval: readEvery, PingInterval: time.Second, Inbox: p.inbox}, log)
	if err != nil {
		t.Fatal(err)
	}
	p.a = a
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
	p.catchup.Trigger(ctx, a)
	return p
}

func (p *process) entry(fake *slacktest.Server, channel, ts string) (repertoire.Entry, bool) {
	e, err := p.store.EntryBySource(context.Background(), repertoire.Source{Platform: "slack", Space: fake.Team, Channel: channel, Message: ts})
	if errors.Is(err, repertoire.ErrNotFound) {
		return repertoire.Entry{}, false
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return e, true
}

// await polls cond every 10 ms (the state is the bot's database) for 10 s.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCatchUpAfterDowntime stops the bot, lets members react, edit and
// delete in threads and channels while it is down (Slack gives up retrying
// such events), restarts it, and checks that catch-up finds it all through
// conversations.history and conversations.replies, read in pages of three,
// paced by ReadInterval and through a 429; that a message older than the
// window is not touched; that a private channel's capture stays private;
// and that a second pass changes nothing.
func TestCatchUpAfterDowntime(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	fake.AddChannel("G1", true)
	fake.MaxPage = 3
	db := filepath.Join(t.TempDir(), "repertoire.db")
	ctx := context.Background()
	ch := repertoire.Channel{Platform: "slack", Space: fake.Team, ID: "C1"}
	old := fake.SayAt("C1", "U2", "Old tip: flush the DNS cache", "", time.Now().Add(-30*time.Hour))

	p := startProcess(t, fake, db)
	if err := fake.WaitConnected(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.store.LogMessage(ctx, "", repertoire.LoggedMessage{Channel: ch, ID: old, Author: repertoire.Person{ID: "U2"},
		Text: "Old tip: flush the DNS cache", At: time.Now().Add(-30 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.store.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: old, Kind: repertoire.Tip,
		Answer: "Old tip: flush the DNS cache", Author: repertoire.Person{ID: "U2"}, Saver: repertoire.Person{ID: "U3"}}); err != nil {
		t.Fatal(err)
	}
	say := func(channel, user, text, thread string) string {
		ts, ev := fake.Say(channel, user, text, thread)
		fake.Event(ev)
		return ts
	}
	q1 := say("C1", "U1", "How do I rotate the TLS certificate?", "")
	a1 := say("C1", "U2", "Run certbot renew, then reload nginx", q1)
	a2 := say("C1", "U5", "And restart the ingress pods after", q1)
	b1 := say("C1", "U2", "The backups are in the cold bucket", "")
	b2 := say("C1", "U4", "Pin the driver to 1.4 until the fix lands", "")
	for i := range 6 { // chatter, so history takes several pages
		say("C1", "U6", "standup note "+strconv.Itoa(i), "")
	}
	c1 := say("G1", "U1", "Payroll runs on the 25th; the export is in the HR drive", "")
	fake.Event(fake.React("C1", a2, "U3", "bulb"))
	fake.Event(fake.React("C1", b1, "U3", "bulb"))
	await(t, "two live captures", func() bool {
		_, ok2 := p.entry(fake, "C1", a2)
		_, ok3 := p.entry(fake, "C1", b1)
		return ok2 && ok3
	})
	await(t, "messages logged", func() bool {
		_, err := p.store.LoggedMessageBySource(ctx, repertoire.Source{Platform: "slack", Space: fake.Team, Channel: "G1", Message: c1})
		return err == nil
	})
	p.catchup.Wait()
	p.stop()

	// While it is down: the events are made and never delivered.
	fake.React("C1", a1, "U3", "bulb")                                            // a capture in a thread
	fake.React("C1", a1, "U4", "bulb")                                            // and a vote
	fake.Edit("C1", a2, "And restart the ingress pods after, one zone at a time") // an edit of a saved reply
	fake.Delete("C1", b1)                                                         // a saved message deleted
	fake.React("C1", b2, "U3", "bulb")                                            // a capture …
	fake.Unreact("C1", b2, "U3", "bulb")                                          // … taken back
	fake.React("G1", c1, "U3", "bulb")                                            // a capture in a private channel
	fake.React("C1", old, "U4", "bulb")                                           // outside the window
	fake.Edit("C1", old, "Old tip, rewritten")                                    // outside the window
	late := fake.SayAt("C1", "U1", "Use the staging token for the smoke test", "", time.Now())
	fake.React("C1", late, "U4", "bulb") // posted while down, and saved
	historyBefore := len(fake.Calls("conversations.history"))
	fake.RateLimit("conversations.history", 1, 1, false)

	p = startProcess(t, fake, db)
	await(t, "catch-up found the captures, the edit and the delete", func() bool {
		e1, ok1 := p.entry(fake, "C1", a1)
		e2, ok2 := p.entry(fake, "C1", a2)
		_, okB := p.entry(fake, "C1", b1)
		_, okC := p.entry(fake, "G1", c1)
		_, okL := p.entry(fake, "C1", late)
		return ok1 && e1.Votes == 2 && ok2 && e2.Answer == "And restart the ingress pods after, one zone at a time" && !okB && okC && okL
	})
	p.catchup.Wait()
	e1, _ := p.entry(fake, "C1", a1)
	if e1.Question != "How do I rotate the TLS certificate?" || e1.Author.ID != "U2" {
		t.Errorf("caught-up capture: question %q, author %q", e1.Question, e1.Author.ID)
	}
	if _, ok := p.entry(fake, "C1", b2); ok {
		t.Error("a capture taken back while the bot was down was saved")
	}
	eo, _ := p.entry(fake, "C1", old)
	if eo.Answer != "Old tip: flush the DNS cache" || eo.Votes != 1 {
		t.Errorf("a message outside the window was touched: answer %q, votes %d", eo.Answer, eo.Votes)
	}
	ec, _ := p.entry(fake, "G1", c1)
	if !ec.Channel.Private {
		t.Error("an entry caught up in a private channel is not private")
	}
	hits, err := p.store.Search(ctx, repertoire.SearchParams{Text: "payroll export", From: ch})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.SourceID == c1 {
			t.Error("the private channel's entry is visible from a public channel")
		}
	}

	// History was read in pages, paced, and through the 429.
	times := fake.CallTimes("conversations.history")[historyBefore:]
	replies := fake.CallTimes("conversations.replies")
	if len(times) < 5 {
		t.Errorf("conversations.history called %d times after the restart, want 4 pages of three and the one answered 429", len(times))
	}
	minGap := time.Hour
	for i := 1; i < len(times); i++ {
		minGap = min(minGap, times[i].Sub(times[i-1]))
	}
	// The pacer books one slot per interval: a read that woke late (a loaded
	// machine) leaves the next one less than an interval after it, so the
	// check is on the rate, allowing one late wake-up.
	if len(times) > 1 {
		if span, want := times[len(times)-1].Sub(times[0]), time.Duration(len(times)-2)*readEvery; span < want {
			t.Errorf("%d history reads within %v, want them paced %v apart (at least %v in all)", len(times), span, readEvery, want)
		}
	}
	t.Logf("after the restart: %d conversations.history and %d conversations.replies calls in all, closest history reads %v apart",
		len(times), len(replies), minGap)

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
