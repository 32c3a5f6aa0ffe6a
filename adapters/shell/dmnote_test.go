package shell_test

import (
	"strings"
	"testing"
)

// A newcomer writes something to remember in a DM with the bot; it was
// searched and answered "I don't have anything on that yet", nothing more.
// The answer now says how to keep it (react with a capture emoji), and
// the reaction keeps it; a keyword search or a question gets no such hint.
func TestScenarioNoteInADirectMessageSaysHowToKeepIt(t *testing.T) {
	w := newWorld(t)
	out := w.play("/as gina", "/dm",
		"the staging vpn profile lives in 1password vault ops", // [1]
		"redis cache flush",
		"where is the vpn profile?",
		"/react 1",
		"vpn profile",
	)
	if a := answerTo(out, "gina: the staging vpn profile"); !strings.Contains(a, "To keep it as a note") || !strings.Contains(a, "💡") {
		t.Errorf("the note:\n%s", a)
	}
	for _, q := range []string{"gina: redis cache flush", "gina: where is the vpn profile?"} {
		if a := answerTo(out, q); strings.Contains(a, "To keep it") {
			t.Errorf("%q got the note hint:\n%s", q, a)
		}
	}
	if a := answerTo(out, "gina: vpn profile\n"); !strings.Contains(a, "1password") {
		t.Errorf("the kept note is not found:\n%s", a)
	}
}
