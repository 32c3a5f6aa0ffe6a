package shell_test

import (
	"strings"
	"testing"
)

// A capture emoji on a request to the bot saved nothing and said nothing,
// so the member took the silence for a save: in a DM on their own "digest
// now" or their own question the bot answered, in a channel on "@repertoire
// save" or a question the bot answered from the repertoire. Each now says
// why, once per member and message; a note in a DM is still kept.
func TestScenarioCaptureOnARequestSaysWhyNothingWasSaved(t *testing.T) {
	w := newWhisperingWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/reply 1 @repertoire save", "/react 3", "/react 3 ✅",
		"/as dan", "@repertoire how are certificates rotated?", "/react 5", // answered in [6]
		"/dm", "digest now", "/react 7", // [8] the digest
		"how are certificates rotated?", "/react 9", "/react 9 ✅", // answered in [10]
		"the staging vpn profile lives in 1password under ops", "/react 11",
	)
	for _, want := range []string{
		"(only carol sees this) repertoire: Not saved: “@repertoire save” is a request to me",
		"(only dan sees this) repertoire: My answer in this thread came from the repertoire",
		"(only dan sees this) repertoire: Not saved: “digest now” is a command to me, not a note",
		"(only dan sees this) repertoire: Not saved: “how are certificates rotated?” is a question, with no answer in it to keep",
	} {
		if strings.Count(out, want) != 1 {
			t.Errorf("want once %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "(only"); n != 4 {
		t.Errorf("%d whispers, want 4 (one per member and message):\n%s", n, out)
	}
	es := w.entries()
	if len(es) != 2 || !strings.Contains(es[1].Answer+es[0].Answer, "1password") {
		t.Errorf("entries: %+v", es)
	}
}
