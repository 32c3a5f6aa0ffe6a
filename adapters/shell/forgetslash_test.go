package shell_test

import (
	"strings"
	"testing"
)

// "forget me" asked by slash command was told to "say `@repertoire forget
// me` again": it names the slash command now, as the member said it, and
// a mention still names the mention.
func TestScenarioForgetMeBySlashCommandNamesTheCommand(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "/ask forget me",
		"/as bob", "@repertoire forget me",
	)
	alice := "(only alice sees this) repertoire: This removes from the repertoire"
	if !strings.Contains(out, alice) || !strings.Contains(answerLine(out, alice), "say `/ask forget me` again") {
		t.Errorf("/ask forget me:\n%s", out)
	}
	if !strings.Contains(answerTo(out, "bob: @repertoire forget me"), "say `@repertoire forget me` again") {
		t.Errorf("@repertoire forget me:\n%s", out)
	}
}

// answerLine is the line of out that starts with marker (after any
// number in brackets), or "".
func answerLine(out, marker string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, marker) {
			return l
		}
	}
	return ""
}
