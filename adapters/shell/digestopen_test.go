package shell_test

import (
	"strings"
	"testing"
)

// A question recall answered with a possibly related entry stays open and
// is listed on the digest; the digest does not claim the repertoire had
// nothing for it (nor that anyone looked: a 💡 keeps a question open
// without a search). It says what holds for every open question: no
// answer to it has been saved yet.
func TestScenarioDigestSaysWhatIsTrueOfOpenQuestions(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I undo the last git commit but keep the changes?",
		"/as dave", "/reply 1 git reset --soft HEAD~1 keeps them staged",
		"/as bob", "heads up: the VPN is back up, reconnect your client #vpn",
		"/as carol", "/react 2", "/react 3",
		"/as erin", "@repertoire how do I roll back a commit?",
		"@repertoire digest now",
	)
	if !strings.Contains(answerTo(out, "roll back a commit?"), "possibly related") {
		t.Fatalf("no possibly related entry:\n%s", out)
	}
	d := answerTo(out, "digest now")
	if !strings.Contains(d, "roll back a commit") {
		t.Fatalf("the open question is not on the digest:\n%s", d)
	}
	if strings.Contains(strings.ToLower(d), "nobody found an answer in the repertoire") {
		t.Errorf("the digest says nothing was found for a question shown a possibly related entry:\n%s", d)
	}
	if !strings.Contains(strings.ToLower(d), "no answer to these has been saved yet") {
		t.Errorf("the digest does not say what is true of its open questions:\n%s", d)
	}
}
