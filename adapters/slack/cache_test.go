package slack

import (
	"testing"

	"github.com/repertoire/repertoire/bot"
)

func TestCacheThread(t *testing.T) {
	ch := bot.ChannelRef{Platform: "slack", Space: "T1", ID: "C1"}
	msg := func(ts, thread string) bot.Message {
		return bot.Message{Ref: bot.MessageRef{Channel: ch, ID: ts, Thread: thread}, Text: ts}
	}
	c := newCache(4)
	c.put(msg("100.000002", "100.000001")) // a reply seen before its root
	if _, ok := c.thread(msg("100.000002", "").Ref); ok {
		t.Fatal("thread without its opening message reported as a hit")
	}
	c.put(msg("100.000001", ""))
	c.put(msg("99.000003", "100.000001")) // older ts sorts first among replies
	got, ok := c.thread(bot.MessageRef{Channel: ch, ID: "100.000002"})
	if !ok || len(got) != 3 || got[0].Ref.ID != "100.000001" || got[1].Ref.ID != "99.000003" || got[2].Ref.ID != "100.000002" {
		t.Fatalf("thread: %v %+v", ok, got)
	}
	c.edit(bot.Message{Ref: msg("100.000002", "").Ref, Text: "edited"})
	c.react(msg("100.000002", "").Ref, bot.Reaction{User: bot.User{ID: "U1"}, Emoji: bot.Emoji{Shortcode: "bulb"}}, true)
	got, _ = c.thread(bot.MessageRef{Channel: ch, ID: "100.000002"})
	if got[2].Text != "edited" || got[2].Ref.Thread != "100.000001" || len(got[2].Reactions) != 1 {
		t.Fatalf("edit/react lost what was known: %+v", got[2])
	}
	c.put(msg("200.000001", ""))
	c.put(msg("300.000001", "")) // over 4: the oldest (the first reply) goes
	if _, ok := c.thread(bot.MessageRef{Channel: ch, ID: "100.000002"}); ok {
		t.Fatal("evicted message still answered")
	}
	c.remove(msg("300.000001", "").Ref)
	if _, ok := c.thread(msg("300.000001", "").Ref); ok {
		t.Fatal("deleted message still answered")
	}
}
