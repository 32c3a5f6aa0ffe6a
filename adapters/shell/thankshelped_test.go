package shell_test

import (
	"strings"
	"testing"
)

// "thanks, that helped" said to the bot after its answer was acknowledged
// ("You're welcome!") but not counted as the answer's "This helped". It
// now counts when it clearly follows the bot's answer to that member: in
// a DM, by mention in the answer's thread, or as a plain reply there when
// nobody else spoke since. A thanks that follows another member's reply,
// names someone, or says it did not help counts nothing; an answer of
// several entries asks which one.
func TestScenarioThanksToTheBotCountsAsHelped(t *testing.T) {
	w := newWorld(t)
	helpful := func() int {
		t.Helper()
		n := 0
		for _, e := range w.entries() {
			n += e.Helpful
		}
		return n
	}
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2",
		"/dm", "how are certificates rotated?", "thanks, that helped",
	)
	if a := answerTo(out, "carol: thanks, that helped"); !strings.Contains(a, "noted that “How do I rotate the TLS certificate") {
		t.Errorf("carol's thanks in the DM:\n%s", out)
	}
	if n := helpful(); n != 1 {
		t.Fatalf("after carol's thanks in a DM: %d helped, want 1", n)
	}
	out = w.play(
		"/as dave", "@repertoire how do I rotate the staging certificate?", // [1], answered in [2]
		"/as bob", "/reply 1 or just wait for the cron job",
		"/as dave", "/reply 1 thanks, that worked", // bob spoke last: bob's thanks
		"/as erin", "@repertoire how are certificates rotated?", // [6], answered in [7]
		"/reply 6 thanks anyway",
		"/reply 6 thanks bob, that worked",
		"/as bob", "/reply 6 or wait for the nightly cron job",
		"/as erin", "/reply 6 @repertoire thanks, that worked", // after bob's answer: bob's
	)
	if n := helpful(); n != 1 {
		t.Errorf("thanks that are not the bot's counted: %d helped, want 1\n%s", n, out)
	}
	out = w.play(
		"/as frank", "@repertoire how do I rotate the staging certificate?", // [1], answered in [2]
		"/reply 1 thanks, that did the trick",
		"/as gina", "@repertoire how are certificates rotated?", // [4], answered in [5]
		"/reply 4 @repertoire great, that worked",
	)
	if n := helpful(); n != 3 {
		t.Errorf("frank's plain thanks and gina's by mention: %d helped, want 3\n%s", n, out)
	}
	if a := answerTo(out, "gina: @repertoire great, that worked"); !strings.Contains(a, "noted that") {
		t.Errorf("gina's thanks:\n%s", a)
	}
	// An answer of two entries: which one?
	out = w.play(
		"/as alice", "How do I renew the certbot certificate on the wiki host? #tls",
		"/as bob", "/reply 1 certbot renew on the wiki host, then restart apache",
		"/as carol", "/react 2",
		"/as hana", "@repertoire how do I renew a certificate with certbot?",
		"/reply 3 @repertoire thanks, that helped",
	)
	if a := answerTo(out, "hana: @repertoire thanks, that helped"); !strings.Contains(a, "Which one helped?") {
		t.Errorf("hana's thanks for an answer of two entries:\n%s", out)
	}
	if n := helpful(); n != 3 {
		t.Errorf("a thanks for two entries counted: %d helped, want 3", n)
	}
}
