package bot

import (
	"context"
	"errors"

	"github.com/repertoire/repertoire/repertoire"
)

// A capture emoji on a request to the bot saves nothing: a command
// ("digest now", "@repertoire save") is no knowledge, and a question asked
// of the bot holds no answer. It used to say nothing, so the member took
// the silence for a save; the member is now told why, once per member and
// message, alone where the platform whispers.

// isCommandText reports whether text, the bot's name cut off, is a
// command to it as a whole ("digest now", "help"), not a question.
func isCommandText(text string) bool {
	verb, args := splitCommand(requestText(text))
	return commandVerbs[verb] && isCommand(verb, args)
}

// sayRequest tells the member who reacted to request m why nothing was
// saved: a command (command) or a question (otherwise). In a DM, where a
// member keeps private notes by reacting to their own messages, it says
// how to keep one.
func (b *Bot) sayRequest(ctx context.Context, ev ReactionAdded, m Message, command bool) error {
	key := messageKey("request", m.Ref, ev.User.ID)
	if err := b.store.MarkApplied(ctx, key); err != nil {
		if errors.Is(err, repertoire.ErrAlreadyApplied) {
			return nil // told before
		}
		return err // nothing recorded: a retry tells
	}
	text := oneLine(m.Text, 60)
	dm := b.direct(m.Ref.Channel)
	var say string
	switch {
	case command && dm:
		say = "Not saved: “" + text + "” is a command to me, not a note. To keep a private note here, write it as a message and react " + b.captureList() + " to it."
	case command:
		say = "Not saved: “" + text + "” is a request to me, not knowledge. React " + b.captureList() + " to the member's message that holds the answer to save it."
	case dm:
		say = "Not saved: “" + text + "” is a question, with no answer in it to keep. If an answer of mine helped, say so on it (“This helped”); to keep an answer as a private note, write it here (or as a reply to the question) and react 💡 to that."
	default:
		say = "Not saved: “" + text + "” asks me something, with no answer in it to keep. When a member answers it, react " + b.captureList() + " to the answer to save them together."
	}
	return b.whisperTo(ctx, ev, m, Sentences(say))
}
