package shell_test

import (
	"strings"
	"testing"
)

// Message numbers count the bot's posts too, so a member who mistyped
// one acted on the bot's post or a request to the bot, and when the bot
// answers that with nothing (a 👍 on anything but its answer; a reply,
// which lands in the post's thread) nothing showed the mistake. The shell
// now says what message N is then. A capture emoji on either is answered
// by the bot itself; a 👍 on the bot's answer and a reply in its thread
// are meant, and get no note.
func TestScenarioShellSaysWhatAMistypedNumberIs(t *testing.T) {
	w := newWhisperingWorld(t) // as the shell is: the bot's notes on reactions are whispered
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/reply 1 @repertoire save",
		"/as dan", "/react 3 👍", "/react 4 👍", "/reply 4 nice",
		"@repertoire how are certificates rotated?", // [6], answered in [7]
		"/react 7 👍", "/reply 7 thanks, that helped", "/react 2", "/react 3",
	)
	for _, want := range []string{
		"dan reacted 👍 to [3] (note: [3] is carol's request to repertoire, “@repertoire save”: a 👍 or 👎 counts on repertoire's answer)",
		"dan reacted 👍 to [4] (note: [4] is repertoire's post, “Saved “How do I rotate",
		"[5] #general ↳1 dan: nice\n(note: [4] is repertoire's post",
		"dan reacted 👍 to [7]\n",
		"dan reacted 💡 to [2]\n",
		"dan reacted 💡 to [3]\n(only dan sees this) repertoire: Not saved",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "(note:"); n != 3 {
		t.Errorf("%d notes, want 3:\n%s", n, out)
	}
}
