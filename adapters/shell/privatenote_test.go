package shell_test

import (
	"strings"
	"testing"
)

// A search that is no question ("salary band") would not be listed as an
// open question wherever it was asked: the bot does not tell the member
// who searched privately or in a direct message that asking in a channel
// would list it. A real question still gets the note.
func TestScenarioPrivateSearchGetsNoListingNote(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as gina", "/ask salary band",
		"/ask how do I rotate the staging TLS certificate?",
		"/dm", "note to self: the staging vpn profile lives in 1password",
	)
	whispers := strings.Split(out, "(only gina sees this)")
	if len(whispers) != 3 {
		t.Fatalf("%d private answers, want 2:\n%s", len(whispers)-1, out)
	}
	if a := whispers[1]; strings.Contains(a, "listed") || !strings.Contains(a, "don't have anything") {
		t.Errorf("the private search:\n%s", a)
	}
	if a := whispers[2]; !strings.Contains(a, "to have it listed as an open question") {
		t.Errorf("the private question:\n%s", a)
	}
	if a := answerTo(out, "note to self"); strings.Contains(a, "Questions in a direct message") {
		t.Errorf("a note in a direct message is told about questions:\n%s", a)
	}
}
