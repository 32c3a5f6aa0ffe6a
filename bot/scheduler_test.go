package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// fakeClock is a clock the test moves by hand. After registers a waiter and
// reports its deadline on waits, so a test knows the scheduler is idle and
// until when.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	waits   chan time.Time
}

type fakeWaiter struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waits: make(chan time.Time, 1024)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := fakeWaiter{at: c.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		w.c <- c.now
	} else {
		c.waiters = append(c.waiters, w)
	}
	c.waits <- w.at
	return w.c
}

// set moves the clock to t and wakes the waiters due by then.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.c <- t
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// nextWait waits (with a deadline) until the scheduler sleeps, and returns until when.
func (c *fakeClock) nextWait(t *testing.T) time.Time {
	t.Helper()
	select {
	case at := <-c.waits:
		return at
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler did not go back to sleep")
		return time.Time{}
	}
}

// runUntil lets the scheduler sleep and wake, wait after wait, until its
// next wake-up would be after end; it then sleeps, idle, with the clock at
// the last wake-up.
func (c *fakeClock) runUntil(t *testing.T, end time.Time) {
	t.Helper()
	for {
		at := c.nextWait(t)
		if at.After(end) {
			return
		}
		c.set(at)
	}
}

// board is the test platform for digests: an in-process chat that holds
// messages (for capture) and records every post with the clock's time.
type board struct {
	*chat
	clk    *fakeClock
	mu     sync.Mutex
	posted []post
	onPost func(ctx context.Context, out bot.Outgoing) error
}

type post struct {
	at  time.Time
	out bot.Outgoing
}

func (b *board) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	if b.onPost != nil {
		if err := b.onPost(ctx, out); err != nil {
			return bot.MessageRef{}, err
		}
	}
	b.mu.Lock()
	b.posted = append(b.posted, post{b.clk.Now(), out})
	b.mu.Unlock()
	return b.chat.Post(ctx, out)
}

// digests returns the posts to channel that are digests (not command replies).
func (b *board) digests(channel string) []post {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []post
	for _, p := range b.posted {
		if p.out.Channel.ID == channel && p.out.Thread == "" && len(p.out.Doc.Parts()) > 0 &&
			strings.HasPrefix(p.out.Doc.Parts()[0], "📚") {
			out = append(out, p)
		}
	}
	return out
}

type digestEnv struct {
	bot   *bot.Bot
	store *sqlite.Store
	board *board
	clk   *fakeClock
	db    string
}

func openStore(t *testing.T, db string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newDigestEnv is a bot on a fresh SQLite file with the default schedule
// (spec in zone), a board and a fake clock at start.
func newDigestEnv(t *testing.T, spec string, zone *time.Location, start time.Time) *digestEnv {
	t.Helper()
	db := filepath.Join(t.TempDir(), "digest.db")
	clk := newFakeClock(start)
	return newDigestEnvOn(t, db, spec, zone, clk, &board{chat: &chat{}, clk: clk})
}

// newDigestEnvOn is another process on the same database and board.
func newDigestEnvOn(t *testing.T, db, spec string, zone *time.Location, clk *fakeClock, brd *board) *digestEnv {
	t.Helper()
	sched, err := bot.NewSchedule(spec, zone)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, db)
	b := bot.New(s, nil, bot.Config{Now: clk.Now, Digest: bot.DigestConfig{Schedule: sched}}, brd)
	return &digestEnv{bot: b, store: s, board: brd, clk: clk, db: db}
}

