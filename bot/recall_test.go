package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// saveExchange posts a question and an answer in channel ch and saves the
// answer with 💡, returning the answer's source.
func saveExchange(t *testing.T, b *bot.Bot, c *chat, ch, id, question, answer string) repertoire.Source {
	t.Helper()
	c.add(ch, id, "", "ann", question, false)
	a := c.add(ch, id+"-a", id, "cat", answer, false)
	if err := b.Handle(context.Background(), bot.ReactionAdded{ID: "save-" + id, Target: a.Ref, User: user("dan"), Emoji: bulb}); err != nil {
		t.Fatal(err)
	}
	return repertoire.Source{Platform: "test", Space: "s", Channel: ch, Message: id + "-a"}
}

func TestRecallAnswerTakesFeedback(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	src := saveExchange(t, b, c, "dev", "1", "How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx.")
	ask := c.add("dev", "2", "", "eve", "@repertoire how do we rotate certificates", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m1", Message: ask, Text: "how do we rotate certificates", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	if got := c.lastPost(t); !strings.Contains(got, "certbot") || !strings.Contains(got, "👍") {
		t.Fatalf("answer %q should show the entry and invite 👍/👎", got)
	}
	answer := bot.MessageRef{Channel: ask.Ref.Channel, ID: "post1"} // the chat numbers posts; the 💡 ack was a reaction
	counts := func() (int, int) {
		e, err := s.EntryBySource(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		return e.Helpful, e.Unhelpful
	}
	steps := []struct {
		ev         bot.Event
		up, down   int
		whatHappen string
	}{
		{bot.ReactionAdded{ID: "f1", Target: answer, User: user("eve"), Emoji: bot.Emoji{Unicode: "👍"}}, 1, 0, "👍 (unicode)"},
		{bot.ReactionAdded{ID: "f1", Target: answer, User: user("eve"), Emoji: bot.Emoji{Unicode: "👍"}}, 1, 0, "the same delivery again"},
		{bot.ReactionAdded{ID: "f2", Target: answer, User: user("fay"), Emoji: bot.Emoji{Shortcode: "-1::skin-tone-3"}}, 1, 1, "👎 (Slack shortcode with skin tone)"},
		{bot.ReactionAdded{ID: "f3", Target: answer, User: bot.User{ID: "B1", Bot: true}, Emoji: bot.Emoji{Unicode: "👍"}}, 1, 1, "a bot's 👍"},
		{bot.ReactionAdded{ID: "f4", Target: ask.Ref, User: user("gus"), Emoji: bot.Emoji{Unicode: "👍"}}, 1, 1, "👍 on a member's message"},
		{bot.ReactionRemoved{ID: "f5", Target: answer, User: user("eve"), Emoji: bot.Emoji{Shortcode: "thumbsup"}}, 0, 1, "👍 taken back"},
	}
	for _, st := range steps {
		if err := b.Handle(ctx, st.ev); err != nil {
			t.Fatalf("%s: %v", st.whatHappen, err)
		}
		if up, down := counts(); up != st.up || down != st.down {
			t.Errorf("after %s: 👍 %d 👎 %d, want %d %d", st.whatHappen, up, down, st.up, st.down)
		}
	}
}

func TestNudgesOncePerThreadWhenConfident(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	saveExchange(t, b, c, "dev", "1", "How do I rotate the TLS certificate on the nginx proxy?", "Run certbot renew, then reload nginx.")
	posts := func() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.posts) }
	question := func(id, thread, text string) error {
		m := c.add("dev", id, thread, "eve", text, false)
		return b.Handle(ctx, bot.MessagePosted{ID: "p" + id, Message: m})
	}
	if err := question("10", "", "how do we rotate the nginx TLS certificate?"); err != nil || posts() != 0 {
		t.Fatalf("nudged while off: %d posts, err %v", posts(), err)
	}
	cmd := c.add("dev", "11", "", "eve", "@repertoire nudges on", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m11", Message: cmd, Text: "nudges on", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.lastPost(t), "Nudges are on") {
		t.Fatalf("reply %q", c.lastPost(t))
	}
	before := posts()
	for _, tc := range []struct{ id, thread, text string }{
		{"20", "", "lunch anyone at noon?"},                      // no match
		{"21", "", "the nginx TLS certificate rotation is done"}, // not a question
		{"22", "", "how do I rotate my car tires?"},              // low confidence: only one word matches
	} {
		if err := question(tc.id, tc.thread, tc.text); err != nil {
			t.Fatal(err)
		}
	}
	if posts() != before {
		t.Fatalf("nudged without a confident match: %q", c.lastPost(t))
	}
	if err := question("30", "", "how do we rotate the nginx TLS certificate?"); err != nil {
		t.Fatal(err)
	}
	if posts() != before+1 || !strings.Contains(c.lastPost(t), "certbot") {
		t.Fatalf("no nudge for a confident match (%d posts)", posts()-before)
	}
	c.mu.Lock()
	nudge := c.posts[len(c.posts)-1]
	c.mu.Unlock()
	if nudge.Thread != "30" {
		t.Errorf("nudge went to thread %q, want 30", nudge.Thread)
	}
	if err := question("31", "30", "rotate the TLS certificate on nginx, how?"); err != nil {
		t.Fatal(err)
	}
	if posts() != before+1 {
		t.Fatal("nudged twice in one thread")
	}
	// A question put to the bot is answered by recall, not nudged as well
	// (Slack and Discord deliver it as a message and as a mention).
	asked := c.add("dev", "35", "", "eve", "<@UBOT> how do we rotate the nginx TLS certificate?", false)
	asked.ToBot = true
	if err := b.Handle(ctx, bot.MessagePosted{ID: "p35", Message: asked}); err != nil || posts() != before+1 {
		t.Fatalf("nudged a question put to the bot: %d posts, err %v", posts()-before, err)
	}
	// The nudge is a recall answer too: 👍 on it counts.
	if err := b.Handle(ctx, bot.ReactionAdded{ID: "f", Target: bot.MessageRef{Channel: nudge.Channel, ID: fmt.Sprint("post", posts())},
		User: user("eve"), Emoji: bot.Emoji{Unicode: "👍"}}); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.EntryBySource(ctx, repertoire.Source{Platform: "test", Space: "s", Channel: "dev", Message: "1-a"}); e.Helpful != 1 {
		t.Errorf("👍 on the nudge: helpful %d", e.Helpful)
	}
	off := c.add("dev", "40", "", "eve", "@repertoire nudges off", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m40", Message: off, Text: "nudges off", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	before = posts()
	if err := question("41", "", "how do we rotate the nginx TLS certificate?"); err != nil || posts() != before {
		t.Fatalf("nudged after off: err %v", err)
	}
}

