package shell_test

import (
	"strings"
	"testing"
)

// The shell's /ask searched whatever followed it, so "/ask help" and
// "/ask forget me" answered "I don't have anything on that yet", where
// Slack's /repertoire help gives the help and /repertoire forget me asks
// to forget. /ask now reads its text as /repertoire does; a question that
// starts with a command word is still a question.
func TestScenarioAskCommandReadsAsTheSlashCommand(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I reload nginx without dropping connections? #nginx",
		"/as bob", "/reply 1 nginx -s reload keeps the old workers until their connections end",
		"/as carol", "/react 2",
		"/as alice", "/ask help", "/ask forget me", "/ask forget me",
		"/as dave", "/ask help with nginx reload",
	)
	if strings.Count(out, "(only alice sees this) repertoire: I keep this community's repertoire") != 1 {
		t.Errorf("/ask help:\n%s", out)
	}
	if !strings.Contains(out, "(only alice sees this) repertoire: This removes from the repertoire") || !strings.Contains(out, "(only alice sees this) repertoire: Done: I removed") {
		t.Errorf("/ask forget me, twice:\n%s", out)
	}
	if es := w.entries(); len(es) != 1 || es[0].Question != "" {
		t.Errorf("alice's question is still kept: %+v", es)
	}
	if !strings.Contains(out, "(only dave sees this) repertoire: Here is what the repertoire has on “help with nginx reload”") {
		t.Errorf("/ask help with nginx reload is a question:\n%s", out)
	}
}
