package shell_test

import (
	"strings"
	"testing"
)

// A title cut short on the digest and in recall's answer ends at a whole
// character: "👩‍👩‍👧‍👦 👩‍👩…" showed a family of two, cut from one of four, and
// a flag could lose a letter.
func TestScenarioLongTitleIsCutAtAWholeCharacter(t *testing.T) {
	family := "👩\u200d👩\u200d👧\u200d👦"
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I tune the zookeeper session timeouts for flaky networks? éééé "+strings.Repeat(family+" ", 40),
		"/as bob", "/reply 1 Set tickTime=2000 and maxSessionTimeout=40000, then restart the quorum one node at a time "+strings.Repeat("🇫🇷", 100),
		"/as carol", "/react 2",
		"@repertoire zookeeper session timeouts flaky",
		"@repertoire digest now",
	)
	for _, marker := range []string{"zookeeper session timeouts flaky", "digest now"} {
		a := answerTo(out, marker)
		if !strings.Contains(a, "…") {
			t.Fatalf("nothing was cut:\n%s", a)
		}
		if z, f := strings.Count(a, "\u200d"), strings.Count(a, family); z != 3*f {
			t.Errorf("a family emoji cut in two (%d joiners in %d families):\n%s", z, f, a)
		}
		flags := 0
		for _, r := range a {
			if r >= 0x1F1E6 && r <= 0x1F1FF {
				flags++
			}
		}
		if flags%2 != 0 {
			t.Errorf("a flag cut in two:\n%s", a)
		}
	}
}
