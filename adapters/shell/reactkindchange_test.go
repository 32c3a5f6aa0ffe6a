package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// The member who saved a message with 💡 adds ✅: it stayed a tip, silently,
// though `save solution` from the same member changes the kind. A capture
// emoji naming another kind, from one who may change it (who wrote, asked
// or saved it), now changes it and tells them; anyone else's is a vote.
func TestScenarioReactionNamingAKindChangesASavedEntry(t *testing.T) {
	w := newWhisperingWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2", "/react 2 ✅",
		"/as dan", "/react 2 📖",
	)
	es := w.entries()
	if len(es) != 1 || es[0].Kind != repertoire.Solution || es[0].Votes != 2 {
		t.Fatalf("after carol's ✅ and dan's 📖: %+v", es)
	}
	if a := answerTo(out, "carol reacted ✅ to [2]"); !strings.Contains(a, "(only carol sees this)") || !strings.Contains(a, "it is a solution now") {
		t.Errorf("carol was not told:\n%s", out)
	}
	if a := answerTo(out, "dan reacted 📖 to [2]"); strings.Contains(a, "now") {
		t.Errorf("dan's vote changed or said something:\n%s", out)
	}
}
