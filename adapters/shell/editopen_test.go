package shell_test

import (
	"strings"
	"testing"
)

// An open question follows its message's edits, as an entry does: the
// digest asks for what the member asks now, not for their first words.
func TestScenarioEditedOpenQuestionIsAskedAsEdited(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as frank", "How do I reset my 2FA token for the VPN?",
		"/as gina", "/react 1",
		"/as frank", "/edit 1 How do I reset my 2FA token for the VPN portal?",
		"/as erin", "@repertoire how do I rotate the staging certificate?",
		"/edit 3 @repertoire how do I rotate the staging TLS certificate?",
		"@repertoire digest now",
	)
	d := answerTo(out, "digest now")
	for _, want := range []string{"VPN portal?", "rotate the staging TLS certificate?"} {
		if !strings.Contains(d, want) {
			t.Errorf("the digest does not ask %q:\n%s", want, out)
		}
	}
	if n := len(w.open("general")); n != 2 {
		t.Errorf("%d open questions, want 2: %+v", n, w.open("general"))
	}
}
