package shell_test

import (
	"strings"
	"testing"
)

// A capture emoji on chatter is refused with a note to the member who
// reacted (in the thread, where the platform cannot whisper). When the author edited the message to "nvm" and back, the
// emoji still on it was applied again and the note said a second time.
// Each member hears it once per message.
func TestScenarioChatterNoteIsSaidOncePerMessage(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "good morning all",
		"/as bob", "/react 1",
		"/as alice", "/edit 1 nvm", "/edit 1 good morning all",
		"/as carol", "/react 1",
	)
	// The world does not whisper: the note is in the thread, for the first
	// member with the emoji only (carol saw it).
	if n := strings.Count(out, "repertoire: Not saved"); n != 1 {
		t.Errorf("the note that the message was not saved was said %d times, want once:\n%s", n, out)
	}
	if len(w.entries()) != 0 {
		t.Errorf("chatter saved: %+v", w.entries())
	}
}
