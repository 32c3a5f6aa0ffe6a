package shell_test

import (
	"strings"
	"testing"
)

// A question asked of the bot and edited to "nvm" leaves the digest; its
// author editing it back to a question did not bring it back: the digest
// no longer asked anyone. It is open again, as asked now, unless something
// answered it (the bot's reply was an answer from the repertoire, or an
// answer in its thread was saved).
func TestScenarioWithdrawnQuestionEditedBackIsOpenAgain(t *testing.T) {
	w := newWorld(t)
	var afterNvm int
	out := w.playFrom(&typing{items: []any{
		"/as alice", "@repertoire how do I rotate the vpn keys on the gateway?",
		"/edit 1 @repertoire nvm", "/where",
		func() { afterNvm = len(w.open("general")) },
		"/edit 1 @repertoire how do I rotate the wireguard keys on the gateway?",
	}})
	if afterNvm != 0 {
		t.Fatalf("%d open after nvm\n%s", afterNvm, out)
	}
	if qs := w.open("general"); len(qs) != 1 || qs[0].Text != "how do I rotate the wireguard keys on the gateway?" {
		t.Fatalf("open after the edit back: %+v\n%s", qs, out)
	}
	// Answered from the repertoire: never open, so not after either.
	out = w.play(
		"/as bob", "How do I flush the redis cache on staging?",
		"/as carol", "/reply 1 run redis-cli FLUSHALL on the staging cache host",
		"/as dave", "/react 2",
		"/as erin", "@repertoire how do I flush the staging redis cache?",
		"/edit 3 @repertoire nvm, found it",
		"/edit 3 @repertoire how do I flush the staging redis cache?",
		// Answered in its thread and saved.
		"/as frank", "@repertoire how do I restart the staging ldap server?",
		"/as gina", "/reply 5 sudo systemctl restart slapd on ldap-staging",
		"/as frank", "/react 7", "/edit 5 @repertoire nvm", "/edit 5 @repertoire how do I restart the staging ldap server?",
	)
	if !strings.Contains(answerTo(out, "erin: @repertoire how do I flush"), "FLUSHALL") {
		t.Fatalf("erin's question was not answered:\n%s", out)
	}
	if qs := w.open("general"); len(qs) != 1 {
		t.Errorf("open questions: %+v\n%s", qs, out)
	}
}
