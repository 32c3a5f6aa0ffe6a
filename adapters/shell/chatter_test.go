package shell_test

import (
	"strings"
	"testing"
)

// A 💡 on chatter ("hello", "thanks!") saves nothing, and the bot says
// why: recall could never find it. A short answer in a thread is still
// saved with its question, and so is a tip that is just a link.
func TestScenarioChatterIsNotSaved(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I make C++ builds faster on the CI runners?",
		"/as dave", "/reply 1 ccache",
		"/reply 1 thanks!",
		"/as erin", "runbook: https://wiki.example.com/tls-rotation",
		"/as alice", "hello",
		"/as bob", "/react 2", "/react 3", "/react 4", "/react 5",
		"/as carol", "/react 5",
	)
	for _, e := range w.entries() {
		if e.Answer == "hello" || e.Answer == "thanks!" {
			t.Errorf("chatter was saved: %+v", e)
		}
	}
	if n := len(w.entries()); n != 2 {
		t.Errorf("%d entries, want ccache and the runbook link: %+v", n, w.entries())
	}
	// Told in the thread (a platform that cannot whisper), to the first
	// member who reacted: for thanks and for hello.
	if n := strings.Count(out, "repertoire: Not saved"); n != 2 {
		t.Errorf("the bot said why %d times, want for thanks and for hello:\n%s", n, out)
	}
}

// `save` under chatter says why it saved nothing, as the 💡 does, rather
// than that the thread holds nothing.
func TestScenarioSaveOfChatterSaysWhy(t *testing.T) {
	w := newWorld(t)
	out := w.play("/as alice", "hello", "/as bob", "/reply 1 @repertoire save")
	if a := answerTo(out, "@repertoire save"); !strings.Contains(a, "says too little") {
		t.Errorf("save under chatter:\n%s", out)
	}
	if n := len(w.entries()); n != 0 {
		t.Errorf("%d entries, want none: %+v", n, w.entries())
	}
}

// A 💡 or ✅ on the bot's own answer saves nothing, and the member who
// reacted is told so, and how to say the answer helped, instead of
// hearing nothing; once, whatever the redeliveries.
func TestScenarioCaptureEmojiOnTheBotsAnswer(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "how do I make the docker build cache survive CI runs?",
		"/as bob", "/reply 1 mount a cache volume with --mount=type=cache,target=/root/.cache in the Dockerfile",
		"/as alice", "/react 2 ✅",
		"/as carol", "@repertoire docker cache in CI", // answered in 4
		"/react 4", "/redeliver",
	)
	if !strings.Contains(out, "[4] #general ↳3 repertoire: Here is what") {
		t.Fatalf("the answer is not message 4:\n%s", out)
	}
	if n := strings.Count(out, "repertoire: Not saved: my answers"); n != 1 {
		t.Errorf("carol was told %d times, want once:\n%s", n, out)
	}
	if n := len(w.entries()); n != 1 {
		t.Errorf("%d entries, want the one saved: %+v", n, w.entries())
	}
}
