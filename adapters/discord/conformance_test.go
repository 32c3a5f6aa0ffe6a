package discord_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/bot/adaptertest"
	"github.com/repertoire/repertoire/repertoire"
)

// TestConformance runs the adapter conformance suite over the real adapter
// (discordgo inside) against the loopback Discord, the scenarios in
// parallel, each with its own gateway and store.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) adaptertest.World {
		return &discordWorld{h: start(t, options{parallel: true})}
	})
}

type discordWorld struct{ h *harness }

var members = map[string]discordtest.User{
	adaptertest.Alice: alice, adaptertest.Nelly: nelly, adaptertest.Carol: carol, adaptertest.Dave: dave, adaptertest.Erin: erin,
}

func (w *discordWorld) user(name string) discordtest.User {
	u, ok := members[name]
	if !ok {
		w.h.t.Fatalf("no member %q", name)
	}
	return u
}

func (w *discordWorld) Store() repertoire.Store   { return w.h.store }
func (w *discordWorld) Platform() string          { return "discord" }
func (w *discordWorld) Space() string             { return w.h.srv.GuildID }
func (w *discordWorld) Public() string            { return general }
func (w *discordWorld) Private() string           { return staff }
func (w *discordWorld) UserID(name string) string { return w.user(name).ID }

// posted waits until the core applied the MESSAGE_CREATE of the message
// post returns (and its mention, when it addresses the bot).
func (w *discordWorld) posted(what string, mention bool, post func() string) string {
	w.h.t.Helper()
	var id string
	w.h.applied.After(w.h.t, what, func(ev bot.Event) bool {
		if mention {
			m, ok := ev.(bot.Mentioned)
			return ok && m.Message.Ref.ID == id
		}
		p, ok := ev.(bot.MessagePosted)
		return ok && p.Message.Ref.ID == id
	}, func() { id = post() })
	return id
}

func (w *discordWorld) Post(who, channel, text, thread string) string {
	return w.posted("a message", false, func() string { return w.h.srv.Post(w.user(who), channel, text, thread) })
}

func (w *discordWorld) Ask(who, channel, text, thread string) string {
	return w.posted("a mention", true, func() string {
		return w.h.srv.Post(w.user(who), channel, "<@"+w.h.srv.Bot.ID+"> "+text, thread)
	})
}

func (w *discordWorld) React(who, channel, msg string, e bot.Emoji, add bool) {
	u := w.user(who)
	w.h.applied.After(w.h.t, "a reaction", func(ev bot.Event) bool {
		switch r := ev.(type) {
		case bot.ReactionAdded:
			return add && r.Target.ID == msg && r.User.ID == u.ID
		case bot.ReactionRemoved:
			return !add && r.Target.ID == msg && r.User.ID == u.ID
		}
		return false
	}, func() { w.h.srv.React(u, channel, msg, e.Unicode, !add) })
}

func (w *discordWorld) Edit(channel, msg, text string) {
	w.h.applied.After(w.h.t, "an edit", func(ev bot.Event) bool {
		e, ok := ev.(bot.MessageEdited)
		return ok && e.Message.Ref.ID == msg
	}, func() { w.h.srv.Edit(msg, text) })
}

func (w *discordWorld) Delete(channel, msg string) {
	w.h.applied.After(w.h.t, "a delete", func(ev bot.Event) bool {
		d, ok := ev.(bot.MessageDeleted)
		return ok && d.Ref.ID == msg
	}, func() { w.h.srv.Delete(msg) })
}

// Press sends the component interaction and waits for the bot's first
// response to it (a deferred update, or a refusal).
func (w *discordWorld) Press(who string, on adaptertest.Sent, value string) {
	id := w.h.srv.Press(w.user(who), on.Channel, on.ID, value)
	w.h.srv.Await(w.h.t, "the answer to a press", func() bool {
		for _, r := range w.h.srv.Responses() {
			if r.Interaction == id {
				return true
			}
		}
		return false
	})
}

func (w *discordWorld) Sent() []adaptertest.Sent {
	var out []adaptertest.Sent
	for _, m := range w.h.srv.Sent() {
		s := adaptertest.Sent{ID: m.ID, Channel: m.Channel, ReplyTo: m.ReplyTo, Text: m.Content}
		if c := w.h.srv.Components(m.ID); len(c) > 0 {
			for i, row := range buttonsOf(w.h.t, c) {
				for _, b := range row {
					s.Buttons = append(s.Buttons, adaptertest.Button{Entry: i + 1, Value: b.CustomID, Pressed: strings.HasPrefix(b.Label, "✓ ")})
				}
			}
		}
		out = append(out, s)
	}
	return out
}

func (w *discordWorld) BotReactions(channel, msg string) []string {
	var out []string
	for _, r := range w.h.srv.Reactions() {
		if r.Channel == channel && r.Message == msg {
			out = append(out, r.Emoji)
		}
	}
	return out
}

func (w *discordWorld) Leave() bool {
	w.h.applied.After(w.h.t, "leaving the guild", func(ev bot.Event) bool {
		_, ok := ev.(bot.SpaceRemoved)
		return ok
	}, func() { w.h.srv.Dispatch("GUILD_DELETE", map[string]any{"id": w.h.srv.GuildID}) })
	return true
}

func (w *discordWorld) Restart() bool {
	w.h.restart()
	return true
}

func (w *discordWorld) MassMentions() []string {
	return []string{"@everyone", "@here", "<@&900000000000000555>"}
}

func (w *discordWorld) LiveMention(s adaptertest.Sent) string { return discordLive.FindString(s.Text) }