// save captures a message by reaction at the clock's current time.
func (e *digestEnv) save(t *testing.T, channel, id, author, text string, private bool, savers ...string) {
	t.Helper()
	e.board.chat.add(channel, id, "", author, text, private)
	for i, s := range savers {
		err := e.bot.Handle(context.Background(), bot.ReactionAdded{ID: fmt.Sprintf("r-%s-%s-%d", channel, id, i),
			Target: bot.MessageRef{Channel: bot.ChannelRef{Platform: "test", Space: "s", ID: channel}, ID: id},
			User:   user(s), Emoji: bulb, Private: private})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// mention sends "@repertoire <text>" in channel and returns the bot's reply.
func (e *digestEnv) mention(t *testing.T, channel, id, text string) string {
	t.Helper()
	m := e.board.chat.add(channel, id, "", "ann", "@repertoire "+text, false)
	before := len(e.board.chat.posts)
	if err := e.bot.Handle(context.Background(), bot.Mentioned{ID: "m-" + id, Message: m, Text: text}); err != nil {
		t.Fatal(err)
	}
	if len(e.board.chat.posts) == before {
		t.Fatalf("no reply to %q", text)
	}
	return e.board.chat.posts[len(e.board.chat.posts)-1].Text()
}

// runScheduler starts a scheduler on env's clock; stop cancels it and waits.
func runScheduler(t *testing.T, e *digestEnv, poll time.Duration) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk, Poll: poll, Instance: t.Name()})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	}
}

// Monday 16 Nov 2026 09:00 in Berlin (CET) is 08:00 UTC.
var monday = time.Date(2026, 11, 16, 9, 0, 0, 0, berlin)

// A week of saves, then the weekly schedule: the digest fires once at
// Monday 09:00 with the entries best first, credits and links; a restart at
// 09:00:30 and repeated ticks post nothing more.
func TestDigestWeekFiresOnceAndRestartPostsNothing(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	// Entries saved over the week: Monday 10:00 to Sunday 10:00.
	for i, tc := range []struct {
		author, text string
		savers       []string
	}{
		{"bob", "Rotate the TLS cert with certbot renew, then reload nginx #tls", []string{"carol"}},
		{"carol", "go test hangs in CI because it reads stdin: use </dev/null #ci", []string{"bob", "dan", "erin"}},
		{"dan", "Roll back with kubectl rollout undo #k8s", []string{"ann", "bob"}},
		{"erin", "Vacuum the database after the migration #db", []string{"ann"}},
	} {
		e.clk.set(monday.Add(time.Hour + time.Duration(i*2)*24*time.Hour))
		e.save(t, "ops", fmt.Sprint("m", i), tc.author, tc.text, false, tc.savers...)
	}
	e.clk.set(time.Date(2026, 11, 22, 22, 0, 0, 0, berlin)) // Sunday night
	stop := runScheduler(t, e, time.Hour)
	e.clk.runUntil(t, monday.AddDate(0, 0, 7).Add(30*time.Minute))
	stop()

	got := e.board.digests("ops")
	if len(got) != 1 {
		t.Fatalf("want one digest, got %d", len(got))
	}
	if want := monday.AddDate(0, 0, 7); !got[0].at.Equal(want) {
		t.Errorf("posted at %v, want %v", got[0].at, want)
	}
	text := got[0].out.Text()
	// Best first: carol's (4 endorsements), dan's (3), then bob's and erin's (2) by age.
	order := []string{"go test hangs", "Roll back", "Rotate the TLS", "Vacuum"}
	last := -1
	for _, s := range order {
		i := strings.Index(text, s)
		if i < 0 || i < last {
			t.Fatalf("entries not in order %q:\n%s", order, text)
		}
		last = i
	}
	for _, s := range []string{"tip by carol, saved by bob · 3 votes", "saved by bob", "https://chat.example/ops/m1", "tip by bob, saved by carol",
		"Thanks to everyone who shared and saved", "4 new entries"} {
		if !strings.Contains(text, s) {
			t.Errorf("digest lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "<@") || strings.Contains(text, "@ann") {
		t.Errorf("digest pings someone:\n%s", text)
	}

	// A restart at 09:00:30: a new process on the same database ticks at start.
	e2 := newDigestEnvOn(t, e.db, "0 9 * * MON", berlin, e.clk, e.board)
	s2 := e2.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk, Instance: "restarted"})
	for _, at := range []time.Time{monday.AddDate(0, 0, 7).Add(30 * time.Second), monday.AddDate(0, 0, 7).Add(31 * time.Second)} {
		if _, err := s2.Tick(context.Background(), at); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.board.digests("ops")); n != 1 {
		t.Errorf("after a restart at 09:00:30: %d digests", n)
	}
	recs, err := e.store.Digests(context.Background(), repertoire.Channel{Platform: "test", Space: "s", ID: "ops"}, 5)
	// The newest record is the week's, sent; the one before is the quiet
	// week before the first save, recorded as skipped when the bot started.
	if err != nil || len(recs) != 2 || recs[0].Status != repertoire.DigestSent || recs[0].Entries != 4 || recs[0].MessageID == "" ||
		recs[1].Status != repertoire.DigestSkipped {
		t.Errorf("digest records %+v %v", recs, err)
	}
}

