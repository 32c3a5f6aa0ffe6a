package shell_test

import (
	"strings"
	"testing"
)

// "how do I roll back a commit?" shares one content word in three with the
// entry that answers it. Rather than "nothing yet", recall shows that entry
// apart, as possibly related, and still keeps the question open for the
// digest, since such an entry is often not the answer. An entry sharing
// only a common word is not offered.
func TestScenarioPossiblyRelatedWhenNothingAnswers(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I undo the last git commit but keep the changes?",
		"/as dave", "/reply 1 git reset --soft HEAD~1 keeps them staged",
		"/as carol", "/react 2",
		"/as bob", "heads up: the staging database is back after the migration #db",
		"heads up: the VPN is back up, reconnect your client #vpn",
		"heads up: the build cache is back to normal after the cleanup #ci",
		"/as carol", "/react 3", "/react 4", "/react 5",
		"/as erin", "@repertoire how do I roll back a commit?",
		"@repertoire how do I rotate the staging certificate?",
	)
	if a := answerTo(out, "rotate the staging certificate?"); strings.Contains(a, "possibly related") {
		t.Errorf("a question the repertoire knows one word of got an entry:\n%s", a)
	}
	a := answerTo(out, "roll back a commit?")
	if !strings.Contains(a, "possibly related") || !strings.Contains(a, "undo the last git commit") {
		t.Errorf("roll back a commit:\n%s", a)
	}
	if strings.Contains(a, "is back") {
		t.Errorf("an entry sharing only a common word was offered:\n%s", a)
	}
	kept := false
	for _, q := range w.open("general") {
		kept = kept || strings.Contains(q.Text, "roll back a commit")
	}
	if !kept || !strings.Contains(a, "open question") {
		t.Errorf("the question was not kept open (%+v):\n%s", w.open("general"), a)
	}
}

// "This helped" on the possibly related entry answers the question: it is
// no longer open, and the digest does not ask for it.
func TestScenarioHelpedClosesTheOpenQuestion(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I undo the last git commit but keep the changes?",
		"/as dave", "/reply 1 git reset --soft HEAD~1 keeps them staged",
		"/as bob", "heads up: the VPN is back up, reconnect your client #vpn",
		"/as carol", "/react 2", "/react 3",
		"/as erin", "@repertoire how do I roll back a commit?",
		"@repertoire why does the kafka consumer lag grow at night?",
		"/helped 1 5",
	)
	if !strings.Contains(answerTo(out, "roll back a commit?"), "possibly related") {
		t.Fatalf("no possibly related entry:\n%s", out)
	}
	for _, q := range w.open("general") {
		if strings.Contains(q.Text, "roll back") {
			t.Errorf("the question stayed open after “This helped”: %+v\n%s", q, out)
		}
	}
	if n := len(w.open("general")); n != 1 {
		t.Errorf("%d open questions, want the kafka one: %+v", n, w.open("general"))
	}
}
