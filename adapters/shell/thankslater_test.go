package shell_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/shell"
)

// ticking plays lines in a shell whose clock moves on a millisecond each
// time it is read, as a platform's message times do: in a DM the order of
// the bot's answer and a later question is told by their times.
func (w *world) ticking(lines ...string) string {
	w.t.Helper()
	w.now = w.now.Add(time.Second)
	var (
		mu sync.Mutex
		at = w.now
	)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(time.Millisecond)
		return at
	}
	var out bytes.Buffer
	w.sh = shell.New(shell.Options{In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: &out, Now: clock})
	if err := w.sh.Run(context.Background(), w.bot); err != nil {
		w.t.Fatal(err)
	}
	return out.String()
}

// helped is how many "This helped" the world's entries hold.
func (w *world) helped() int {
	n := 0
	for _, e := range w.entries() {
		n += e.Helpful
	}
	return n
}

// A DM's "thanks, that helped" counted the bot's last recall answer there
// even when the member had asked something else since and been told
// "nothing yet": the thanks was not that answer's. It counts only when no
// other request came after the answer.
func TestScenarioThanksInADMAfterALaterQuestionCountsNothing(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2",
	)
	out := w.ticking(
		"/as carol", "/dm", "how are certificates rotated?",
		"how do I configure kafka partitions?", // nothing yet
		"thanks, that helped",
	)
	if !strings.Contains(out, "Here is what the repertoire has") || !strings.Contains(out, "anything on that yet") {
		t.Fatalf("test is blind: the first question found nothing or the second found something:\n%s", out)
	}
	if a := answerTo(out, "carol: thanks, that helped"); strings.Contains(a, "noted") {
		t.Errorf("the thanks after “nothing yet” was taken for the earlier answer:\n%s", out)
	}
	if n := w.helped(); n != 0 {
		t.Errorf("%d helped after a thanks that followed “nothing yet”, want 0", n)
	}
	// Asked again, answered, thanked: that counts, an earlier "ok" between
	// them or not.
	out = w.ticking("/as carol", "/dm", "how are certificates rotated?", "ok", "thanks, that helped")
	if a := answerTo(out, "carol: thanks, that helped"); !strings.Contains(a, "noted that") {
		t.Errorf("a thanks right after the answer:\n%s", out)
	}
	if n := w.helped(); n != 1 {
		t.Errorf("%d helped after a thanks right after the answer, want 1", n)
	}
}

// "thanks, that worked" said at the channel's top level, below the
// question, rather than in the answer's thread counted nothing. It counts
// when the member's latest message at the top level is the question the
// bot answered and nobody else spoke at the top level or in the thread
// since.
func TestScenarioThanksAtTheTopLevelCountsTheAnswer(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2",
	)
	out := w.ticking(
		"/as carol", "@repertoire how do I rotate the staging certificate?", // [1], answered in [2]
		"thanks, that worked",
	)
	if n := w.helped(); n != 1 {
		t.Errorf("carol's plain thanks at the top level: %d helped, want 1\n%s", n, out)
	}
	out = w.ticking(
		"/as dave", "@repertoire how are certificates rotated?", // [1], answered in [2]
		"@repertoire thanks, that worked",
	)
	if a := answerTo(out, "dave: @repertoire thanks, that worked"); !strings.Contains(a, "noted that") {
		t.Errorf("dave's thanks by mention at the top level:\n%s", out)
	}
	if n := w.helped(); n != 2 {
		t.Errorf("dave's thanks by mention: %d helped, want 2", n)
	}
	// Someone else spoke at the top level, or answered in the thread: the
	// thanks may be theirs.
	w.ticking(
		"/as erin", "@repertoire how do I rotate the staging certificate?", // [1], answered in [2]
		"/as frank", "erin, the cron job does it nightly",
		"/as erin", "thanks, that worked",
		"/as gina", "@repertoire how are certificates rotated?", // [6], answered in [7]
		"/as hana", "/reply 6 or wait for the nightly cron",
		"/as gina", "thanks, that worked",
		"/as ivan", "@repertoire how do I rotate the staging certificate?", // [10], answered in [11]
		"thanks anyway",
	)
	if n := w.helped(); n != 2 {
		t.Errorf("thanks that may be another member's counted: %d helped, want 2", n)
	}
}

// "thanks anyway" after an answer that did not help was answered "You're
// welcome! Ask me anything else", as if it had; "ok thanks anyway", "no
// luck" or "that didn't work" were searched, and answered "I don't have
// anything on that yet". Each is told how to keep the answer once found,
// and "no worries" after it is small talk, not a search.
func TestScenarioThanksAnywayIsNotWelcomed(t *testing.T) {
	w := newWorld(t)
	said := []string{"thanks anyway", "ok thanks anyway", "no luck, thanks anyway", "that didn't work"}
	out := w.play(append([]string{"/dm", "how do I configure kafka partitions?"}, append(said, "thanks!", "thanks, no worries", "no worries")...)...)
	for _, s := range said {
		if a := answerTo(out, "you: "+s+"\n"); strings.Contains(a, "welcome") || strings.Contains(a, "anything on that yet") || !strings.Contains(a, "Sorry") {
			t.Errorf("%s:\n%s", s, a)
		}
	}
	for _, s := range []string{"thanks!", "thanks, no worries"} {
		if a := answerTo(out, "you: "+s+"\n"); !strings.Contains(a, "You're welcome") {
			t.Errorf("%s:\n%s", s, a)
		}
	}
	// "no worries" (to the bot's sorry) is small talk, not a search.
	if a := answerTo(out, "you: no worries\n"); strings.Contains(a, "anything on that yet") || !strings.Contains(a, "Ask me a question") {
		t.Errorf("no worries:\n%s", a)
	}
}
