package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/bot"
)

// TestThreadGetsNoDefaultDigest: on Discord a thread (every forum post is
// one) is a channel of its own, and its messages carry the thread's ID. An
// entry saved in a thread makes the thread a channel holding entries; the
// default weekly digest still goes to channels only, never into each
// thread. A schedule a member sets in the thread applies.
func TestThreadGetsNoDefaultDigest(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	h.capture("How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx #tls")
	id := h.srv.Post(nelly, thread, "Use the staging ACME directory first", "")
	h.srv.React(carol, thread, id, "💡", false)
	h.awaitEntry(thread, id)

	s := h.core.NewScheduler(bot.SchedulerConfig{Instance: t.Name()})
	if _, err := s.Tick(context.Background(), time.Now().Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	posted := func(channel string) []string {
		var out []string
		for _, m := range h.srv.Sent() {
			if m.Channel == channel {
				out = append(out, m.Content)
			}
		}
		return out
	}
	if got := posted(thread); len(got) != 0 {
		t.Errorf("the default digest was posted in the thread: %q", got)
	}
	if got := posted(general); len(got) == 0 {
		t.Error("no digest in #general")
	}

	answer := func(t *testing.T, setting string) string {
		t.Helper()
		var opts []discordtest.Option
		if setting != "" {
			opts = []discordtest.Option{{Name: "setting", Value: setting}}
		}
		it := h.srv.Command(dave, thread, "repertoire", discordtest.Option{Name: "digest", Sub: true, Options: opts})
		var text string
		h.srv.Await(t, "the digest command's answer", func() bool {
			for _, r := range h.srv.Responses() {
				if r.Interaction == it && r.Content != "" {
					text = r.Content
					return true
				}
			}
			return false
		})
		return text
	}
	t.Run("the thread's digest status says none comes", func(t *testing.T) {
		if got := answer(t, ""); !strings.Contains(got, "No digest comes to this thread unless you set one") {
			t.Errorf("status in the thread: %q", got)
		}
	})
	t.Run("a schedule set in the thread applies", func(t *testing.T) {
		// An hour ago, daily: the next fire time, a day on, covers the
		// entries saved now, whatever the time of day the test runs.
		at := time.Now().UTC().Add(-time.Hour).Format("15:04")
		if got := answer(t, "daily "+at+" UTC"); !strings.Contains(got, "daily at "+at) {
			t.Fatalf("setting a schedule: %q", got)
		}
		// A new scheduler (the first one's memory of periods handled runs
		// ahead: it ticked a week ahead).
		s := h.core.NewScheduler(bot.SchedulerConfig{Instance: t.Name()})
		if _, err := s.Tick(context.Background(), time.Now().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := posted(thread); len(got) == 0 {
			t.Error("no digest in the thread after a member set one there")
		}
	})
}

// TestArchivedThreadGetsNoDefaultDigest: a thread archived since its entry
// was saved is not in GUILD_CREATE after a restart; the adapter asks Discord
// what the channel is, once, and the default digest still passes it over.
func TestArchivedThreadGetsNoDefaultDigest(t *testing.T) {
	t.Parallel()
	const forumPost = "41771983423143991"
	h := start(t, options{parallel: true, server: func(srv *discordtest.Server) {
		srv.AddChannel(discordtest.Channel{ID: forumPost, Name: "renewals", Type: discordtest.TypePublicThread, Parent: general, Archived: true})
	}})
	id := h.srv.Post(nelly, forumPost, "Renew a week before expiry, not the day of", "")
	h.srv.React(carol, forumPost, id, "💡", false)
	h.awaitEntry(forumPost, id)
	h.restart()

	s := h.core.NewScheduler(bot.SchedulerConfig{Instance: t.Name()})
	fetches := h.srv.Fetches("GET channels/{}")
	for range 2 {
		if _, err := s.Tick(context.Background(), time.Now().Add(7*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range h.srv.Sent() {
		if m.Channel == forumPost {
			t.Errorf("the default digest was posted in the archived thread: %q", m.Content)
		}
	}
	if n := h.srv.Fetches("GET channels/{}") - fetches; n != 1 {
		t.Errorf("%d channel fetches over two ticks, want 1", n)
	}
}
