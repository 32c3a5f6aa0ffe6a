package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// A question asked of the bot that it could not answer is kept open by
// the mention. A ✅ on it names its answer's kind as a ✅ on a question
// kept open by 💡 does: the bot says so, once, and the answer's 💡 saves it
// as a solution.
func TestScenarioCheckOnAQuestionAskedOfTheBot(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as erin", "@repertoire how do I rotate the staging TLS certificate?",
		"/as carol", "/react 1 ✅",
		"/as frank", "/react 1 ✅",
		"/as dave", "/reply 1 run certbot renew on the staging proxy, then reload nginx",
		"/as bob", "/react 4", // [2] and [3] are the bot's
	)
	a := answerTo(out, "carol reacted ✅ to [1]")
	if !strings.Contains(a, "solution") {
		t.Errorf("the ✅ on the question asked of the bot went unanswered:\n%s", out)
	}
	if n := strings.Count(out, "as a solution"); n != 1 {
		t.Errorf("the kind is said %d times, want once:\n%s", n, out)
	}
	es := w.entries()
	if len(es) != 1 || es[0].Kind != repertoire.Solution || !strings.Contains(es[0].Answer, "certbot") {
		t.Errorf("entries %+v\n%s", es, out)
	}
	if len(w.open("general")) != 0 {
		t.Errorf("the answered question is still open: %+v", w.open("general"))
	}
}
