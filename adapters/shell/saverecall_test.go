package shell_test

import (
	"strings"
	"testing"
)

// `save` in the thread of the bot's recall answer has nothing new to keep:
// the answer came from the repertoire. It says so, and the question, which
// the bot did answer, is not kept as an open question for the digest.
func TestScenarioSaveUnderARecallAnswer(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2",
		"@repertoire how are certificates rotated?",
		"/as dave", "/reply 3 @repertoire save",
	)
	a := answerTo(out, "dave: @repertoire save")
	if strings.Contains(a, "Nobody has answered") || !strings.Contains(a, "came from the repertoire") {
		t.Errorf("save under the recall answer:\n%s", a)
	}
	if qs := w.open("general"); len(qs) != 0 {
		t.Errorf("the answered question was kept open: %+v", qs)
	}
	if es := w.entries(); len(es) != 1 {
		t.Errorf("%d entries, want the one tip: %+v", len(es), es)
	}
	// A member's answer in that thread is still saved by `save`, with the
	// question asked of the bot.
	out = w.play(
		"/as carol", "@repertoire how are certificates rotated?",
		"/as erin", "/reply 1 For the staging proxy, cert-manager rotates them by itself now: kubectl get certificates shows when",
		"/as dave", "/reply 1 @repertoire save",
	)
	found := false
	for _, e := range w.entries() {
		found = found || strings.Contains(e.Answer, "cert-manager") && e.Question == "how are certificates rotated?"
	}
	if !found {
		t.Errorf("erin's answer was not saved under the question: %+v\n%s", w.entries(), out)
	}
}
