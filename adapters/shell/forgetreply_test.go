package shell_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// The forget-me answer says what went in words a member reads once: only
// what there was, the question they asked in someone else's entry named
// as such (its answer stays), and no list of "0 votes".
func TestScenarioForgetMeSaysWhatWent(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy?",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2",
		"/as alice", "@repertoire forget me", "@repertoire forget me",
		"/as dave", "@repertoire forget me", "@repertoire forget me",
	)
	done := regexp.MustCompile(`repertoire: (Done:[^\n]*)`).FindAllStringSubmatch(out, -1)
	if len(done) != 2 {
		t.Fatalf("%d forgets done, want 2:\n%s", len(done), out)
	}
	zero := regexp.MustCompile(`\b0 `)
	if a := done[0][1]; !strings.Contains(a, "the question you asked in 1 entry (its answer stays)") || zero.MatchString(a) {
		t.Errorf("alice's forget: %s", a)
	}
	if d := done[1][1]; !strings.Contains(d, "Nothing of yours") || zero.MatchString(d) || strings.Contains(d, "entr") {
		t.Errorf("dave's forget: %s", d)
	}
}

// A platform's retry of the first "forget me" is not its confirmation:
// the member's entry stays, and nothing more is said, until they say it
// again themselves.
func TestScenarioRedeliveredForgetMeIsNoConfirmation(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as mallory", "To free disk on the runners, run docker system prune -af weekly from cron",
		"/as bob", "/react 1",
		"/as mallory", "@repertoire forget me", "/redeliver",
	)
	if n := len(w.entries()); n != 1 {
		t.Fatalf("%d entries after a redelivered first 'forget me', want 1 (forgotten unconfirmed):\n%s", n, out)
	}
	if n := strings.Count(out, "To go ahead"); n != 1 {
		t.Errorf("the confirmation was asked %d times, want once:\n%s", n, out)
	}
	out = w.play("/as mallory", "@repertoire forget me")
	if n := len(w.entries()); n != 0 || !strings.Contains(out, "Done:") {
		t.Errorf("%d entries after the confirmation, want 0:\n%s", n, out)
	}
}

// restart is the bot stopped and started again on the same store: what it
// held in memory is gone.
func (w *world) restart() {
	w.bot = bot.New(w.store, nil, bot.Config{Now: func() time.Time { return w.now }}, w)
}

// A "forget me" confirmed after the bot restarted still confirms; a "yes"
// is told it is no confirmation; a confirmation that comes too late is
// told the first request expired, not asked the same thing again as if it
// were new.
func TestScenarioForgetMeConfirmedAcrossARestart(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as mallory", "To free disk on the runners, run docker system prune -af weekly from cron",
		"/as bob", "/react 1",
		"/as mallory", "/dm", "forget me",
	)
	w.restart()
	w.now = w.now.Add(time.Minute)
	out := w.play("/as mallory", "/dm", "yes", "no")
	for _, said := range []string{"yes", "no"} {
		if a := answerTo(out, "mallory: "+said+"\n"); !strings.Contains(a, "Nothing is removed yet") || !strings.Contains(a, "`forget me` again") {
			t.Errorf("a %s to the confirmation:\n%s", said, out)
		}
	}
	if n := len(w.entries()); n != 1 {
		t.Fatalf("%d entries after a yes, want 1", n)
	}
	w.restart()
	out = w.play("/as mallory", "/dm", "forget me")
	if n := len(w.entries()); n != 0 || !strings.Contains(out, "Done:") {
		t.Errorf("%d entries after confirming across a restart, want 0:\n%s", n, out)
	}

	// Too late: the member is told the first expired, and asked afresh.
	w.play(
		"/as erin", "To rotate the staging TLS cert run certbot renew --force-renewal then reload nginx",
		"/as bob", "/react 1",
		"/as erin", "@repertoire forget me",
	)
	w.restart()
	w.now = w.now.Add(10 * time.Minute)
	out = w.play("/as erin", "@repertoire forget me")
	if a := answerTo(out, "erin: @repertoire forget me"); !strings.Contains(a, "expired") || !strings.Contains(a, "To go ahead") {
		t.Errorf("a late confirmation:\n%s", out)
	}
	if n := len(w.entries()); n != 1 {
		t.Errorf("%d entries after a late confirmation, want 1", n)
	}
}
