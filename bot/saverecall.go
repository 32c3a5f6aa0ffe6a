package bot

import (
	"context"
	"errors"

	"github.com/repertoire/repertoire/repertoire"
)

// answeredByRecall reports whether the bot answered a thread from the
// repertoire: one of its posts there is a recall answer (or a nudge) that
// showed entries. `save` in such a thread, with no member's answer, has
// nothing new to keep, and its question is not an open one. An answer
// that only offered a possibly related entry kept the question open: it
// answered nothing.
func (b *Bot) answeredByRecall(ctx context.Context, thread []Message) bool {
	if len(thread) > 0 {
		if _, open, err := b.openQuestionOf(ctx, thread[0].Ref); err == nil && open {
			return false
		}
	}
	for _, m := range thread {
		if !m.Author.Bot {
			continue
		}
		_, err := b.store.AnswerVerdicts(ctx, source(m.Ref))
		if err == nil {
			return true
		}
		if !errors.Is(err, repertoire.ErrNotFound) {
			b.log.WarnContext(ctx, "save: is it a recall answer", logMessage, m.Ref.ID, logErr, err)
		}
	}
	return false
}

// savedAlready is what `save` says under a recall answer.
const savedAlready = "The answer in this thread came from the repertoire, so it is saved already: if an entry answered the question, say so on it (“This helped”) and recall learns from it. When a member answers here, react 💡 to that answer (or say save again) to keep it."

// sayAnsweredByRecall answers a capture emoji on a question the bot
// answered from the repertoire in its thread (a nudge, a recall answer):
// there is nothing new to keep and it is no open question, so the member
// is told so, once per member and question, alone where the platform
// whispers, instead of "nobody has answered it yet".
func (b *Bot) sayAnsweredByRecall(ctx context.Context, ev ReactionAdded, q Message) error {
	key := messageKey("recalled", q.Ref, ev.User.ID)
	if err := b.store.MarkApplied(ctx, key); err != nil {
		if errors.Is(err, repertoire.ErrAlreadyApplied) {
			return nil // told before
		}
		return err
	}
	return b.whisperTo(ctx, ev, q, Sentences("My answer in this thread came from the repertoire, so this question is answered there and saved already: if the entry answered it, say so on it (“This helped”) and recall learns from it. When a member answers here, react 💡 to that answer to keep it."))
}
