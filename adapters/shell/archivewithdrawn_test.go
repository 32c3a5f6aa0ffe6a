package shell_test

import (
	"context"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// A member who deletes a saved message takes it back from the web page's
// digest archive too: the digest quoting "hunter2-secret" stayed readable
// at /digests after bob deleted his message and its entry went. A digest
// that does not quote it stays.
func TestScenarioDeletedMessageLeavesTheDigestArchive(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I get the wifi password for the guest network?",
		"/as bob", "/reply 1 The guest wifi password is hunter2-secret, printed on the fridge",
		"/as carol", "/react 2",
		"/channel ops", "/as dave", "How do I restart the build agents?",
		"/as erin", "/reply 3 ssh to the agent host and run systemctl restart buildkite-agent",
		"/react 4",
		"/channel general", "@repertoire digest now",
		"/channel ops", "@repertoire digest now",
		"/as bob", "/delete 2",
	)
	if !strings.Contains(answerTo(out, "digest now"), "hunter2-secret") {
		t.Fatalf("the digest did not quote bob's message:\n%s", out)
	}
	archived := func() string {
		ds, _, err := w.store.ArchivedDigests(context.Background(), repertoire.Audience{Platform: "shell", Spaces: []string{"local"}}, 20, 0)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, d := range ds {
			sb.WriteString(d.Text + "\n")
		}
		return sb.String()
	}
	a := archived()
	if strings.Contains(a, "hunter2-secret") {
		t.Errorf("bob's deleted words are still in the digest archive:\n%s", a)
	}
	if !strings.Contains(a, "buildkite-agent") {
		t.Errorf("#ops's digest left the archive too:\n%s", a)
	}
}
