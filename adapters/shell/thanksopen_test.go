package shell_test

import (
	"strings"
	"testing"
)

// A question that opens with thanks for an earlier answer is listed on the
// digest as the question alone: the thanks was meant for someone else.
func TestScenarioOpenQuestionWithoutTheThanksBeforeIt(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave", "@repertoire thanks, and how do I rotate the vpn keys?",
		"/as erin", "Thanks so much! How do I pin the node version in CI?",
		"/as frank", "/react 3",
		"/as erin", "@repertoire digest now",
	)
	d := answerTo(out, "digest now")
	for _, want := range []string{"how do I rotate the vpn keys?", "How do I pin the node version in CI?"} {
		if !strings.Contains(d, want) {
			t.Errorf("the digest does not ask %q:\n%s", want, out)
		}
	}
	for _, q := range w.open("general") {
		if strings.Contains(strings.ToLower(q.Text), "thanks") {
			t.Errorf("open question %q keeps its thanks", q.Text)
		}
	}
	if n := len(w.open("general")); n != 2 {
		t.Errorf("%d open questions, want 2: %+v\n%s", n, w.open("general"), out)
	}
}
