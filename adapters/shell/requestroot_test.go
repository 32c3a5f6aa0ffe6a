package shell_test

import (
	"strings"
	"testing"
)

// A thread opened by a command to the bot ("@repertoire help") has no
// question: a reply saved there is saved alone, not titled "help".
func TestScenarioSaveUnderACommandToTheBot(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "@repertoire help",
		"/as bob", "/reply 1 kubectl logs --previous <pod> shows the last crashed container's logs",
		"/as carol", "/reply 1 @repertoire save #k8s",
		"/as dave", "/reply 1 tip: helm rollback <release> goes back one revision",
		"/as erin", "/react 6",
	)
	if a := answerTo(out, "carol: @repertoire save"); strings.Contains(a, "“help”") || !strings.Contains(a, "kubectl logs") {
		t.Errorf("the save under help:\n%s", a)
	}
	es := w.entries()
	if len(es) != 2 {
		t.Fatalf("%d entries, want 2: %+v\n%s", len(es), es, out)
	}
	for _, e := range es {
		if e.Question != "" || e.QuestionID != "" {
			t.Errorf("an entry took the command to the bot as its question: %+v", e)
		}
	}
}