// A bot down from Sunday until Monday 11:00 posts the missed digest once,
// at start.
func TestDigestCatchUpAfterDowntime(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(2*time.Hour))
	e.save(t, "ops", "m1", "bob", "Rotate the TLS cert with certbot #tls", false, "carol")
	e.clk.set(monday.Add(3 * 24 * time.Hour))
	e.save(t, "ops", "m2", "dan", "Roll back with kubectl rollout undo", false, "ann")

	// Up until Sunday 18:00, then down.
	e.clk.set(monday.Add(6*24*time.Hour + 9*time.Hour))
	stop := runScheduler(t, e, time.Hour)
	e.clk.nextWait(t)
	stop()
	if n := len(e.board.digests("ops")); n != 0 {
		t.Fatalf("%d digests before Monday", n)
	}

	// Back on Monday at 11:00.
	back := monday.AddDate(0, 0, 7).Add(2 * time.Hour)
	e.clk.set(back)
	e2 := newDigestEnvOn(t, e.db, "0 9 * * MON", berlin, e.clk, e.board)
	stop = runScheduler(t, e2, time.Hour)
	e.clk.runUntil(t, back.Add(3*time.Hour))
	stop()
	got := e.board.digests("ops")
	if len(got) != 1 {
		t.Fatalf("want the missed digest once, got %d", len(got))
	}
	if !got[0].at.Equal(back) || !strings.Contains(got[0].out.Text(), "Roll back") || !strings.Contains(got[0].out.Text(), "Rotate") {
		t.Errorf("digest at %v:\n%s", got[0].at, got[0].out.Text())
	}
}

// A first start mid-week catches up nothing: the quiet period before it is
// recorded as skipped, not posted late.
func TestDigestLateQuietPeriodIsNotPosted(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(2*24*time.Hour))
	e.save(t, "ops", "m1", "bob", "Rotate the TLS cert with certbot", false, "carol")
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	if _, err := s.Tick(context.Background(), e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.board.digests("ops")); n != 0 {
		t.Errorf("a late digest of a quiet week was posted")
	}
	// The next Monday it fires with the entry.
	if _, err := s.Tick(context.Background(), monday.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	if got := e.board.digests("ops"); len(got) != 1 || !strings.Contains(got[0].out.Text(), "Rotate") {
		t.Errorf("Monday digest: %v", got)
	}
}

