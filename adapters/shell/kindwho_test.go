package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// `save KIND` on an entry saved already changes its kind when its author,
// its first saver or the member who asked the question says it; anyone
// else is told who may, not that "the members who saved it" may, right
// after being told their save was counted.
func TestScenarioWhoMayChangeAnEntrysKind(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "Why does the frontend build fail with heap out of memory?",
		"/as bob", "/reply 1 set NODE_OPTIONS=--max-old-space-size=4096 before npm run build",
		"/as carol", "/reply 1 @repertoire save",
		"/as alice", "/reply 1 @repertoire save tip",
		"/as dave", "/reply 1 @repertoire save story",
	)
	if a := answerTo(out, "alice: @repertoire save tip"); !strings.Contains(a, "it is a tip now") {
		t.Errorf("the asker could not name the kind:\n%s", a)
	}
	a := answerTo(out, "dave: @repertoire save story")
	if strings.Contains(a, "members who saved it") || !strings.Contains(a, "bob") || !strings.Contains(a, "carol") || !strings.Contains(a, "alice") {
		t.Errorf("dave is not told who may change the kind:\n%s", a)
	}
	if es := w.entries(); len(es) != 1 || es[0].Kind != repertoire.Tip {
		t.Errorf("entries %+v", es)
	}
}
