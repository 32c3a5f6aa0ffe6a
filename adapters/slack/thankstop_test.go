package slack_test

import (
	"strings"
	"testing"
)

// "thanks, that worked" said in the channel below one's question, not in
// the bot's answer thread, counts as "This helped" on the answer, as in
// the shell (TestScenarioThanksAtTheTopLevelCountsTheAnswer): Slack
// delivers the mention's message to the log and the thread from its cache
// or conversations.replies. Another member's message at the top level
// between them makes the thanks theirs.
func TestThanksAtTheTopLevelCountsTheAnswer(t *testing.T) {
	e := start(t, true)
	_, a := e.qa("C1")
	e.send(e.fake.React("C1", a, "U3", "bulb"))
	helped := func() int {
		t.Helper()
		got, err := e.entry("C1", a)
		if err != nil {
			t.Fatal(err)
		}
		return got.Helpful
	}
	_, ev := e.fake.Mention("C1", "U4", "how do I rotate the TLS certificate?", "")
	e.send(ev)
	e.echoLast("C1")
	_, ev = e.fake.Say("C1", "U4", "thanks, that worked", "")
	e.send(ev)
	if n := helped(); n != 1 {
		t.Errorf("U4's thanks at the top level: %d helped, want 1", n)
	}
	_, ev = e.fake.Mention("C1", "U5", "how do I rotate the TLS certificate?", "")
	e.send(ev)
	e.echoLast("C1")
	_, ev = e.fake.Say("C1", "U6", "U5, the cron job rotates it nightly", "")
	e.send(ev)
	_, ev = e.fake.Say("C1", "U5", "thanks, that worked", "")
	e.send(ev)
	if n := helped(); n != 1 {
		t.Errorf("U5's thanks after U6 spoke counted: %d helped, want 1", n)
	}
}

// echoLast delivers the bot's latest post in channel as Slack does, as a
// message event of the app's own (the adapter keeps it for Thread).
func (e *env) echoLast(channel string) {
	e.t.Helper()
	e.echoLastIn(channel, "channel")
}

// echoLastIn is echoLast in a channel of the given channel_type ("im").
func (e *env) echoLastIn(channel, channelType string) {
	e.t.Helper()
	posts := e.fake.BotMessages(channel)
	if len(posts) == 0 || !strings.HasPrefix(posts[len(posts)-1].Text, "Here is what the repertoire has") {
		e.t.Fatalf("test is blind: no recall answer posted in %s: %+v", channel, posts)
	}
	m := posts[len(posts)-1]
	e.send(map[string]any{"type": "message", "channel": channel, "channel_type": channelType, "user": e.fake.BotUser,
		"bot_id": e.fake.BotID, "text": m.Text, "ts": m.TS, "thread_ts": m.ThreadTS, "event_ts": m.TS})
}

// In a DM, "thanks, that helped" after a later question the bot found
// nothing for is not the earlier answer's (TestScenarioThanksInADMAfterA
// LaterQuestionCountsNothing in the shell): the answer's time comes from
// the adapter (its echo, cached), the question's from the message log.
func TestThanksInADMAfterALaterQuestionCountsNothing(t *testing.T) {
	e := start(t, true)
	_, a := e.qa("C1")
	e.send(e.fake.React("C1", a, "U3", "bulb"))
	helped := func() int {
		t.Helper()
		got, err := e.entry("C1", a)
		if err != nil {
			t.Fatal(err)
		}
		return got.Helpful
	}
	say := func(text string) {
		t.Helper()
		_, ev := e.fake.Say("D1", "U4", text, "")
		id, _ := e.send(ev)
		e.wait("slack:" + id + ":dm")
	}
	say("how do I rotate the TLS certificate?")
	e.echoLastIn("D1", "im")
	say("how do I configure kafka partitions?")
	say("thanks, that helped")
	if n := helped(); n != 0 {
		t.Errorf("a thanks after “nothing yet” counted the earlier answer: %d helped, want 0", n)
	}
	say("how do I rotate the TLS certificate?")
	e.echoLastIn("D1", "im")
	say("thanks, that helped")
	if n := helped(); n != 1 {
		t.Errorf("a thanks right after the answer: %d helped, want 1", n)
	}
}
