package shell_test

import (
	"strings"
	"testing"
)

// A question asked of the bot that a member answered in its thread, and
// whose asker said there that it worked, is answered: the digest does not
// list it among the questions "nobody could answer yet". A thanks that says
// nothing worked ("I'll try it"), or that it failed, keeps it listed, and
// so does a question nobody answered. Detection is off, so nothing else
// (no "Worth keeping?") happens in the threads.
func TestScenarioQuestionAnsweredAndThankedLeavesTheDigest(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"@repertoire detect off",
		"/as alice", "@repertoire how do I configure the kafka consumer lag alerts?", // 3, answer 4
		"/as bob", "/reply 3 Use burrow and export the lag to prometheus, alert at 10k messages.", // 5
		"/as alice", "/reply 3 thanks, that worked!", // 6
		"/as frank", "@repertoire what is the best way to test the webhooks locally?", // 7, answer 8
		"/as gina", "/reply 7 ngrok works: ngrok http 8080 and paste the URL into the webhook settings", // 9
		"/as frank", "/reply 7 thanks, I'll try it tomorrow", // 10
		"/as dave", "@repertoire how do we tune the postgres autovacuum thresholds?", // 11, answer 12
		"/as erin", "/reply 11 lower autovacuum_vacuum_scale_factor to 0.05 on the big tables", // 13
		"/as dave", "/reply 11 thanks, but that still did not fix it", // 14
		"/as carol", "@repertoire where is the runbook for the redis failover?", // 15, answer 16
		"/reply 15 solved, thanks", // 17: the asker alone, nobody answered
		"@repertoire digest now",
	)
	d := answerTo(out, "digest now")
	if !strings.Contains(d, "Open questions") {
		t.Fatalf("no open questions on the digest:\n%s", out)
	}
	if strings.Contains(d, "kafka consumer lag") {
		t.Errorf("the question alice said was answered is listed as open:\n%s", d)
	}
	for _, q := range []string{"test the webhooks locally", "postgres autovacuum", "redis failover"} {
		if !strings.Contains(d, q) {
			t.Errorf("%q is not listed, though nobody said an answer worked:\n%s", q, d)
		}
	}
}

// The asker's 🙏 (or 👍) on a member's reply in the thread of their open
// question says it was answered, as their "thanks, that worked" does; a 🙏
// by someone else, or on the bot's reply, does not.
func TestScenarioQuestionAnsweredAndReactedToLeavesTheDigest(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"@repertoire detect off",
		"/as alice", "@repertoire how do I configure the kafka consumer lag alerts?", // 3, answer 4
		"/as bob", "/reply 3 Use burrow and export the lag to prometheus, alert at 10k messages.", // 5
		"/as alice", "/react 5 🙏",
		"/as frank", "@repertoire what is the best way to test the webhooks locally?", // 6, answer 7
		"/as gina", "/reply 6 ngrok works: ngrok http 8080 and paste the URL into the webhook settings", // 8
		"/as harry", "/react 8 🙏",
		"/as dave", "@repertoire how do we tune the postgres autovacuum thresholds?", // 9, answer 10
		"/react 10 👍",
		"@repertoire digest now",
	)
	d := answerTo(out, "digest now")
	if strings.Contains(d, "kafka consumer lag") {
		t.Errorf("the question alice's 🙏 said was answered is listed as open:\n%s", d)
	}
	for _, q := range []string{"test the webhooks locally", "postgres autovacuum"} {
		if !strings.Contains(d, q) {
			t.Errorf("%q is not listed, though its asker confirmed no member's reply:\n%s", q, out)
		}
	}
}
