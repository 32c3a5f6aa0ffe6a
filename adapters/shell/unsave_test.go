package shell_test

import (
	"strings"
	"testing"
)

// A save made with `save` had no way back: "@repertoire unsave" was
// searched ("I don't have anything on that yet"). In a thread it now takes
// back the member's vote or save, the entry going when nobody else saved
// it; said again, or outside a thread, it says what to do instead.
func TestScenarioUnsaveInAThread(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/reply 1 @repertoire save",
		"/as dan", "/react 2", "/reply 1 @repertoire unsave", "/reply 1 @repertoire unsave",
	)
	if a := answerTo(out, "dan: @repertoire unsave"); !strings.Contains(a, "took back your vote") {
		t.Errorf("dan's unsave:\n%s", out)
	}
	if n := strings.Count(out, "no save or vote in this thread"); n != 1 {
		t.Errorf("dan's second unsave:\n%s", out)
	}
	if es := w.entries(); len(es) != 1 || es[0].Votes != 1 {
		t.Fatalf("after dan's unsave: %+v", es)
	}
	out = w.play("/as carol", "@repertoire unsave")
	if a := answerTo(out, "carol: @repertoire unsave"); !strings.Contains(a, "as a reply in the thread") || strings.Contains(a, "anything on that") {
		t.Errorf("unsave outside a thread:\n%s", a)
	}
	// carol alone saved this one: her unsave takes the entry away.
	out = w.play(
		"/as alice", "How do I flush the redis cache on staging?",
		"/as dave", "/reply 1 run redis-cli FLUSHALL on the staging cache host",
		"/as carol", "/reply 1 @repertoire save", "/reply 1 @repertoire unsave this",
		"@repertoire how do I flush the redis cache on staging?",
	)
	if a := answerTo(out, "carol: @repertoire unsave this"); !strings.Contains(a, "no longer in the repertoire") {
		t.Errorf("carol's unsave:\n%s", out)
	}
	if a := answerTo(out, "carol: @repertoire how do I flush"); strings.Contains(a, "FLUSHALL") {
		t.Errorf("the unsaved entry is still found:\n%s", a)
	}
	if n := len(w.entries()); n != 1 {
		t.Errorf("%d entries, want the TLS one only", n)
	}
}
