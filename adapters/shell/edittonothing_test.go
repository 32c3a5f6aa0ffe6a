package shell_test

import (
	"strings"
	"testing"
)

// An answer edited to "ok" (or "nvm", or emptied) is taken back by its
// author: the entry goes, as when the message is deleted, instead of
// answering "ok" to everyone who asks. A question edited to "nvm" leaves
// its entry (whose answer stays) and the digest's open questions. An edit
// that still says something updates the entry as before.
func TestScenarioEditToNothingTakesTheMessageBack(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I flush the redis cache on staging?", // 1
		"/as dave", "/reply 1 run redis-cli FLUSHALL on the staging cache host", // 2
		"/as alice", "/react 2 ✅",
		"/as erin", "How do I renew the staging TLS certificate?", // 3 (the bot's 📚 is no message)
		"/as frank", "/reply 3 certbot renew --force-renewal then reload nginx", // 4
		"/as erin", "/react 4 ✅",
		"/as gina", "@repertoire where do the grafana dashboards live after a pod restart?", // 5, answered in 6
		"/as dave", "/edit 2 ok",
		"/as erin", "/edit 3 nvm",
		"/as frank", "/edit 4 certbot renew --force-renewal then restart nginx",
		"/as gina", "/edit 5 @repertoire nvm, found it",
		"/as bob", "@repertoire how do I flush the redis cache?",
	)
	for _, e := range w.entries() {
		if e.Answer == "ok" || strings.Contains(e.Answer, "FLUSHALL") {
			t.Errorf("the answer edited to ok is still an entry: %+v", e)
		}
		if e.Question == "nvm" {
			t.Errorf("the question edited to nvm titles its entry: %+v", e)
		}
	}
	es := w.entries()
	if len(es) != 1 || !strings.Contains(es[0].Answer, "restart nginx") || es[0].Question != "" {
		t.Errorf("want frank's edited answer without erin's withdrawn question: %+v", es)
	}
	if a := answerTo(out, "flush the redis cache?"); strings.Contains(a, "“ok”") {
		t.Errorf("recall answers with ok:\n%s", a)
	}
	if qs := w.open("general"); len(qs) != 1 || !strings.Contains(qs[0].Text, "redis") {
		t.Errorf("the question edited to nvm is still open (want only bob's): %+v", qs)
	}
}

// An edit event that leaves the text as it was ("Fixed." saved as the
// answer, then a link preview or a platform's re-send) takes nothing back.
func TestScenarioEditThatChangesNothingKeepsTheEntry(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "Is the staging deploy pipeline still broken after the runner upgrade?", // 1
		"/as dave", "/reply 1 Fixed.", // 2
		"/as alice", "/react 2 ✅",
		"/as dave", "/edit 2 Fixed.",
	)
	if n := len(w.entries()); n != 1 {
		t.Errorf("%d entries after an edit that changed nothing, want 1:\n%s", n, out)
	}
}
