package shell_test

import (
	"strings"
	"testing"
)

// `save` outside a thread was told "Use `save` as a reply in the thread
// you want to keep": in a channel "save" alone in the thread is no
// request (the bot's name is needed), and a DM has no threads, where a
// note is kept by reaction. Each is told what works where it was said;
// the shell's own member reads "only you see this".
func TestScenarioSaveOutsideAThreadSaysWhatWorksThere(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"@repertoire save",
		"/ask save",
		"/dm", "save",
	)
	if a := answerTo(out, "you: @repertoire save"); !strings.Contains(a, "Say `@repertoire save` as a reply in the thread") {
		t.Errorf("save at a channel's top level:\n%s", out)
	}
	if !strings.Contains(out, "(only you see this) repertoire: Say `@repertoire save` as a reply") {
		t.Errorf("save by the slash command:\n%s", out)
	}
	if a := answerTo(out, "#dm-you you: save"); !strings.Contains(a, "react 💡") || strings.Contains(a, "thread you want") {
		t.Errorf("save in a DM:\n%s", out)
	}
}
