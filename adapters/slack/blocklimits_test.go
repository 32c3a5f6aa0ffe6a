package slack_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// A digest whose open questions are long and full of characters mrkdwn
// escapes (& < >) is posted whole. The open questions are one paragraph,
// within the core's limits (10 questions of at most 200 characters), but
// escaped it passed Block Kit's 3,000 characters a section, and Slack
// (the loopback fake checks Block Kit's limits as Slack does) refused the
// whole message: the digest was not posted. Nothing is cut either: every
// question is there, no entity is broken, and the mass-mention guard
// stays on.
func TestDigestOfLongOpenQuestionsIsPosted(t *testing.T) {
	e := start(t, true)
	for i := range 10 {
		_, ev := e.fake.Mention("C1", fmt.Sprintf("U%d", 10+i),
			fmt.Sprintf("why does the R&D build q%d fail with <error> & @here %s?", i, strings.Repeat("flaky&slow ", 25)), "")
		e.send(ev)
	}
	_, ev := e.fake.Mention("C1", "U1", "digest now", "")
	e.send(ev)
	var digest strings.Builder
	for _, m := range e.fake.BotMessages("C1") {
		if strings.Contains(string(m.Blocks), "Open questions") || digest.Len() > 0 {
			digest.Write(m.Blocks)
		}
	}
	d := digest.String()
	if d == "" {
		posts := e.fake.BotMessages("C1")
		t.Fatalf("no digest was posted; the bot's last post: %q", posts[len(posts)-1].Text)
	}
	for i := range 10 {
		if !strings.Contains(d, fmt.Sprintf("q%d fail", i)) {
			t.Errorf("open question q%d is not on the digest", i)
		}
	}
	for _, ent := range regexp.MustCompile(`&[a-z]*;?`).FindAllString(d, -1) {
		if ent != "&amp;" && ent != "&lt;" && ent != "&gt;" {
			t.Errorf("a broken entity %q in the digest", ent)
			break
		}
	}
	if strings.Contains(d, "@here") {
		t.Errorf("@here is not made inert in the digest")
	}
}
