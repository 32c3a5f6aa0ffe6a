package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/repertoire/repertoire/repertoire"
)

// keepOpenReacted answers a capture emoji on a question nobody has
// answered yet as `save` in its thread does (keepOpen): the question is
// kept open, not saved as an entry with no answer that recall would offer;
// a capture of the answer when it comes makes them one entry. The reply
// goes in the question's thread, once: a second 💡 adds nothing to say.
func (b *Bot) keepOpenReacted(ctx context.Context, ev ReactionAdded, q Message) error {
	text := b.withoutCommand(q)
	kept := ", so I kept it as an open question"
	var err error
	if b.direct(q.Ref.Channel) {
		kept = "" // a direct message's questions are listed nowhere
		err = b.store.MarkApplied(ctx, ev.ID)
	} else {
		// The delivery is recorded with the question, in one write: a
		// write that fails leaves neither and the retry keeps it; a
		// redelivery after the answer's save closed it changes nothing.
		var open bool
		open, err = b.holdOpen(ctx, ev.ID, q, text, ev.Private || q.Private)
		if err == nil && open {
			return b.sayKind(ctx, ev, q, text)
		}
	}
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	} else if errors.Is(err, repertoire.ErrTooLong) {
		return b.sayTooLong(ctx, ev, q) // chatter.go
	} else if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	entry := "one entry"
	if k, ok := b.CaptureKind(ev.Emoji); ok && k != plainKind {
		entry = "one entry, a " + string(k)
	}
	_, err = b.post(ctx, Outgoing{Channel: q.Ref.Channel, Thread: q.Ref.Root().ID, Doc: Sentences(fmt.Sprintf(
		"Nobody has answered “%s” yet%s: react 💡 to the answer when it comes, and it becomes %s.",
		oneLine(text, 80), kept, entry))})
	return err
}

// sayKind answers a capture emoji naming a kind (✅, 📖) on a question kept
// open already: its answer will be saved as that kind. A plain 💡 adds
// nothing to say. The member who reacted is told alone where the platform
// whispers (each of them); else in the question's thread, once: an emoji
// another member put there before was answered already.
func (b *Bot) sayKind(ctx context.Context, ev ReactionAdded, q Message, text string) error {
	k, ok := b.CaptureKind(ev.Emoji)
	if !ok || k == plainKind {
		return nil
	}
	say := fmt.Sprintf("“%s” is kept open already; when its answer gets a 💡, it is saved as a %s.", oneLine(text, 80), k)
	if first, ok := b.namedKind(ctx, q); ok && first != k {
		// namedkind.go: the kind named first is the one the answer takes.
		emoji := ev.Emoji.Unicode
		if emoji == "" {
			emoji = ":" + ev.Emoji.Shortcode + ":"
		}
		say = fmt.Sprintf("“%s” is kept open already, and its answer will be saved as a %s, the kind named on it first; to keep the answer as a %s, react %s to the answer itself.",
			oneLine(text, 80), first, k, emoji)
	}
	return b.whisperTo(ctx, ev, q, Sentences(say))
}

// kindOfAsked answers a capture emoji on a question asked of the bot
// ("@repertoire how do I …?") that nobody has answered: recall kept it
// open, so a ✅ or 📖 on it names its answer's kind as on a question a 💡
// kept open (namedKind applies it when the answer is saved). Anything else
// on a request to the bot is no knowledge, and the member is told so.
func (b *Bot) kindOfAsked(ctx context.Context, ev ReactionAdded, q Message) error {
	open, ok, err := b.openQuestionOf(ctx, q.Ref) // editopen.go
	if err != nil {
		return fmt.Errorf("capture: open questions: %w", err)
	}
	if !ok {
		return b.sayRequest(ctx, ev, q, false) // reactrequest.go
	}
	if err := b.store.MarkApplied(ctx, ev.ID); errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	} else if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	return b.sayKind(ctx, ev, q, open.Text)
}

// asksOnly reports whether a message only asks: it ends with its question
// mark ("anyone know how to clear the npm cache?"). A tip that asks on the
// way ("Ping everyone before a deploy? No: post in #deploys") or opens
// like a question ("How to speed up builds: use ccache") says something.
func asksOnly(text string) bool {
	t := strings.TrimRightFunc(text, unicode.IsSpace)
	return strings.HasSuffix(t, "?") && !announcement.MatchString(t)
}
