package shell_test

import (
	"strings"
	"testing"
)

// A question asked of the bot and then answered and saved is kept
// without the bot's name ("how do I rotate the vpn keys?"); editing it
// put the name back: the entry was titled "@repertoire how do I rotate
// the wireguard vpn keys?" in recall and digests. An edit is now kept as
// the save keeps it.
func TestScenarioEditedQuestionToTheBotKeepsItsTitle(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "@repertoire how do I rotate the vpn keys?",
		"/as bob", "/reply 1 run rotate-keys.sh on the gateway, then restart wireguard", "/reply 1 @repertoire save",
		"/as alice", "/edit 1 @repertoire how do I rotate the wireguard vpn keys?",
		"@repertoire how do I rotate the wireguard keys?",
	)
	es := w.entries()
	if len(es) != 1 || es[0].Question != "how do I rotate the wireguard vpn keys?" {
		t.Fatalf("after the edit: %+v\n%s", es, out)
	}
	if a := answerTo(out, "alice: @repertoire how do I rotate the wireguard keys?"); !strings.Contains(a, "1. how do I rotate the wireguard vpn keys?") {
		t.Errorf("recall:\n%s", a)
	}
}
