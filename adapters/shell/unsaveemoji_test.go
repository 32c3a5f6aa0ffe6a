package shell_test

import (
	"strings"
	"testing"
)

// `unsave` by a member who saved or voted with a capture emoji took the
// save back but left their 💡 on the message, where it still read as a
// save to others, and nothing said so (the bot cannot take it off). The
// reply now says to take it off; a save made with `save` has none.
func TestScenarioUnsaveSaysTheEmojiStillShows(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/reply 1 @repertoire save",
		"/as dan", "/react 2", "/reply 1 @repertoire unsave",
		"/as carol", "/reply 1 @repertoire unsave",
	)
	if a := answerTo(out, "dan: @repertoire unsave"); !strings.Contains(a, "took back your vote") || !strings.Contains(a, "Your 💡 still shows on the message") {
		t.Errorf("dan's unsave:\n%s", out)
	}
	if a := answerTo(out, "carol: @repertoire unsave"); !strings.Contains(a, "took back your save") || strings.Contains(a, "still shows") {
		t.Errorf("carol's unsave:\n%s", out)
	}
}
