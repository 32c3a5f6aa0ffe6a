package shell_test

import (
	"strings"
	"testing"
)

// `save` under a recall answer that only offered a possibly related entry
// does not claim the thread's answer came from the repertoire: nothing
// answered the question, which is kept open, and the bot says so.
func TestScenarioSaveUnderAPossiblyRelatedEntry(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I undo the last git commit but keep the changes?",
		"/as dave", "/reply 1 git reset --soft HEAD~1 keeps them staged",
		"/as bob", "heads up: the VPN is back up, reconnect your client #vpn",
		"/as carol", "/react 2", "/react 3",
		"/as erin", "@repertoire how do I roll back a commit?",
		"/as frank", "/reply 4 @repertoire save",
	)
	if !strings.Contains(answerTo(out, "roll back a commit?"), "possibly related") {
		t.Fatalf("no possibly related entry:\n%s", out)
	}
	a := answerTo(out, "frank: @repertoire save")
	if strings.Contains(a, "came from the repertoire") || !strings.Contains(a, "open question") {
		t.Errorf("save under a possibly related entry:\n%s", a)
	}
	if n := len(w.open("general")); n != 1 {
		t.Errorf("%d open questions, want the one asked: %+v", n, w.open("general"))
	}
}
