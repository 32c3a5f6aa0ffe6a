package shell_test

import (
	"strings"
	"testing"
)

// Detection suggested keeping an exchange members had saved already: after
// carol's 💡 (and the bot's 📚) on bob's answer, the asker's "thanks bob,
// that worked!" brought "Worth keeping? React 💡 to save it.", as if the
// save was lost; so did a thread kept with `save`. A thread whose answer
// or question is an entry members saved is no longer suggested; one
// nobody saved still is.
func TestScenarioDetectionLeavesSavedExchangesAlone(t *testing.T) {
	for _, save := range [][]string{{"/as carol", "/react 2"}, {"/as carol", "/reply 1 @repertoire save"}} {
		w := newWorld(t)
		lines := append([]string{
			"/as alice", "How do I flush the redis cache on staging?",
			"/as bob", "/reply 1 redis-cli -h staging-cache FLUSHALL",
		}, save...)
		out := w.play(append(lines, "/as alice", "/reply 1 thanks bob, that worked!")...)
		if strings.Contains(out, "Worth keeping?") {
			t.Errorf("a saved exchange was suggested (%s):\n%s", save[1], out)
		}
		// The control: a thread nobody saved is still suggested (a later
		// session, after the channel's pause between suggestions).
		out = w.play(
			"/as alice", "How do I restart the staging ldap server?",
			"/as bob", "/reply 1 sudo systemctl restart slapd on ldap-staging",
			"/as alice", "/reply 1 thanks bob, that worked!",
		)
		if !strings.Contains(out, "Worth keeping?") {
			t.Errorf("test is blind: the unsaved exchange was not suggested:\n%s", out)
		}
	}
}
