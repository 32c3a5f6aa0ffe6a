package bot

import (
	"context"
	"errors"

	"github.com/repertoire/repertoire/repertoire"
)

// A capture emoji on a bot's post (a recall answer, a digest, any other
// bot's message) saves nothing: the bot's own posts are not knowledge, and
// what an answer or a digest shows is in the repertoire already. The
// member who reacted is told so once, and how to say an answer helped,
// instead of hearing nothing.

// sayBotPost tells the member whose capture emoji on the bot's post m saved
// nothing why: once per member and message, however many capture emoji
// they add or deliveries carry them (the mark is kept in the store, as a
// capture's delivery is), to them alone where the platform whispers.
func (b *Bot) sayBotPost(ctx context.Context, ev ReactionAdded, m Message) error {
	key := messageKey("botpost", m.Ref, ev.User.ID)
	if err := b.store.MarkApplied(ctx, key); err != nil {
		if errors.Is(err, repertoire.ErrAlreadyApplied) {
			return nil // told before
		}
		return err // nothing recorded: a retry tells
	}
	text := "Not saved: posts by bots, mine included (answers, digests, notes), are not kept in the repertoire. React " + b.captureList() + " to a member's message to save it."
	if b.isRecallAnswer(ctx, m.Ref) {
		text = "Not saved: my answers come from the repertoire, so what they show is saved already. If an entry helped, say so on it (“This helped”), or react 👍 to my answer, which counts for its first entry: recall learns from it."
	}
	return b.whisperTo(ctx, ev, m, Sentences(text))
}

// isRecallAnswer reports whether ref is one of the bot's recall answers (or
// nudges) that showed entries.
func (b *Bot) isRecallAnswer(ctx context.Context, ref MessageRef) bool {
	_, err := b.store.AnswerVerdicts(ctx, source(ref))
	if err != nil && !errors.Is(err, repertoire.ErrNotFound) {
		b.log.WarnContext(ctx, "capture on the bot's post: is it a recall answer", logMessage, ref.ID, logErr, err)
	}
	return err == nil
}
