package shell_test

import (
	"strings"
	"testing"
)

// A thread opened by a request to the bot ("@repertoire help", a save in
// the wrong place) holds no knowledge: "@repertoire save" in it saves
// nothing, as a 💡 on the request would, and says so.
func TestScenarioSaveInARequestsThreadSavesNothing(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "@repertoire save",
		"/reply 1 @repertoire save #ci",
		"/as bob", "@repertoire help",
		"/reply 5 @repertoire save",
		"@repertoire digest now",
	)
	if es := w.entries(); len(es) != 0 {
		t.Errorf("a request to the bot was saved: %+v\n%s", es, out)
	}
	for _, marker := range []string{"↳1 alice: @repertoire save #ci", "↳5 bob: @repertoire save"} {
		if a := answerTo(out, marker); !strings.Contains(a, "I found nothing to save in this thread.") {
			t.Errorf("after %q:\n%s", marker, a)
		}
	}
}
