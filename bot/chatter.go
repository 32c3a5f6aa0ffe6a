package bot

import (
	"context"
	"fmt"
	"regexp"

	"github.com/repertoire/repertoire/repertoire"
)

// A 💡 on "hello" or "thanks!" is a member's explicit act, but chatter is no
// knowledge: recall shows an entry only when it holds two of a question's
// content words, so an entry with fewer could only ever be found by a
// one-word question. A capture needs substance: the message itself says
// something (a content word, or a link), and with its question, when it has
// one, it holds two content words at least ("ccache" under "How do I make
// C++ builds faster?" is an answer).

// link matches a link in a message: a tip may be just one.
var link = regexp.MustCompile(`https?://\S+`)

// substance reports whether an exchange says enough to be saved.
func substance(question *Message, answer Message) bool {
	own := len(ContentWords(answer.Text)) + len(link.FindAllString(answer.Text, -1))
	if own == 0 {
		return false
	}
	if question == nil {
		return own >= 2
	}
	return own+len(ContentWords(question.Text)) >= 2
}

// sayChatter tells the member whose capture emoji saved nothing why: only
// to them where the platform can whisper; else in the message's thread,
// for the first member only (the others saw it). Each member hears it once
// per message: a redelivery, the emoji taken back and added again, or the
// message edited to "nvm" and back (its emoji applied again) says nothing.
func (b *Bot) sayChatter(ctx context.Context, ev ReactionAdded, m Message) error {
	if err := b.store.MarkApplied(ctx, messageKey("chatter", m.Ref, ev.User.ID)); err != nil {
		return nil // said before, or nothing to record it in
	}
	text := fmt.Sprintf("Not saved: “%s” says too little for anyone to find it by (a saved message needs words that carry meaning, or a link).", oneLine(m.Text, 60))
	return b.whisperTo(ctx, ev, m, Sentences(text))
}

// sayTooLong tells the member whose capture emoji saved nothing because the
// message (or its thread's question) is longer than the store keeps, as
// sayChatter does: the capture failed without a word, and the emoji stayed
// on the message as if it had saved it.
func (b *Bot) sayTooLong(ctx context.Context, ev ReactionAdded, m Message) error {
	if err := b.store.MarkApplied(ctx, messageKey("toolong", m.Ref, ev.User.ID)); err != nil {
		return nil // said before, or nothing to record it in
	}
	b.log.InfoContext(ctx, "capture refused: too long", logUser, ev.User.ID, logMessage, m.Ref.ID)
	text := fmt.Sprintf("Not saved: “%s” is too long for me to keep (over %d KiB, with its question). A shorter summary would work: post it and react to that.",
		oneLine(m.Text, 60), repertoire.MaxTextBytes>>10)
	return b.whisperTo(ctx, ev, m, Sentences(text))
}

// whisperTo answers the reaction ev on m: to the member who reacted alone
// where the platform whispers (each of them); else in m's thread, for the
// first member with that emoji only (the others saw the answer).
func (b *Bot) whisperTo(ctx context.Context, ev ReactionAdded, m Message, doc Doc) error {
	out := Outgoing{Channel: m.Ref.Channel, Doc: doc, Ephemeral: true, To: ev.User}
	if w, ok := b.platforms[m.Ref.Channel.Platform].(Whisperer); !ok || !w.Whispers() {
		if !firstOfItsKind(m, ev) {
			return nil
		}
		out.Ephemeral, out.To = false, User{}
		out.Thread = m.Ref.Root().ID
	}
	_, err := b.post(ctx, out)
	return err
}

// saysNothing reports whether text holds nothing an entry could be found
// by: no link and no content word but those of taking a message back
// ("ok", "nvm", "never mind, found it", "👍", empty). An edit to such a
// text takes the message back.
func saysNothing(text string) bool {
	if link.MatchString(text) {
		return false
	}
	for _, w := range ContentWords(text) {
		if !withdrawnWords[w] {
			return false
		}
	}
	return true
}

// withdrawnWords are what a member edits a message to when they take it
// back, beyond plain words.
var withdrawnWords = setOf("nvm nevermind never mind found figured solved resolved fixed ignore disregard deleted removed oops sorry moot scratch")
