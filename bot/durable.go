package bot

import (
	"context"
	"errors"

	"github.com/repertoire/repertoire/repertoire"
)

// Acknowledge only what is durable: a request that writes (save, unsave,
// forget me) records its delivery with its write, not on arrival, so a write that
// fails leaves the delivery to be tried again, and a redelivery after the
// write succeeded finds it applied and says nothing. A request that only
// answers is marked answered before it is answered (never answered twice).

// recordsWithWrite reports whether a request's verb records its delivery
// with its write instead of on arrival.
func recordsWithWrite(verb string) bool {
	switch verb {
	case "save", "keep", "unsave", "forget":
		return true // "forget" is a command only as "forget me" (isCommand)
	}
	return false
}

// mentionKey names what a request is about, for applying it once: the
// message that asked (answeredKey), else, for a command, its delivery.
func mentionKey(ev Mentioned) string {
	if key := answeredKey(ev); key != "" {
		return key
	}
	return ev.ID
}

// answerOnce marks a request answered and reports whether this delivery
// is the first to ask it: false for a redelivery, which says nothing.
func (b *Bot) answerOnce(ctx context.Context, ev Mentioned) (bool, error) {
	err := b.store.MarkApplied(ctx, mentionKey(ev))
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return false, nil
	}
	return err == nil, err
}

// refuseOnce answers a request that writes nothing (a save with nothing
// to save): it is marked answered, and reason is returned for the member
// the first time; a redelivery gets nil and says nothing.
func (b *Bot) refuseOnce(ctx context.Context, ev Mentioned, reason error) error {
	first, err := b.answerOnce(ctx, ev)
	if err != nil {
		return err
	}
	if !first {
		return nil
	}
	return reason
}

// replyOnce is refuseOnce for an answer that is not an error.
func (b *Bot) replyOnce(ctx context.Context, ev Mentioned, text string) error {
	first, err := b.answerOnce(ctx, ev)
	if err != nil || !first {
		return err
	}
	return b.reply(ctx, ev, text)
}
