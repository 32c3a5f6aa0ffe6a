package shell_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// Kind by reaction went to the last member allowed to change it: bob
// wrote the answer and named it a solution with ✅, then alice, who asked,
// reacted 📖 and it became a story, and bob was not told. Who wrote it
// knows what it is: while the author's emoji naming the kind is on the
// message, another's differing one does not change it and they are told
// why; the author can still change it, and without their emoji the
// asker or saver can.
func TestScenarioTheAuthorsKindStands(t *testing.T) {
	w := newWhisperingWorld(t)
	kind := func() repertoire.Kind {
		t.Helper()
		es := w.entries()
		if len(es) != 1 {
			t.Fatalf("entries: %+v", es)
		}
		return es[0].Kind
	}
	var afterAlice, afterBob repertoire.Kind
	out := w.playFrom(&typing{items: []any{
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2",
		"/as bob", "/react 2 ✅",
		"/as alice", "/react 2 📖", "/where",
		func() { afterAlice = kind() },
		"/as bob", "/react 2 📖", "/where",
		func() { afterBob = kind() },
		"/unreact 2 📖", "/unreact 2 ✅",
		"/as alice", "/unreact 2 📖", "/react 2 ✅",
	}})
	if afterAlice != repertoire.Solution || !strings.Contains(out, "(only alice sees this) repertoire: “How do I rotate the TLS certificate on the staging proxy? #tls” stays a solution: bob, who wrote it, named that kind") {
		t.Errorf("after alice's 📖 on bob's ✅: %s\n%s", afterAlice, out)
	}
	if afterBob != repertoire.Story {
		t.Errorf("after bob's own 📖: %s\n%s", afterBob, out)
	}
	if k := kind(); k != repertoire.Solution {
		t.Errorf("alice's ✅ once bob's emoji are gone: %s\n%s", k, out)
	}
}
