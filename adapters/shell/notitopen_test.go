package shell_test

import (
	"strings"
	"testing"
)

// A question recall answered was not kept open, and stayed so when its
// asker said the answer did not help ("Not it", or "that didn't work" to
// the bot, which was told "When someone answers it, react 💡"): no digest
// asked anyone for it. The asker's "Not it" on an answer of one entry, or
// their "that didn't work", keeps it open now; "This helped", another
// member's "Not it" does not (nor, by the code, "Not it" on one entry of
// several, which says nothing of the others).
func TestScenarioAnswerThatDidNotHelpKeepsTheQuestionOpen(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2",
	)
	open := func() []string {
		var out []string
		for _, q := range w.open("general") {
			out = append(out, q.Asker.Name+": "+q.Text)
		}
		return out
	}
	out := w.play(
		"/as dave", "@repertoire how do I rotate the staging proxy certificate?", // [1], answered in [2]
		"/notit 1",
		"/as erin", "@repertoire how do I rotate the certificate on the staging proxy?", // [3], answered in [4]
		"/reply 3 @repertoire that didn't work", // [5], answered in [6]
		// Erin tries again, and it works: her thanks counts on the answer
		// before the bot's reply to her "that didn't work", and closes her
		// question.
		"/reply 3 @repertoire thanks, that worked after all", // [7], answered in [8]
		"/as frank", "@repertoire how do I rotate the TLS certificate of the staging proxy?", // [9], answered in [10]
		"/helped 1",
		"/as gina", "@repertoire how is the staging proxy certificate rotated?", // [11], answered in [12]
		"/as hana", "/notit 1 12",
	)
	if !strings.Contains(out, "Here is what the repertoire has on “how do I rotate the staging proxy") {
		t.Fatalf("test is blind: dave's question was not answered from the repertoire:\n%s", out)
	}
	got := strings.Join(open(), "\n")
	if !strings.Contains(got, "dave: how do I rotate the staging proxy certificate?") {
		t.Errorf("dave's question is not open; open:\n%s\n%s", got, out)
	}
	for _, not := range []string{"erin", "frank", "gina"} {
		if strings.Contains(got, not+":") {
			t.Errorf("%s's question is open:\n%s", not, got)
		}
	}
	if a := answerTo(out, "erin: @repertoire that didn't work"); !strings.Contains(a, "open questions") {
		t.Errorf("erin's “that didn't work”:\n%s", a)
	}
	if a := answerTo(out, "erin: @repertoire thanks, that worked after all"); !strings.Contains(a, "noted that") {
		t.Errorf("erin's thanks after “that didn't work”:\n%s", out)
	}
}
