package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// An entry whose question or answer its author took back with an edit to
// "nvm" comes back when they edit it back: the question is the entry's
// again (recall finds it by its words), and the answer, its 💡 still on it,
// is saved again with the same saver. An answer nobody saved is not.
func TestScenarioEntryEditedToNothingAndBackIsRestored(t *testing.T) {
	w := newWorld(t)
	const question, answer = "how do I rotate the wireguard vpn keys on the gateway?", "run wg genkey, swap the PrivateKey in wg0.conf and restart wg-quick@wg0"
	var afterQuestionNvm, afterQuestionBack, afterAnswerNvm []repertoire.Entry
	out := w.playFrom(&typing{items: []any{
		"/as alice", question,
		"/as bob", "/reply 1 " + answer,
		"/as carol", "/react 2",
		"/as alice", "/edit 1 nvm", "/where",
		func() { afterQuestionNvm = w.entries() },
		"/edit 1 " + question, "/where",
		func() { afterQuestionBack = w.entries() },
		"@repertoire how do I rotate wireguard keys?",
		"/as bob", "/edit 2 nvm", "/where",
		func() { afterAnswerNvm = w.entries() },
		"/edit 2 " + answer,
		"/as dave", "how do I clear the npm cache?",
		"/as erin", "/reply 5 npm cache clean --force, then delete node_modules",
		"/edit 6 nvm", "/edit 6 npm cache clean --force, then delete node_modules",
	}})
	if len(afterQuestionNvm) != 1 || afterQuestionNvm[0].Question != "" {
		t.Fatalf("after the question's nvm: %+v\n%s", afterQuestionNvm, out)
	}
	if len(afterQuestionBack) != 1 || afterQuestionBack[0].Question != question {
		t.Fatalf("question edited back: %+v\n%s", afterQuestionBack, out)
	}
	if !strings.Contains(answerTo(out, "alice: @repertoire how do I rotate wireguard keys?"), "wg genkey") {
		t.Fatalf("recall did not find the restored entry:\n%s", out)
	}
	if len(afterAnswerNvm) != 0 {
		t.Fatalf("after the answer's nvm: %+v\n%s", afterAnswerNvm, out)
	}
	es := w.entries()
	if len(es) != 1 || es[0].Question != question || es[0].Answer != answer {
		t.Fatalf("answer edited back (one entry, the unsaved npm answer not saved): %+v\n%s", es, out)
	}
	if len(es[0].Savers) != 1 || es[0].Savers[0].ID != "U-carol" {
		t.Errorf("savers of the restored entry: %+v", es[0].Savers)
	}
}
