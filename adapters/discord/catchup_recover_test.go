package discord_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
)

// TestCatchUpAnswersMentionsMadeWhileDown: Discord replays nothing to a new
// session, so a member who mentioned the bot while it was down would wait
// for ever. Catch-up finds the mention in Get Channel Messages and the bot
// answers it once, replying to it and saying it is late; a mention older
// than the mention window is left alone, and a restart answers nothing
// twice.
func TestCatchUpAnswersMentionsMadeWhileDown(t *testing.T) {
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

	p := startProcess(t, srv, db, logs, true)
	q1 := srv.Post(alice, general, "How do I rotate the TLS certificate?", "")
	a1 := srv.Post(nelly, general, "Run certbot renew, then reload nginx", q1)
	srv.React(carol, general, a1, "💡", false)
	srv.Await(t, "the live capture", func() bool { _, ok := p.entry(srv, general, a1); return ok })
	p.catchup.Wait()
	p.stop()

	// While it is down.
	asked := srv.PostAt(dave, general, "<@"+srv.Bot.ID+"> how do I rotate the TLS certificate?", time.Now().Add(-3*time.Hour))
	stale := srv.PostAt(dave, general, "<@"+srv.Bot.ID+"> how do I rotate the TLS certificate?", time.Now().Add(-20*time.Hour))
	answers := func(id string) []string {
		var out []string
		for _, s := range srv.Sent() {
			if s.ReplyTo == id {
				out = append(out, s.Content)
			}
		}
		return out
	}

	p = startProcess(t, srv, db, logs, false)
	if _, err := p.catchup.Run(context.Background(), p.a); err != nil {
		t.Fatal(err)
	}
	srv.Await(t, "the late answer", func() bool { return len(answers(asked)) > 0 })
	got := answers(asked)
	if len(got) != 1 || !strings.Contains(got[0], "certbot renew") || !strings.Contains(got[0], "offline when you asked, 3 hours ago") {
		t.Errorf("answers to the mention made while down: %q", got)
	}
	if n := len(answers(stale)); n != 0 {
		t.Errorf("a mention older than the mention window got %d answers", n)
	}
	p.stop()
	p = startProcess(t, srv, db, logs, false)
	st, err := p.catchup.Run(context.Background(), p.a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events() != 0 {
		t.Errorf("a pass after the restart emitted %+v", st)
	}
	if n := len(answers(asked)); n != 1 {
		t.Errorf("after a restart the mention made while down has %d answers, want 1", n)
	}
}
