package discord_test

import (
	"testing"
)

// "@repertoire forget me" in a guild channel was answered in the channel,
// where everyone read the warning and what was removed: Discord has no
// whisper outside an interaction. The answers go to the member's direct
// message with the bot now, and the channel is told only that the member
// was answered there (without it the request looked ignored); where the
// direct message cannot be opened, the channel's reply stays.
func TestForgetMeInAChannelIsAnsweredInADirectMessage(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	mention := "<@" + h.srv.Bot.ID + "> forget me"
	h.srv.Post(dave, general, mention, "")
	h.srv.Await(t, "the warning", func() bool { return len(h.sentContaining("This removes from the repertoire")) > 0 })
	h.srv.Post(dave, general, mention, "")
	h.srv.Await(t, "what was removed", func() bool { return len(h.sentContaining("Done: I removed")) > 0 })
	// The channel is told where the answers went, once for each request,
	// as a reply to it: the request does not look ignored.
	h.srv.Await(t, "two pointers to the direct message", func() bool {
		return len(h.sentContaining("I answered you in our direct message")) == 2
	})
	for _, m := range h.sentContaining("I answered you in our direct message") {
		if m.Channel != general {
			t.Errorf("the pointer went to %s, want the channel", m.Channel)
		}
	}
	for _, said := range []string{"This removes from the repertoire", "Done: I removed"} {
		for _, m := range h.sentContaining(said) {
			if m.Channel != "dm-"+dave.ID {
				t.Errorf("%q was sent to %s, not dave's direct message", said, m.Channel)
			}
		}
	}

	// A direct message that cannot be opened: answered in the channel.
	h.srv.FailAfter("POST users/@me/{}", 0)
	h.srv.Post(carol, general, mention, "")
	h.srv.Await(t, "carol's warning", func() bool { return len(h.sentContaining("This removes from the repertoire")) > 1 })
	if ms := h.sentContaining("This removes from the repertoire"); ms[len(ms)-1].Channel != general {
		t.Errorf("carol's warning went to %s, want the channel", ms[len(ms)-1].Channel)
	}
}
