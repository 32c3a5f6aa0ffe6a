package shell_test

import (
	"strings"
	"testing"
)

// A private answer (/ask) is recorded nowhere, so it has no buttons: it
// does not invite the member to press them either.
func TestScenarioPrivateAnswerDoesNotInviteFeedback(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "My pod keeps crashing with CrashLoopBackOff, how do I debug it?",
		"/as bob", "/reply 1 kubectl logs --previous on the pod shows the last crash",
		"/as carol", "/react 2",
		"/ask how do I debug crashing pods",
	)
	a := answerTo(out, "carol reacted 💡 to [2]")
	if !strings.Contains(a, "(only carol sees this)") || !strings.Contains(a, "logs --previous") {
		t.Fatalf("no private answer:\n%s", out)
	}
	if strings.Contains(a, "/helped") || strings.Contains(a, "Did one help") {
		t.Errorf("the private answer invites presses it cannot take:\n%s", a)
	}
}
