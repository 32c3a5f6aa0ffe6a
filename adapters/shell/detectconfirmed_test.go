package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// With detect auto an exchange is kept as soon as it scores enough, often
// on the answer, before the asker's "that fixed it": it stayed a tip,
// where the same thread with the asker's word is suggested as a solution
// (the thread is decided once). The asker's confirmation now makes the
// detected entry a solution, while no member has confirmed it.
func TestScenarioDetectedEntryConfirmedByTheAskerIsASolution(t *testing.T) {
	w := newWorld(t)
	var before []repertoire.Entry
	out := w.playFrom(&typing{items: []any{
		"/as dave", "@repertoire detect auto",
		"/as erin", "My builds fail with EINTEGRITY when installing packages, any idea?",
		"/as frank", "/reply 3 delete package-lock.json and run npm install again, the lockfile hash is stale", "/where",
		func() { before = w.entries() },
		"/as erin", "/reply 3 that fixed it, thanks frank!",
	}})
	if len(before) != 1 || before[0].Status != repertoire.Detected || before[0].Kind != repertoire.Tip {
		t.Fatalf("test is blind: detection did not keep the answer as a tip before the asker spoke: %+v\n%s", before, out)
	}
	if es := w.entries(); len(es) != 1 || es[0].Status != repertoire.Detected || es[0].Kind != repertoire.Solution {
		t.Errorf("after the asker's confirmation: %+v\n%s", es, out)
	}
}

// `why` after the asker's confirmation made the detected entry a solution
// still gave the reasons of the save: "as a tip", without the asker's word.
// It gives what made it a solution now.
func TestScenarioWhyAfterTheAskerConfirmedSaysSolution(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave", "@repertoire detect auto",
		"/as erin", "My builds fail with EINTEGRITY when installing packages, any idea?",
		"/as frank", "/reply 3 delete package-lock.json and run npm install again, the lockfile hash is stale",
		"/as erin", "/reply 3 @repertoire why",
		"/reply 3 that fixed it, thanks frank!",
		"/reply 3 @repertoire why",
	)
	first, second := answerTo(out, "[5] #general ↳3 erin: @repertoire why"), answerTo(out, "[8] #general ↳3 erin: @repertoire why")
	if !strings.Contains(first, "as a tip") {
		t.Fatalf("test is blind: the first why does not say tip:\n%s", out)
	}
	if !strings.Contains(second, "a solution (score") || !strings.Contains(second, "erin, who asked, confirmed it worked") {
		t.Errorf("why after the asker's confirmation:\n%s", second)
	}
}

// `why` after the confirmation opened "I saved this exchange as detected …
// as a solution", though the save was as a tip and the confirmation made
// it a solution later. It says what happened in order.
func TestScenarioWhyTellsTheSaveThenTheConfirmation(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave", "@repertoire detect auto",
		"/as erin", "My builds fail with EINTEGRITY when installing packages, any idea?",
		"/as frank", "/reply 3 delete package-lock.json and run npm install again, the lockfile hash is stale",
		"/as erin", "/reply 3 that fixed it, thanks frank!",
		"/reply 3 @repertoire why",
	)
	why := answerTo(out, "[6] #general ↳3 erin: @repertoire why")
	if !strings.Contains(why, "as a tip (score") || !strings.Contains(why, "I made it a solution (score") {
		t.Errorf("why after the asker's confirmation:\n%s", out)
	}
	if strings.Contains(why, "first saved") {
		t.Errorf("why shows its record's marker:\n%s", why)
	}
}
