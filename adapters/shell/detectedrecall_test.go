package shell_test

import (
	"strings"
	"testing"
)

// An exchange saved by detection (detect auto) was recalled as "tip by
// erin", like any member's save, though nobody has confirmed it (digests
// list such entries apart). Recall now says so; a member's 💡 on the
// message confirms it and the note goes.
func TestScenarioRecallSaysADetectedEntryIsUnconfirmed(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as carol", "@repertoire detect auto", // [1], [2]
		"/as dan", "How do I reset my staging database password for the reporting user?", // [3]
		"/as erin", "/reply 3 Ask in #dba, then run ALTER USER reporting WITH PASSWORD in psql on the staging primary as the admin role.", // [4]
		"/as dan", "/reply 3 thanks a lot, that worked!", // [5]
		"@repertoire how do I reset the staging database password?", // [6], answered in [7]
		"/as carol", "/react 4",
		"@repertoire how do I reset the staging database password?",
	)
	answers := strings.Split(out, "Here is what the repertoire has on")
	if len(answers) != 3 {
		t.Fatalf("want two answers:\n%s", out)
	}
	if !strings.Contains(answers[1], "ALTER USER") || !strings.Contains(answers[1], "not confirmed yet") {
		t.Errorf("the detected entry's answer:\n%s", answers[1])
	}
	if !strings.Contains(answers[2], "ALTER USER") || strings.Contains(answers[2], "not confirmed yet") {
		t.Errorf("the answer after carol's 💡:\n%s", answers[2])
	}
}
