package shell_test

import (
	"strings"
	"testing"
)

// dan's question was nudged with the saved answer; his 💡 on the question
// was told "Nobody has answered … yet, so I kept it as an open question",
// and it was listed for the digest, though the bot's reply in its thread
// answered it from the repertoire. He is now told it is answered and saved
// already, once, and no open question is kept.
func TestScenarioCaptureOnAQuestionTheRepertoireAnswered(t *testing.T) {
	w := newWhisperingWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/react 2", "@repertoire nudges on", // [3], [4]
		"/as dan", "How do I rotate the TLS certificate on the staging proxy?", // [5], nudged in [6]
		"/react 5", "/react 5 ✅",
	)
	if !strings.Contains(out, "[6] #general ↳5 repertoire: This may have been answered before") {
		t.Fatalf("no nudge:\n%s", out)
	}
	if strings.Contains(out, "Nobody has answered") {
		t.Errorf("told nobody answered:\n%s", out)
	}
	if n := strings.Count(out, "(only dan sees this) repertoire: My answer in this thread came from the repertoire"); n != 1 {
		t.Errorf("dan was told %d times, want once:\n%s", n, out)
	}
	if qs := w.open("general"); len(qs) != 0 {
		t.Errorf("open questions: %+v", qs)
	}
	if n := len(w.entries()); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}
