package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// A ✅ and then a 📖 on one open question: the answer's 💡 saves the kind
// named first, and the bot does not promise the second.
func TestScenarioTwoKindsNamedOnAnOpenQuestion(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as erin", "@repertoire how do I rotate the staging TLS certificate?",
		"/as carol", "/react 1 ✅",
		"/as frank", "/react 1 📖",
		"/as dave", "/reply 1 run certbot renew on the staging proxy, then reload nginx",
		"/as bob", "/react 5", // [2] [3] [4] are the bot's
	)
	a := answerTo(out, "frank reacted 📖 to [1]")
	if strings.Contains(a, "saved as a story") || !strings.Contains(a, "solution") {
		t.Errorf("the 📖 after a ✅ was answered:\n%s", out)
	}
	es := w.entries()
	if len(es) != 1 || es[0].Kind != repertoire.Solution {
		t.Errorf("entries %+v\n%s", es, out)
	}
}
