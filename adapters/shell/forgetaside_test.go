package shell_test

import (
	"strings"
	"testing"
)

// "forget me" said in a public channel was answered in the thread, where
// everyone read the warning, the "nothing is removed yet" note and what
// was removed. Where the platform can whisper, these go to the member
// alone; in a DM they are the reply, as before.
func TestScenarioForgetMeInAChannelIsWhispered(t *testing.T) {
	w := newWhisperingWorld(t)
	out := w.play(
		"/as alice", "@repertoire forget me", "@repertoire yes", "@repertoire forget me",
		"/dm", "forget me",
	)
	for _, said := range []string{"This removes from the repertoire", "Nothing is removed yet", "Done: I removed"} {
		if !strings.Contains(out, "(only alice sees this) repertoire: "+said) {
			t.Errorf("%q is not whispered to alice:\n%s", said, out)
		}
	}
	if strings.Contains(out, "#general ↳") {
		t.Errorf("the bot answered in #general for all to read:\n%s", out)
	}
	if !strings.Contains(out, "#dm-alice repertoire: This removes") {
		t.Errorf("the DM's warning:\n%s", out)
	}
}

// Where the platform cannot whisper, the warning stays the thread's reply.
func TestScenarioForgetMeWhereNothingWhispers(t *testing.T) {
	w := newWorld(t)
	out := w.play("/as alice", "@repertoire forget me")
	if a := answerTo(out, "alice: @repertoire forget me"); !strings.Contains(a, "#general ↳1 repertoire: This removes") {
		t.Errorf("the warning:\n%s", out)
	}
}
