package shell_test

import (
	"strings"
	"testing"
)

// A member who reacted 💡 and ✅ to a message and takes the 💡 back still
// has a capture emoji on it: the entry stays (it used to go, with the ✅
// still showing). Taking the ✅ back too undoes the save.
func TestScenarioTakingBackOneOfTwoCaptureEmojiKeepsTheSave(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2", "/react 2 ✅", "/unreact 2",
		"@repertoire how do I rotate the tls certificate?",
		"/unreact 2 ✅",
	)
	if a := answerTo(out, "rotate the tls certificate?"); !strings.Contains(a, "certbot") {
		t.Errorf("after taking back 💡 with ✅ still there, recall does not find it:\n%s", out)
	}
	if n := len(w.entries()); n != 0 {
		t.Errorf("%d entries after both emoji were taken back, want 0", n)
	}
}
