package shell_test

import (
	"strings"
	"testing"
)

// A capture emoji on a request to the bot saved nothing and said nothing,
// so the member took the silence for a save: in a DM on their own "digest
// now" or their own question the bot answered, in a channel on "@repertoire
// save", a question the bot answered from the repertoire or a search. Each now says
// why, once per member and message; a note in a DM is still kept.
func TestScenarioCaptureOnARequestSaysWhyNothingWasSaved(t *testing.T) {
	w := newWhisperingWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/reply 1 @repertoire save", "/react 3", "/react 3 ✅",
		"/as dan", "@repertoire how are certificates rotated?", "/react 5", // answered in [6]
		"/as erin", "@repertoire redis cache flush tag:ops", "/react 7", // a search: [8] nothing
		"/as dan", "/dm", "digest now", "/react 9", // [10] the digest
		"how are certificates rotated?", "/react 11", "/react 11 ✅", // answered in [12]
		"the staging vpn profile lives in 1password under ops", "/react 13",
	)
	for _, want := range []string{
		"(only carol sees this) repertoire: Not saved: “@repertoire save” is a request to me",
		"(only dan sees this) repertoire: My answer in this thread came from the repertoire",
		"(only erin sees this) repertoire: Not saved: “@repertoire redis cache flush tag:ops” asks me something",
		"(only dan sees this) repertoire: Not saved: “digest now” is a command to me, not a note",
		"(only dan sees this) repertoire: Not saved: “how are certificates rotated?” is a question, with no answer in it to keep",
	} {
		if strings.Count(out, want) != 1 {
			t.Errorf("want once %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "(only"); n != 5 {
		t.Errorf("%d whispers, want 5 (one per member and message):\n%s", n, out)
	}
	es := w.entries()
	if len(es) != 2 || !strings.Contains(es[1].Answer+es[0].Answer, "1password") {
		t.Errorf("entries: %+v", es)
	}
}
