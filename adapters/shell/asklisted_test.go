package shell_test

import (
	"strings"
	"testing"
)

// A member who asked with the bot's name (listed as an open question) and
// then the same by slash command was told "ask it with @repertoire in a
// channel to have it listed", as if it were not. They are told it is
// listed already; another question asked privately still gets the hint.
func TestScenarioPrivateAskOfAListedQuestionSaysItIsListed(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave",
		"@repertoire how do I rotate the vault root token?",
		"/ask how do I rotate the vault root token?",
		"/ask how do I unseal the vault after a restart?",
	)
	if len(w.open("general")) != 1 {
		t.Fatalf("test is blind: the mention was not listed:\n%s", out)
	}
	lines := strings.Split(out, "\n")
	var private []string
	for _, l := range lines {
		if strings.HasPrefix(l, "(only dave sees this)") {
			private = append(private, l)
		}
	}
	if len(private) != 2 {
		t.Fatalf("want two private answers:\n%s", out)
	}
	if !strings.Contains(private[0], "listed already") || strings.Contains(private[0], "to have it listed") {
		t.Errorf("the private ask of the listed question:\n%s", private[0])
	}
	if !strings.Contains(private[1], "to have it listed") {
		t.Errorf("the private ask of another question:\n%s", private[1])
	}
}