// Across the spring and autumn changes of Europe/Berlin, a daily digest at
// 02:30 (inside the changing hour) and a weekly one on Monday 09:00 are
// each posted once per period: none skipped, none doubled.
func TestDigestAcrossDaylightSaving(t *testing.T) {
	for _, tc := range []struct {
		name       string
		from, to   time.Time
		daily      []string // expected post times of the 02:30 digest, local
		weeklyPost string   // expected post time of the Monday digest
	}{
		{"spring", time.Date(2026, 3, 27, 12, 0, 0, 0, berlin), time.Date(2026, 3, 30, 12, 0, 0, 0, berlin),
			[]string{"03-28 02:30 CET", "03-29 03:30 CEST", "03-30 02:30 CEST"}, "03-30 09:00 CEST"},
		{"autumn", time.Date(2026, 10, 23, 12, 0, 0, 0, berlin), time.Date(2026, 10, 26, 12, 0, 0, 0, berlin),
			[]string{"10-24 02:30 CEST", "10-25 02:30 CET", "10-26 02:30 CET"}, "10-26 09:00 CET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newDigestEnv(t, "0 9 * * MON", berlin, tc.from)
			e.save(t, "weekly", "w1", "bob", "A tip for the weekly channel", false, "ann")
			e.save(t, "nightly", "n1", "bob", "A tip for the nightly channel", false, "ann")
			if reply := e.mention(t, "nightly", "cmd", "digest daily 02:30 Europe/Berlin"); !strings.Contains(reply, "daily at 02:30 Europe/Berlin") {
				t.Fatalf("schedule not set: %q", reply)
			}
			// Poll every 10 minutes: ticks land all through both passes of
			// the repeated autumn hour, and at each computed fire time.
			stop := runScheduler(t, e, 10*time.Minute)
			e.clk.runUntil(t, tc.to)
			stop()
			var daily []string
			for _, p := range e.board.digests("nightly") {
				daily = append(daily, p.at.In(berlin).Format("01-02 15:04 MST"))
			}
			if strings.Join(daily, ", ") != strings.Join(tc.daily, ", ") {
				t.Errorf("daily digests at %v, want %v", daily, tc.daily)
			}
			var weekly []string
			for _, p := range e.board.digests("weekly") {
				weekly = append(weekly, p.at.In(berlin).Format("01-02 15:04 MST"))
			}
			if len(weekly) != 1 || weekly[0] != tc.weeklyPost {
				t.Errorf("weekly digests at %v, want [%s]", weekly, tc.weeklyPost)
			}
		})
	}
}

// Two processes on one database tick at the same instant: each channel's
// digest is posted once.
func TestTwoSchedulersPostOnce(t *testing.T) {
	e1 := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	channels := []string{"a", "b", "c", "d", "e", "f"}
	for _, ch := range channels {
		e1.save(t, ch, "m1", "bob", "The staging worker in "+ch+" restarts nightly; its logs are under /var/log/worker", false, "ann")
	}
	e2 := newDigestEnvOn(t, e1.db, "0 9 * * MON", berlin, e1.clk, e1.board)
	fire := monday.AddDate(0, 0, 7)
	for round := range 3 {
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i, e := range []*digestEnv{e1, e2} {
			s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk, Instance: fmt.Sprint("p", i)})
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				if _, err := s.Tick(context.Background(), fire.Add(time.Duration(round)*time.Second)); err != nil {
					t.Error(err)
				}
			}()
		}
		close(gate)
		wg.Wait()
	}
	for _, ch := range channels {
		if n := len(e1.board.digests(ch)); n != 1 {
			t.Errorf("channel %s: %d digests", ch, n)
		}
	}
}

