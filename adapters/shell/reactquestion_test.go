package shell_test

import (
	"strings"
	"testing"
)

// A 💡 on a question nobody answered yet does what `@repertoire save` in
// its thread does: the question is kept open, not saved as a tip with no
// answer that recall would then offer; the 💡 on the answer that comes
// later makes them one entry.
func TestScenarioReactingToAnUnansweredQuestionKeepsItOpen(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as erin", "Anyone know how to clear the npm cache?",
		"/as bob", "/react 1",
		"/as carol", "/react 1",
		"@repertoire how do I clear the npm cache?",
	)
	if es := w.entries(); len(es) != 0 {
		t.Errorf("the bare question was saved: %+v\n%s", es, out)
	}
	kept := 0
	for _, q := range w.open("general") {
		if q.Text == "Anyone know how to clear the npm cache?" && q.Asker.Name == "erin" {
			kept++
		}
	}
	if kept != 1 {
		t.Errorf("erin's question is kept open %d times, want once: %+v\n%s", kept, w.open("general"), out)
	}
	if n := strings.Count(out, "Nobody has answered"); n != 1 {
		t.Errorf("what became of the 💡s is said %d times, want once:\n%s", n, out)
	}
	out = w.play(
		"/as erin", "Anyone know how to clear the npm cache?",
		"/as bob", "/react 1",
		"/as dave", "/reply 1 npm cache clean --force, then delete node_modules",
		"/as bob", "/react 3",
	)
	es := w.entries()
	if len(es) != 1 || !strings.Contains(es[0].Question, "npm cache") || !strings.Contains(es[0].Answer, "cache clean") {
		t.Errorf("after the answer's 💡: %+v\n%s", es, out)
	}
}

// In a direct message nothing is listed: the 💡 on an unanswered question
// there does not claim to keep it open; it says how to keep an answer.
func TestScenarioReactingToAnUnansweredQuestionInADM(t *testing.T) {
	w := newWorld(t)
	out := w.play("/as erin", "/dm", "Anyone know how to clear the npm cache?", "/react 1")
	if len(w.entries()) != 0 || strings.Contains(out, "open question") || !strings.Contains(out, "is a question, with no answer in it to keep") {
		t.Errorf("entries %+v:\n%s", w.entries(), out)
	}
}
