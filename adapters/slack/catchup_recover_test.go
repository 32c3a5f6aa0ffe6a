package slack_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
)

// logAt puts a message in the bot's log as if it had heard it live.
func logAt(t *testing.T, p *process, fake *slacktest.Server, channel, ts, thread, user, text string, at time.Time) {
	t.Helper()
	err := p.store.LogMessage(context.Background(), "", repertoire.LoggedMessage{
		Channel: repertoire.Channel{Platform: "slack", Space: fake.Team, ID: channel}, ID: ts, Thread: thread,
		Author: repertoire.Person{ID: user}, Text: text, At: at})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCatchUpReadsOlderThreads: a thread whose opening question is older
// than the catch-up window is never on conversations.history's pages, yet
// members keep replying in it. While the bot is down a member saves a
// recent reply in such a thread with 💡, and another posts and saves a new
// reply in an older thread the bot last heard days ago: catch-up reads
// those threads' recent replies back (conversations.replies from the
// window's start) and both captures are made, with the old question. A
// reply older than the window is still not touched, and a second pass reads
// nothing new.
func TestCatchUpReadsOlderThreads(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "repertoire.db")
	now := time.Now()
	q1 := fake.SayAt("C1", "U1", "How do I rotate the TLS certificate?", "", now.Add(-30*time.Hour))
	old1 := fake.SayAt("C1", "U5", "Ask the platform team", q1, now.Add(-29*time.Hour))
	r1 := fake.SayAt("C1", "U2", "Run certbot renew, then reload nginx", q1, now.Add(-2*time.Hour))
	q2 := fake.SayAt("C1", "U1", "Where do the nightly backups go?", "", now.Add(-4*24*time.Hour))
	r2 := fake.SayAt("C1", "U2", "Somewhere in the storage account", q2, now.Add(-3*24*time.Hour))
	q3 := fake.SayAt("C1", "U1", "Which VPN profile do contractors use?", "", now.Add(-3*24*time.Hour))

	p := startProcess(t, fake, db)
	if err := fake.WaitConnected(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ ts, thread, user, text string }{
		{q1, "", "U1", "How do I rotate the TLS certificate?"},
		{old1, q1, "U5", "Ask the platform team"},
		{r1, q1, "U2", "Run certbot renew, then reload nginx"},
		{q2, "", "U1", "Where do the nightly backups go?"},
		{r2, q2, "U2", "Somewhere in the storage account"},
		{q3, "", "U1", "Which VPN profile do contractors use?"},
	} {
		logAt(t, p, fake, "C1", m.ts, m.thread, m.user, m.text, tsAt(m.ts))
	}
	p.catchup.Wait()
	p.stop()

	// While it is down.
	fake.React("C1", r1, "U3", "bulb")   // a recent reply in an old thread, saved
	fake.React("C1", old1, "U3", "bulb") // a reply older than the window: not touched
	r2b := fake.SayAt("C1", "U4", "The cold bucket, encrypted with the team key", q2, time.Now())
	fake.React("C1", r2b, "U3", "bulb")                                                   // a reply posted and saved while down
	r3 := fake.SayAt("C1", "U4", "The contractor profile, from the wiki", q3, time.Now()) // a thread the log saw no reply in
	fake.React("C1", r3, "U3", "bulb")
	repliesBefore := len(fake.Calls("conversations.replies"))

	p = startProcess(t, fake, db)
	await(t, "catch-up found the captures in the older threads", func() bool {
		_, ok1 := p.entry(fake, "C1", r1)
		_, ok2 := p.entry(fake, "C1", r2b)
		return ok1 && ok2
	})
	p.catchup.Wait()
	e1, _ := p.entry(fake, "C1", r1)
	if e1.Question != "How do I rotate the TLS certificate?" || len(e1.Savers) != 1 || e1.Savers[0].ID != "U3" {
		t.Errorf("capture in an older thread: question %q, savers %v", e1.Question, e1.Savers)
	}
	e2, _ := p.entry(fake, "C1", r2b)
	if e2.Question != "Where do the nightly backups go?" {
		t.Errorf("capture of a reply posted while down: question %q", e2.Question)
	}
	if _, ok := p.entry(fake, "C1", old1); ok {
		t.Error("a reply older than the window was captured")
	}
	if _, ok := p.entry(fake, "C1", r3); ok {
		// The bot never heard a reply there: catch-up does not know the
		// thread (it would have to read every old message's replies).
		t.Log("a reply in a thread the log saw no reply in was captured too")
	}
	replies := len(fake.Calls("conversations.replies")) - repliesBefore
	if replies > 2+2 { // the two older threads, and the captures' thread fetches
		t.Errorf("%d conversations.replies calls after the restart, want the two older threads and the captures' reads", replies)
	}

	// A second pass finds nothing new.
	st, err := p.catchup.Run(context.Background(), p.a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events() != 0 || st.Threads != 2 {
		t.Errorf("second pass: %+v, want no events and the two older threads read", st)
	}
}

// tsAt reads a Slack ts as a time.
func tsAt(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	var s, us int64
	for _, c := range sec {
		s = s*10 + int64(c-'0')
	}
	for _, c := range (frac + "000000")[:6] {
		us = us*10 + int64(c-'0')
	}
	return time.Unix(s, us*1000)
}

// TestCatchUpAnswersMentionsMadeWhileDown: a member who asked the bot a
// question while it was down gets one answer when it comes back, in the
// thread, saying it is late; a mention older than the mention window is
// left alone (answering yesterday's question is noise); a later restart,
// and the mention's own event arriving late (Slack's retry) answer nothing
// twice.
func TestCatchUpAnswersMentionsMadeWhileDown(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "repertoire.db")

	p := startProcess(t, fake, db)
	if err := fake.WaitConnected(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	q, qev := fake.Say("C1", "U1", "How do I rotate the TLS certificate?", "")
	a, aev := fake.Say("C1", "U2", "Run certbot renew, then reload nginx", q)
	fake.Event(qev)
	fake.Event(aev)
	fake.Event(fake.React("C1", a, "U3", "bulb"))
	await(t, "the live capture", func() bool { _, ok := p.entry(fake, "C1", a); return ok })
	p.catchup.Wait()
	p.stop()

	// While it is down.
	asked := fake.SayAt("C1", "U4", "<@"+fake.BotUser+"> how do I rotate the TLS certificate?", "", time.Now().Add(-40*time.Minute))
	stale := fake.SayAt("C1", "U5", "<@"+fake.BotUser+"> how do I rotate the TLS certificate?", "", time.Now().Add(-20*time.Hour))
	answers := func(ts string) []string {
		var out []string
		for _, m := range fake.BotMessages("C1") {
			if m.ThreadTS == ts {
				out = append(out, m.Text+string(m.Blocks))
			}
		}
		return out
	}

	p = startProcess(t, fake, db)
	await(t, "the late answer", func() bool { return len(answers(asked)) > 0 })
	p.catchup.Wait()
	got := answers(asked)
	if len(got) != 1 || !strings.Contains(got[0], "certbot renew") || !strings.Contains(got[0], "offline when you asked, 40 minutes ago") {
		t.Errorf("answers to the mention made while down: %q", got)
	}
	if n := len(answers(stale)); n != 0 {
		t.Errorf("a mention older than the window got %d answers", n)
	}

	// The mention's own event arrives now (Slack retried it), and the bot
	// restarts: still one answer.
	_, env := fake.Event(map[string]any{"type": "app_mention", "user": "U4", "text": "<@" + fake.BotUser + "> how do I rotate the TLS certificate?",
		"ts": asked, "channel": "C1", "event_ts": asked})
	await(t, "the retried mention acked", func() bool { return fake.Acked(env) })
	await(t, "the retried mention applied", func() bool {
		n, _, err := p.store.InboxDepth(context.Background())
		return err == nil && n == 0
	})
	if n := len(answers(asked)); n != 1 {
		t.Errorf("the mention made while down was answered %d times after its event came, want once", n)
	}
	p.stop()
	p = startProcess(t, fake, db)
	p.catchup.Wait()
	if n := len(answers(asked)); n != 1 {
		t.Errorf("the mention made while down was answered %d times after a retry and a restart, want once", n)
	}
}

// TestCatchUpTakesBackFeedback: 👍/👎 on the bot's answer are votes on the
// entries it showed. A 👍 taken back while the bot was down is undone by
// catch-up as the live reaction_removed would have, and a 👎 given while
// down is counted; a second pass changes nothing.
func TestCatchUpTakesBackFeedback(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "repertoire.db")

	p := startProcess(t, fake, db)
	if err := fake.WaitConnected(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	q, qev := fake.Say("C1", "U1", "How do I rotate the TLS certificate?", "")
	a, aev := fake.Say("C1", "U2", "Run certbot renew, then reload nginx", q)
	fake.Event(qev)
	fake.Event(aev)
	fake.Event(fake.React("C1", a, "U3", "bulb"))
	await(t, "the live capture", func() bool { _, ok := p.entry(fake, "C1", a); return ok })
	_, mev := fake.Mention("C1", "U4", "how do I rotate the TLS certificate?", "")
	fake.Event(mev)
	var answer string
	await(t, "the answer", func() bool {
		for _, m := range fake.BotMessages("C1") {
			if strings.Contains(m.Text+string(m.Blocks), "certbot renew") {
				answer = m.TS
			}
		}
		return answer != ""
	})
	fake.Event(fake.React("C1", answer, "U5", "+1"))
	fake.Event(fake.React("C1", answer, "U6", "-1"))
	await(t, "the live feedback", func() bool {
		e, _ := p.entry(fake, "C1", a)
		return e.Helpful == 1 && e.Unhelpful == 1
	})
	p.catchup.Wait()
	p.stop()

	// While it is down: U5 takes the 👍 back, U7 gives a 👎.
	fake.Unreact("C1", answer, "U5", "+1")
	fake.React("C1", answer, "U7", "-1")

	p = startProcess(t, fake, db)
	p.catchup.Wait()
	await(t, "what catch-up found applied", func() bool {
		n, _, err := p.store.InboxDepth(context.Background())
		return err == nil && n == 0
	})
	if e, _ := p.entry(fake, "C1", a); e.Helpful != 0 || e.Unhelpful != 2 {
		t.Errorf("after catch-up the entry has %d helpful and %d not-it votes, want 0 and 2 (a 👍 taken back while down)", e.Helpful, e.Unhelpful)
	}
	st, err := p.catchup.Run(context.Background(), p.a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events() != 0 {
		t.Errorf("second pass emitted %d events: %+v", st.Events(), st)
	}
	if e, _ := p.entry(fake, "C1", a); e.Helpful != 0 || e.Unhelpful != 2 {
		t.Errorf("after a second pass: %d helpful, %d not-it", e.Helpful, e.Unhelpful)
	}
}
