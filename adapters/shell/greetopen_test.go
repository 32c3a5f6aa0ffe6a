package shell_test

import (
	"strings"
	"testing"
)

// A greeting asked as a question ("good morning! how is everybody?",
// "hey folks, afternoon all?") is not listed on the digest for someone who
// knows: its words hail the room and name no topic. A real question that
// opens with a greeting still is.
func TestScenarioGreetingIsNoOpenQuestion(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave",
		"@repertoire good morning! how is everybody?",
		"@repertoire hey folks, good afternoon all?",
		"@repertoire hello everyone, how is everyone this evening?",
		"@repertoire hi all, how do I rotate the staging vpn keys?",
		"@repertoire digest now",
	)
	d := answerTo(out, "digest now")
	for _, junk := range []string{"how is everybody", "good afternoon", "this evening"} {
		if strings.Contains(d, junk) {
			t.Errorf("the digest lists a greeting as an open question (%q):\n%s", junk, d)
		}
	}
	if !strings.Contains(d, "rotate the staging vpn keys") {
		t.Errorf("the real question is not open:\n%s", d)
	}
}
