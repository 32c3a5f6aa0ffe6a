package shell_test

import (
	"strings"
	"testing"
)

// With detect auto, an exchange the bot kept and a member confirmed with 💡
// stays kept when that member takes the 💡 back: it goes back to being
// spotted in conversation, unconfirmed. Before, taking back the only 💡
// deleted the entry the bot had kept, and the digest lost it.
func TestScenarioTakingBackAConfirmationKeepsTheDetectedEntry(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"@repertoire detect auto",
		"/as carol", "How do I clear the npm cache on the CI runners?", // 3
		"/as dave", "/reply 3 run npm cache clean --force in the pre-build hook", // 4
		"/as carol", "/reply 3 perfect, that fixed it, thanks dave", // 5
		"/as erin", "/react 4", "/unreact 4",
		"@repertoire digest now",
	)
	es := w.entries()
	if len(es) != 1 {
		t.Fatalf("%d entries after erin took back her 💡, want the detected one:\n%s", len(es), out)
	}
	if es[0].Status != "detected" || len(es[0].Savers) != 0 {
		t.Errorf("the entry after erin took back her 💡: status %s, savers %v", es[0].Status, es[0].Savers)
	}
	d := answerTo(out, "digest now")
	if !strings.Contains(d, "Spotted in conversation") || !strings.Contains(d, "clear the npm cache") {
		t.Errorf("the digest does not list the exchange as spotted:\n%s", d)
	}
}