// Forgetting the member who asked takes their question's #hashtags out of
// the entry with its text; the answerer's tags stay.
func TestForgetMeTakesQuestionHashtags(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	src := saveExchange(t, b, c, "dev", "1", "How do I reach the #projectnightingale staging box?", "Through the bastion, see #ssh docs")
	e, err := s.EntryBySource(ctx, src)
	if err != nil || !slices.Contains(e.Tags, "projectnightingale") || !slices.Contains(e.Tags, "ssh") {
		t.Fatalf("tags before: %v %v", e.Tags, err)
	}
	forget := c.add("dev", "9", "", "ann", "@repertoire forget me", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m9-ask", Message: forget, Text: "forget me", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	confirm := c.add("dev", "10", "", "ann", "@repertoire forget me", false) // each message is answered once
	if err := b.Handle(ctx, bot.Mentioned{ID: "m10", Message: confirm, Text: "forget me", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	e, err = s.EntryBySource(ctx, src)
	if err != nil || e.Question != "" || slices.Contains(e.Tags, "projectnightingale") || !slices.Contains(e.Tags, "ssh") {
		t.Fatalf("after forget me: question %q tags %v (%v)", e.Question, e.Tags, err)
	}
	if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: "projectnightingale", From: repertoire.Channel{Platform: "test", Space: "s", ID: "dev"}}); len(hits) != 0 {
		t.Errorf("the forgotten hashtag is still searchable: %+v", hits)
	}
}
