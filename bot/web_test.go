package bot_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

var tokenLink = regexp.MustCompile(`https://web\.example/signin\?token=([A-Za-z0-9_-]{20,})`)

// newWebBot is newBot with the web page on, its links under
// https://web.example/.
func newWebBot(t *testing.T) (*bot.Bot, *bot.Web, *chat, *sqlite.Store) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &chat{}
	b := bot.New(s, nil, bot.Config{WebURL: "https://web.example/"}, c)
	return b, b.Web(bot.WebOptions{}), c, s
}

// TestWebLinkIsGivenOnlyWherePrivate: a sign-in link signs anyone who reads
// it in, so the bot gives it in a DM or a command's private answer, never
// in a channel on a platform that cannot whisper.
func TestWebLinkIsGivenOnlyWherePrivate(t *testing.T) {
	ctx := context.Background()
	b, web, c, _ := newWebBot(t)
	ask := func(id string, via bot.Via, channel string) bot.Outgoing {
		t.Helper()
		m := c.add(channel, id, "", "ann", "@repertoire web", via != bot.ViaMention)
		if err := b.Handle(ctx, bot.Mentioned{ID: "ev" + id, Message: m, Text: "web", Via: via}); err != nil {
			t.Fatal(err)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.posts[len(c.posts)-1]
	}
	out := ask("1", bot.ViaMention, "general")
	if tokenLink.MatchString(out.Text()) || !strings.Contains(out.Text(), "direct message") {
		t.Errorf("a mention in a channel got %q", out.Text())
	}
	out = ask("2", bot.ViaCommand, "general")
	if !tokenLink.MatchString(out.Text()) || !out.Ephemeral || out.To.ID != "U-ann" {
		t.Errorf("a command got %+v", out)
	}
	out = ask("3", bot.ViaDM, "dm-ann")
	m := tokenLink.FindStringSubmatch(out.Text())
	if m == nil {
		t.Fatalf("a DM got %q", out.Text())
	}
	// The link signs ann in, once.
	session, v, err := web.SignIn(ctx, m[1])
	if err != nil || v.ID != "U-ann" || session == "" {
		t.Fatalf("sign in: %+v %v", v, err)
	}
	if _, _, err := web.SignIn(ctx, m[1]); !errors.Is(err, bot.ErrSignedOut) {
		t.Errorf("a second use: %v", err)
	}
	if got, err := web.Viewer(ctx, session); err != nil || got.ID != "U-ann" {
		t.Errorf("session: %+v %v", got, err)
	}
}

// TestWebWithoutMembershipShowsNoPrivateEntries: a platform that cannot say
// who is in a channel keeps that channel's entries off the web.
func TestWebWithoutMembershipShowsNoPrivateEntries(t *testing.T) {
	ctx := context.Background()
	b, c, s := newBot(t)
	for _, e := range []struct {
		channel string
		private bool
	}{{"general", false}, {"secret", true}} {
		q := c.add(e.channel, e.channel+"-q", "", "ann", "where are the "+e.channel+" notes?", e.private)
		c.add(e.channel, e.channel+"-a", q.Ref.ID, "ben", "the "+e.channel+" notes are in the wiki", e.private)
		if err := b.Handle(ctx, bot.ReactionAdded{ID: "r" + e.channel, Target: bot.MessageRef{Channel: q.Ref.Channel, ID: e.channel + "-a", Thread: q.Ref.ID},
			User: user("cat"), Emoji: bulb, Private: e.private}); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := s.Stats(ctx); st.Entries != 2 || st.Private != 1 {
		t.Fatalf("stats %+v", st)
	}
	web := b.Web(bot.WebOptions{})
	if _, _, err := web.Browse(ctx, bot.Viewer{}, bot.Browse{}); !errors.Is(err, bot.ErrSignedOut) {
		t.Errorf("signed out: %v", err)
	}
	v := bot.Viewer{Platform: "test", Space: "s", ID: "U-ben", Name: "ben"}
	entries, _, err := web.Browse(ctx, v, bot.Browse{})
	if err != nil || len(entries) != 1 || entries[0].Channel.ID != "general" {
		t.Errorf("ben, who wrote in #secret, on a platform that cannot tell: %d entries, %v", len(entries), err)
	}
	public := b.Web(bot.WebOptions{Public: true})
	entries, _, err = public.Browse(ctx, bot.Viewer{}, bot.Browse{})
	if err != nil || len(entries) != 1 || entries[0].Channel.ID != "general" {
		t.Errorf("the public page: %d entries, %v", len(entries), err)
	}
}

// TestScheduledDigestsAreArchivedAsPosted: the web page's digest archive
// holds each scheduled digest as posted, a private channel's as private
// (the scheduler's channel list carries no flag), and forgetting a member
// the digest names removes it.
func TestScheduledDigestsAreArchivedAsPosted(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	e.save(t, "general", "g1", "bob", "Public: the wiki has the runbooks @everyone", false, "ann")
	e.save(t, "secret", "s1", "carol", "Private: the staging password rotates on Fridays", true, "dan")
	s := e.bot.NewScheduler(bot.SchedulerConfig{Clock: e.clk})
	if _, err := s.Tick(context.Background(), monday.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	member := repertoire.Audience{Platform: "test", Spaces: []string{"s"}}
	ds, _, err := e.store.ArchivedDigests(ctx, member, 10, 0)
	if err != nil || len(ds) != 1 || ds[0].Channel.ID != "general" {
		t.Fatalf("a member outside #secret: %+v %v", ds, err)
	}
	posted := e.board.digests("general")[0].out.Text()
	if ds[0].Text != posted || strings.Contains(ds[0].Text, "@everyone") {
		t.Errorf("archived\n%s\nposted\n%s", ds[0].Text, posted)
	}
	insider := repertoire.Audience{Platform: "test", Spaces: []string{"s"}, Channels: []repertoire.Channel{{Space: "s", ID: "secret"}}}
	if ds, _, err := e.store.ArchivedDigests(ctx, insider, 10, 0); err != nil || len(ds) != 2 {
		t.Errorf("a member of #secret: %d digests, %v", len(ds), err)
	}
	if _, err := e.store.ForgetUser(ctx, "test", "U-carol"); err != nil {
		t.Fatal(err)
	}
	if ds, _, err := e.store.ArchivedDigests(ctx, insider, 10, 0); err != nil || len(ds) != 1 || ds[0].Channel.ID != "general" {
		t.Errorf("after carol is forgotten: %+v %v", ds, err)
	}
}