// Entries from a private channel appear only in that channel's digest, and
// crowd pings inside entries come out inert.
func TestDigestPrivacyAndInertMentions(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	e.save(t, "general", "g1", "bob", "Public: the wiki has the runbooks @everyone <!channel> @here", false, "ann")
	e.save(t, "secret", "s1", "carol", "Private: the staging password rotates on Fridays", true, "dan")
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	if _, err := s.Tick(context.Background(), monday.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	general, secret := e.board.digests("general"), e.board.digests("secret")
	if len(general) != 1 || len(secret) != 1 {
		t.Fatalf("digests: general %d, secret %d", len(general), len(secret))
	}
	g, sec := general[0].out.Text(), secret[0].out.Text()
	if strings.Contains(g, "staging password") || strings.Contains(g, "carol") || strings.Contains(g, "dan") {
		t.Errorf("private entry leaked into #general's digest:\n%s", g)
	}
	if !strings.Contains(sec, "staging password") || strings.Contains(sec, "wiki") {
		t.Errorf("#secret's digest:\n%s", sec)
	}
	for _, ping := range []string{"@everyone", "<!channel>", "@here"} {
		if strings.Contains(g, ping) {
			t.Errorf("digest carries a live %s:\n%s", ping, g)
		}
	}
	if !strings.Contains(g, "the wiki has the runbooks") {
		t.Errorf("entry text missing:\n%s", g)
	}
}

// A digest whose post panics is recorded as a failed attempt and posted on
// the next tick: the panic neither kills the scheduler nor skips the
// channel forever.
func TestDigestPanicIsRecoveredAndRetried(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	e.save(t, "ops", "m1", "bob", "Rotate the TLS cert with certbot", false, "carol")
	e.save(t, "dev", "m1", "bob", "Use go vet before pushing", false, "carol")
	var panics int
	e.board.onPost = func(ctx context.Context, out bot.Outgoing) error {
		if out.Channel.ID == "ops" && panics == 0 {
			panics++
			panic("adapter bug")
		}
		return nil
	}
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	fire := monday.AddDate(0, 0, 7)
	if _, err := s.Tick(context.Background(), fire); err == nil || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("tick after a panic: %v", err)
	}
	if len(e.board.digests("dev")) != 1 {
		t.Errorf("a panic in one channel stopped another's digest")
	}
	if _, err := s.Tick(context.Background(), fire.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if len(e.board.digests("ops")) != 1 || len(e.board.digests("dev")) != 1 {
		t.Errorf("after retry: ops %d, dev %d", len(e.board.digests("ops")), len(e.board.digests("dev")))
	}
}

// A digest that always fails is given up after MaxDigestAttempts.
func TestDigestFailingPostIsRetriedBoundedly(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	e.save(t, "ops", "m1", "bob", "Rotate the TLS cert with certbot", false, "carol")
	attempts := 0
	e.board.onPost = func(ctx context.Context, out bot.Outgoing) error {
		attempts++
		return fmt.Errorf("platform down")
	}
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	fire := monday.AddDate(0, 0, 7)
	for i := range 6 {
		s.Tick(context.Background(), fire.Add(time.Duration(i)*time.Minute))
	}
	if attempts != repertoire.MaxDigestAttempts {
		t.Errorf("%d attempts, want %d", attempts, repertoire.MaxDigestAttempts)
	}
}

// Shutdown waits for a digest being posted: Run returns after the post,
// which was not cancelled.
func TestSchedulerShutdownWaitsForPost(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	e.save(t, "ops", "m1", "bob", "Rotate the TLS cert with certbot", false, "carol")
	e.clk.set(monday.AddDate(0, 0, 7))
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	var events []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	e.board.onPost = func(pctx context.Context, out bot.Outgoing) error {
		cancel() // shutdown starts while the digest is being posted
		select {
		case <-runDone:
			note("run returned during the post")
		case <-time.After(100 * time.Millisecond): // Run must not return meanwhile
		}
		if pctx.Err() != nil {
			note("post cancelled")
		}
		note("posted")
		return nil
	}
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	go func() {
		s.Run(ctx)
		note("run returned")
		close(runDone)
	}()
	select {
	case <-runDone:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(events, ", ") != "posted, run returned" {
		t.Errorf("events: %v", events)
	}
	recs, err := e.store.Digests(context.Background(), repertoire.Channel{Platform: "test", Space: "s", ID: "ops"}, 1)
	if err != nil || len(recs) != 1 || recs[0].Status != repertoire.DigestSent {
		t.Errorf("record after shutdown: %+v %v", recs, err)
	}
}

func TestDigestChatCommands(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", time.UTC, monday.Add(time.Hour))
	e.save(t, "ops", "m1", "bob", "Rotate the TLS cert with certbot #tls", false, "carol")
	for i, tc := range []struct{ cmd, want string }{
		{"digest status", "weekly on Monday at 09:00 UTC (the default)"},
		{"digest weekly mon 09:00 Europe/Berlin", "weekly on Monday at 09:00 Europe/Berlin. The next one: Mon 23 Nov 09:00 CET"},
		{"digest daily 17:30", "daily at 17:30 Europe/Berlin"}, // keeps the channel's zone
		{"digest daily 17:30 Mars/Olympus", "not a time zone; use an IANA name such as Europe/Berlin"},
		{"digest weekly someday 09:00", "not a day; use mon, tue"},
		{"digest daily 25:00", "HH:MM on a 24-hour clock"},
		{"digest cron * * * * *", "at least an hour between runs"},
		{"digest status", "daily at 17:30 Europe/Berlin. Next: Mon 16 Nov 17:30 CET. Quiet periods get a short note."},
		{"digest quiet skip", "Quiet periods get no digest"},
		{"digest fortnightly", "I don't know `digest fortnightly`"},
	} {
		if got := e.mention(t, "ops", fmt.Sprint("c", i), tc.cmd); !strings.Contains(got, tc.want) {
			t.Errorf("%q answered %q, want it to say %q", tc.cmd, got, tc.want)
		}
	}
	// A refused setting changed nothing.
	d, err := e.store.GetDigestSchedule(context.Background(), repertoire.Channel{Platform: "test", Space: "s", ID: "ops"})
	if err != nil || d.Spec != "30 17 * * *" || d.Zone != "Europe/Berlin" || d.Quiet != repertoire.QuietSkip || !d.Enabled {
		t.Errorf("stored %+v %v", d, err)
	}

	// digest now posts the period so far to the channel, inert.
	e.save(t, "ops", "m2", "dan", "Ping @everyone before a deploy? No: post in #deploys", false, "ann")
	e.mention(t, "ops", "now", "digest now")
	now := e.board.digests("ops")
	if len(now) != 1 || !strings.Contains(now[0].out.Text(), "post in #deploys") || strings.Contains(now[0].out.Text(), "@everyone") {
		t.Fatalf("digest now: %+v", now)
	}

	// off: the scheduler posts nothing for the channel, status says so.
	if got := e.mention(t, "ops", "off", "digest off"); !strings.Contains(got, "off") {
		t.Errorf("off: %q", got)
	}
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	if _, err := s.Tick(context.Background(), monday.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	if n := len(e.board.digests("ops")); n != 1 {
		t.Errorf("digest posted while off: %d", n)
	}
	if got := e.mention(t, "ops", "st2", "digest status"); !strings.Contains(got, "off for this channel") {
		t.Errorf("status when off: %q", got)
	}
	if got := e.mention(t, "ops", "help", "help"); !strings.Contains(got, "digest weekly mon 09:00") {
		t.Errorf("help lacks digests: %q", got)
	}
}

// Quiet periods: a short note by default, nothing with "quiet skip".
func TestDigestQuietPeriod(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(-6*24*time.Hour))
	e.save(t, "ops", "m1", "bob", "An old tip", false, "carol")
	e.save(t, "dev", "m1", "bob", "Another old tip", false, "carol")
	e.mention(t, "dev", "q", "digest quiet skip")
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	for _, at := range []time.Time{monday, monday.AddDate(0, 0, 7)} {
		if _, err := s.Tick(context.Background(), at); err != nil {
			t.Fatal(err)
		}
	}
	ops := e.board.digests("ops")
	if len(ops) != 2 || !strings.Contains(ops[1].out.Text(), "A quiet period in #ops") || len(ops[1].out.Doc.Parts()) != 1 {
		t.Errorf("ops digests: %+v", ops)
	}
	if dev := e.board.digests("dev"); len(dev) != 1 {
		t.Errorf("dev (quiet skip) got %d digests, want only the first, non-quiet one", len(dev))
	}
}

// Direct reports the board's DMs ("dm-…"), as adapters do.
func (b *board) Direct(ch bot.ChannelRef) bool { return strings.HasPrefix(ch.ID, "dm-") }

// DMs get no digest on the default schedule; a schedule set in one applies.
func TestDigestSkipsDirectMessagesByDefault(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	e.save(t, "general", "g1", "bob", "The wiki has the runbooks", false, "ann")
	e.save(t, "dm-ann", "d1", "ann", "Note to self: rotate the cert", true, "ann")
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	if _, err := s.Tick(context.Background(), monday.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	if g, d := len(e.board.digests("general")), len(e.board.digests("dm-ann")); g != 1 || d != 0 {
		t.Fatalf("digests: general %d, DM %d; want 1 and 0", g, d)
	}
	e.mention(t, "dm-ann", "cmd1", "digest weekly mon 09:00 Europe/Berlin")
	e.save(t, "dm-ann", "d2", "ann", "Another note to self", true, "ann")
	if _, err := s.Tick(context.Background(), monday.AddDate(0, 0, 14)); err != nil {
		t.Fatal(err)
	}
	if d := len(e.board.digests("dm-ann")); d != 1 {
		t.Fatalf("a schedule set in the DM gave %d digests, want 1", d)
	}
}
