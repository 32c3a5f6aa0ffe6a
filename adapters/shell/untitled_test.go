package shell_test

// An entry without a question (a tip posted on its own, or an answer whose
// asker was forgotten) is known by its answer's first line: a recall
// answer shows that line once, as the title, and quotes only what follows.

import (
	"strings"
	"testing"
)

func TestScenarioTipWithoutQuestionIsShownOnce(t *testing.T) {
	w := newWorld(t)
	tip := "heads up: to restart the VPN gateway run sudo systemctl restart openvpn@server"
	out := w.play(
		"/as bob", tip+" #vpn",
		"/as carol", "/react 1",
		"@repertoire how do I restart the vpn gateway?",
	)
	a := answerTo(out, "restart the vpn gateway?")
	if n := strings.Count(a, "systemctl restart openvpn"); n != 1 {
		t.Errorf("the tip's words are shown %d times, want once:\n%s", n, a)
	}
	if !strings.Contains(a, "1. "+tip) || !strings.Contains(a, "tip by bob") || !strings.Contains(a, "shell:#general/") {
		t.Errorf("the tip lost its title, credit or link:\n%s", a)
	}
}

func TestScenarioLongTipQuotesOnlyWhatItsTitleDoesNotShow(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave", "Tip: when the build cache is corrupted, run go clean -cache and then go build again; "+
			"if that does not help, delete the whole GOCACHE directory and rebuild the module from scratch",
		"/as carol", "/react 1",
		"@repertoire how do I fix a corrupted build cache?",
	)
	a := answerTo(out, "corrupted build cache?")
	for _, words := range []string{"Tip: when the build cache", "go clean -cache", "delete the whole"} {
		if n := strings.Count(a, words); n != 1 {
			t.Errorf("%q is shown %d times, want once:\n%s", words, n, a)
		}
	}
	if !strings.Contains(a, "tip by dave") || !strings.Contains(a, "shell:#general/") {
		t.Errorf("the tip lost its credit or link:\n%s", a)
	}
}

func TestScenarioAnswerOfAForgottenAskerIsShownOnce(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as alice", "How do I undo the last git commit but keep the changes?",
		"/as dave", "/reply 1 git reset --soft HEAD~1 keeps them staged",
		"/as carol", "/react 2",
	)
	w.play("/as alice", "@repertoire forget me", "@repertoire forget me")
	if es := w.entries(); len(es) != 1 || es[0].Question != "" {
		t.Fatalf("after alice's forget: %+v", es)
	}
	out := w.play("/as erin", "@repertoire git reset soft")
	a := answerTo(out, "git reset soft")
	if n := strings.Count(a, "HEAD~1 keeps them staged"); n != 1 {
		t.Errorf("the answer is shown %d times, want once:\n%s", n, a)
	}
	if !strings.Contains(a, "by dave") || !strings.Contains(a, "shell:#general/") {
		t.Errorf("the answer lost its credit or link:\n%s", a)
	}
}
