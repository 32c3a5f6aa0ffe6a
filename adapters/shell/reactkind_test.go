package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// /help pairs the kinds with their emoji ("💡 tip, ✅ solution, 📖
// story"), and a newcomer types "/react 2 solution": it was a custom
// emoji named "solution", and nothing was saved. The kind's name now
// stands for its emoji.
func TestScenarioReactWithAKindsName(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2 solution",
	)
	if !strings.Contains(out, "carol reacted ✅ to [2]") {
		t.Errorf("the reaction:\n%s", out)
	}
	if es := w.entries(); len(es) != 1 || es[0].Kind != repertoire.Solution {
		t.Errorf("entries: %+v", es)
	}
}
