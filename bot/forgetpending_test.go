package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// actDecoder is a platform whose payloads are a member's acts as JSON: a
// reaction, or a press of a feedback button. Its events carry no time of
// their own, as Slack's and Discord's reactions don't.
type actDecoder struct{}

type act struct {
	Target bot.MessageRef
	User   string
	Emoji  string // a reaction
	Value  string // a button press
}

func (actDecoder) Name() string { return "test" }

func (actDecoder) Decode(_ context.Context, d bot.Delivery) ([]bot.Event, error) {
	var a act
	if err := json.Unmarshal(d.Payload, &a); err != nil {
		return nil, err
	}
	if a.Value != "" {
		return []bot.Event{bot.ActionPressed{ID: d.ID, Message: a.Target, User: user(a.User), Value: a.Value}}, nil
	}
	return []bot.Event{bot.ReactionAdded{ID: d.ID, Target: a.Target, User: user(a.User), Emoji: bot.Emoji{Unicode: a.Emoji}}}, nil
}

// TestForgetCoversActsPendingInTheInbox: bob's 💡s, his 👍 on a recall
// answer and his "This helped" are acknowledged (in the inbox) but not yet
// applied when he asks to be forgotten. Applied after the forget, none of
// them names him again: the exchanges are saved as if the forget had come
// after them. What he does after the forget counts as anyone's.
func TestForgetCoversActsPendingInTheInbox(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	post := func(id, author, text string) bot.Message {
		m := c.add("dev", id, "", author, text, false)
		if err := b.Handle(ctx, bot.MessagePosted{ID: "posted-" + id, Message: m}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	saved := post("1", "ann", "Tip: run certbot renew, then reload nginx, to rotate the TLS certificate")
	if err := b.Handle(ctx, bot.ReactionAdded{ID: "carol-1", Target: saved.Ref, User: user("carol"), Emoji: bulb}); err != nil {
		t.Fatal(err)
	}
	unsaved := post("2", "ann", "Tip: git worktree gives you a second checkout, no stash needed")
	ask := c.add("dev", "3", "", "eve", "@repertoire how do we rotate the TLS certificate", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "ask", Message: ask, Text: "how do we rotate the TLS certificate", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	answer := bot.MessageRef{Channel: ask.Ref.Channel, ID: "post1"} // the chat numbers the bot's posts
	e, err := s.EntryBySource(ctx, source(saved))
	if err != nil || !strings.Contains(c.lastPost(t), "certbot") {
		t.Fatalf("entry %v (%v), answer %q", e, err, c.lastPost(t))
	}

	// bob's acts are acknowledged: in the inbox, not applied yet.
	in := bot.NewInbox(s, b, nil, bot.InboxOptions{Workers: 1})
	in.Register(actDecoder{})
	defer in.Close()
	deliver := func(id string, a act, received time.Time) {
		t.Helper()
		payload, _ := json.Marshal(a)
		if err := in.Accept(ctx, bot.Delivery{Platform: "test", Kind: "act", ID: id, Channel: "dev", Payload: payload, Received: received}); err != nil {
			t.Fatal(err)
		}
	}
	deliver("bob-1", act{Target: saved.Ref, User: "bob", Emoji: "💡"}, time.Now())   // a vote
	deliver("bob-2", act{Target: unsaved.Ref, User: "bob", Emoji: "💡"}, time.Now()) // a save
	deliver("bob-3", act{Target: answer, User: "bob", Emoji: "👍"}, time.Now())      // feedback on the answer
	deliver("bob-4", act{Target: answer, User: "bob", Value: bot.FeedbackActions(e.ID)[0].Value}, time.Now())

	for i := range 2 {
		m := c.add("dm", fmt.Sprint("forget", i), "", "bob", "@repertoire forget me", false)
		if err := b.Handle(ctx, bot.Mentioned{ID: fmt.Sprint("forget", i), Message: m, Text: "forget me", Via: bot.ViaMention}); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(c.lastPost(t), "Nothing of yours") && !strings.Contains(c.lastPost(t), "removed") {
		t.Fatalf("forget me: %q", c.lastPost(t))
	}

	// The inbox applies them after the forget.
	runInbox(t, in, s)
	e, err = s.EntryBySource(ctx, source(saved))
	if err != nil || e.Votes != 1 || len(e.Savers) != 1 || e.Savers[0].Name != "carol" || e.Helpful != 0 {
		t.Errorf("ann's saved tip after bob's pending 💡 and 👍: votes %d, savers %+v, helpful %d (%v); want carol's save alone", e.Votes, e.Savers, e.Helpful, err)
	}
	e2, err := s.EntryBySource(ctx, source(unsaved))
	if err != nil || len(e2.Savers) != 0 || e2.Votes != 0 {
		t.Errorf("ann's other tip after bob's pending 💡: %+v (%v); want it saved without a saver", e2, err)
	}
	if vs, err := s.AnswerVerdicts(ctx, source(bot.Message{Ref: answer})); err != nil || len(vs) != 0 {
		t.Errorf("verdicts on the answer: %+v (%v); want none of bob's", vs, err)
	}
	for _, m := range []bot.Message{saved, unsaved} {
		lm, err := s.LoggedMessageBySource(ctx, source(m))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range lm.Reactions {
			if r.UserID == user("bob").ID {
				t.Errorf("the log holds bob's reaction %s on message %s", r.Emoji, m.Ref.ID)
			}
		}
	}

	// What bob does after the forget is his, as anyone's.
	deliver("bob-5", act{Target: unsaved.Ref, User: "bob", Emoji: "💡"}, time.Now().Add(time.Millisecond)) // the store keeps milliseconds
	runInbox(t, in, s)
	if e2, err = s.EntryBySource(ctx, source(unsaved)); err != nil || len(e2.Savers) != 1 || e2.Savers[0].Name != "bob" {
		t.Errorf("bob's 💡 after the forget: savers %+v (%v), want bob", e2.Savers, err)
	}
}

// source is where a message is kept in the store.
func source(m bot.Message) repertoire.Source {
	return repertoire.Source{Platform: m.Ref.Channel.Platform, Space: m.Ref.Channel.Space, Channel: m.Ref.Channel.ID, Message: m.Ref.ID}
}

// runInbox applies what the inbox holds and waits until nothing is pending.
func runInbox(t *testing.T, in *bot.Inbox, s repertoire.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, _, err := s.InboxDepth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
