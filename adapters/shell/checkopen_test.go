package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// A ✅ on a question already kept open (by an earlier 💡) names the kind
// its answer should be saved as: the bot says so, once, and the answer's
// 💡 (the plain "keep this") saves it as a solution.
func TestScenarioCheckOnAnOpenQuestionNamesTheAnswersKind(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as erin", "Anyone know how to clear the npm cache?",
		"/as bob", "/react 1",
		"/as carol", "/react 1 ✅",
		"/as frank", "/react 1 ✅",
		"/as dave", "/reply 1 npm cache clean --force, then delete node_modules",
		"/as bob", "/react 4", // [2] and [3] are the bot's
	)
	a := answerTo(out, "carol reacted ✅ to [1]")
	if !strings.Contains(a, "solution") {
		t.Errorf("the ✅ on the open question went unanswered:\n%s", out)
	}
	if n := strings.Count(out, "as a solution"); n != 1 {
		t.Errorf("the kind is said %d times, want once:\n%s", n, out)
	}
	es := w.entries()
	if len(es) != 1 || es[0].Kind != repertoire.Solution || !strings.Contains(es[0].Answer, "cache clean") {
		t.Errorf("entries %+v\n%s", es, out)
	}
}
