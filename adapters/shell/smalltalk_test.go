package shell_test

import (
	"strings"
	"testing"
)

// A member who thanks the bot in a DM, or says "ok", gets a short friendly
// answer, not a failed search; a DM that is a search without a question
// mark or an interrogative ("redis cache flush") is still searched. The
// obvious rule, "no question, no search", would miss that one.
func TestScenarioSmallTalkInADirectMessage(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as alice", "How do I flush the redis cache on staging?",
		"/as dave", "/reply 1 run redis-cli FLUSHALL on the staging cache host",
		"/as alice", "/react 2 ✅",
	)
	if n := len(w.entries()); n != 1 {
		t.Fatalf("%d entries, want the redis answer: %+v", n, w.entries())
	}
	out := w.play("/as bob", "/dm",
		"redis cache flush",
		"thanks!",
		"ok",
		"great, that worked",
		"flush the staging cache",
		"hello",
		"how do I flush the redis cache",
		"thanks! and how do I flush the staging redis cache",
	)
	for _, q := range []string{"redis cache flush", "flush the staging cache", "how do I flush the redis cache", "thanks! and how do I flush the staging redis cache"} {
		if a := answerTo(out, "bob: "+q+"\n"); !strings.Contains(a, "FLUSHALL") {
			t.Errorf("the search %q was not answered with the entry:\n%s", q, a)
		}
	}
	for _, said := range []string{"thanks!", "ok", "great, that worked", "hello"} {
		a := answerTo(out, "bob: "+said+"\n")
		if strings.Contains(a, "anything on that") || strings.Contains(a, "FLUSHALL") || !strings.Contains(a, "repertoire:") {
			t.Errorf("%q was searched, or not answered:\n%s", said, a)
		}
	}
	if a := answerTo(out, "bob: thanks!\n"); !strings.Contains(a, "welcome") {
		t.Errorf("thanks:\n%s", a)
	}
	if a := answerTo(out, "bob: hello\n"); !strings.Contains(a, "`help`") {
		t.Errorf("hello gets no hint of help:\n%s", a)
	}
}

// "@repertoire : help", with a space before the colon, is the help command,
// as "@repertoire: help" is; so is "@repertoire , save" a save.
func TestScenarioSpaceBeforeTheColonAfterTheName(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"@repertoire : help",
		"/as alice", "How do I flush the redis cache on staging?",
		"/as dave", "/reply 2 run redis-cli FLUSHALL on the staging cache host",
		"/as alice", "/reply 2 @repertoire , save #redis",
	)
	if a := answerTo(out, "@repertoire : help"); !strings.Contains(a, "forget me") || strings.Contains(a, "anything on that") {
		t.Errorf("help with a space before the colon:\n%s", a)
	}
	es := w.entries()
	if len(es) != 1 || !strings.Contains(es[0].Answer, "FLUSHALL") {
		t.Errorf("save with a space before the comma: %+v\n%s", es, out)
	}
}

// A newcomer asks the bot what it does ("what can you do?", "help me",
// "commands") and gets its help, not "I don't have anything on that yet";
// "forget" alone says how to be forgotten. A question about something
// else that starts the same way is still searched.
func TestScenarioQuestionsAboutTheBotGetItsHelp(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"@repertoire what can you do?",
		"@repertoire help me",
		"@repertoire commands",
		"@repertoire forget",
		"@repertoire what can I do about slow webpack builds?",
		"@repertoire help with nginx reloads",
		"/dm",
		"how do I use this bot?",
		"forget",
	)
	for _, q := range []string{"@repertoire what can you do?", "@repertoire help me", "@repertoire commands", "you: how do I use this bot?"} {
		if a := answerTo(out, q+"\n"); !strings.Contains(a, "forget me` removes everything") {
			t.Errorf("%q did not get the help:\n%s", q, a)
		}
	}
	if a := answerTo(out, "@repertoire forget\n"); !strings.Contains(a, "say `@repertoire forget me`") {
		t.Errorf("forget alone:\n%s", a)
	}
	if a := answerTo(out, "you: forget\n"); !strings.Contains(a, "say `forget me`") {
		t.Errorf("forget alone in a DM:\n%s", a)
	}
	for _, q := range []string{"slow webpack builds?", "help with nginx reloads"} {
		if a := answerTo(out, q+"\n"); !strings.Contains(a, "anything on that") {
			t.Errorf("%q was not searched:\n%s", q, a)
		}
	}
}

// "@repertoire yes" in the thread of a "Worth keeping?" suggestion is told
// how to keep the exchange, not a thumbs-up that reads as if it was kept
// (nor a search for "yes").
func TestScenarioYesToASuggestionSaysHowToKeepIt(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "how do I make the docker build cache survive CI runs?",
		"/as bob", "/reply 1 mount a cache volume with --mount=type=cache,target=/root/.cache in the Dockerfile",
		"/as alice", "/reply 1 thanks, that worked!",
		"/reply 1 @repertoire yes",
	)
	if !strings.Contains(out, "Worth keeping?") {
		t.Fatalf("no suggestion to answer:\n%s", out)
	}
	if a := answerTo(out, "alice: @repertoire yes"); !strings.Contains(a, "react to my suggestion with 💡") || !strings.Contains(a, "`@repertoire save`") {
		t.Errorf("yes to the suggestion:\n%s", a)
	}
	if n := len(w.entries()); n != 0 {
		t.Errorf("%d entries: a yes saved something", n)
	}
}

// Nudges and detection set in a DM with the bot are told they are a
// channel's settings, not confirmed as if they did something there.
func TestScenarioChannelSettingsInADirectMessage(t *testing.T) {
	w := newWorld(t)
	out := w.play("/dm", "nudges on", "detect auto", "/channel general", "@repertoire nudges on")
	for _, said := range []string{"you: nudges on\n", "you: detect auto\n"} {
		if a := answerTo(out, said); !strings.Contains(a, "a channel's setting") {
			t.Errorf("%q in a DM:\n%s", said, a)
		}
	}
	if a := answerTo(out, "you: @repertoire nudges on\n"); !strings.Contains(a, "Nudges are on here") {
		t.Errorf("nudges on in a channel:\n%s", a)
	}
}
