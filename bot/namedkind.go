package bot

import (
	"context"
	"errors"

	"github.com/repertoire/repertoire/repertoire"
)

// A 💡 says "keep this"; a ✅ or a 📖 also says what it is. A question kept
// open by reactions may carry a ✅ (its answer will be a solution) while the
// answer, when it comes, gets the plain 💡: the entry takes the kind the
// question's reaction named, instead of losing it.

// plainKind is the kind of the plain capture emoji (💡), which names no
// kind of its own.
const plainKind = repertoire.Tip

// namedKind returns the kind a member's capture reaction on q names, other
// than the plain one: from the platform's reactions, else from the message
// log (a platform that does not return reactions with messages).
func (b *Bot) namedKind(ctx context.Context, q Message) (repertoire.Kind, bool) {
	for _, r := range q.Reactions {
		if k, ok := b.CaptureKind(r.Emoji); ok && k != plainKind && !r.User.Bot {
			return k, true
		}
	}
	logged, err := b.store.LoggedMessageBySource(ctx, source(q.Ref))
	if err != nil {
		if !errors.Is(err, repertoire.ErrNotFound) {
			b.log.WarnContext(ctx, "capture: reactions of the question", logMessage, q.Ref.ID, logErr, err)
		}
		return "", false
	}
	for _, r := range logged.Reactions {
		e := Emoji{Unicode: r.Emoji}
		if isASCII(r.Emoji) {
			e = Emoji{Shortcode: r.Emoji}
		}
		if k, ok := b.CaptureKind(e); ok && k != plainKind {
			return k, true
		}
	}
	return "", false
}

// firstOfItsKind reports whether the reaction ev is the only one of its
// emoji on q by a member (others reacted alike: said already).
func firstOfItsKind(q Message, ev ReactionAdded) bool {
	for _, r := range q.Reactions {
		if r.User.ID != ev.User.ID && !r.User.Bot && emojiKey(r.Emoji) == emojiKey(ev.Emoji) {
			return false
		}
	}
	return true
}
