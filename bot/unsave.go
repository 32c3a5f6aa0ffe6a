package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// unsave handles "@repertoire unsave" in a thread: the member's save (or
// vote) of what was saved from the thread is taken back, as removing their
// capture emoji takes back a save made by reaction. A save made with
// `save` has no emoji to remove; this is its way back. Outside a thread
// the member is told where to say it.
//
// Like save and forget me, unsave records its delivery with its write
// (durable.go): each entry's unsave applies once under its own key, the
// last under the request's, so a write that fails leaves the request to a
// retry, which completes it, and a redelivery after it succeeded says
// nothing.
func (b *Bot) unsave(ctx context.Context, ev Mentioned) error {
	ref := ev.Message.Ref
	if ref.Thread == "" || ref.Thread == ref.ID {
		return b.replyOnce(ctx, ev, "Say "+b.commandText(ev, "unsave")+" as a reply in the thread of what you saved, or remove your reaction ("+b.captureList()+") from the message itself.")
	}
	p, err := b.platform(ref.Channel)
	if err != nil {
		return err
	}
	msgs, err := p.Thread(ctx, ref.Root())
	if err != nil {
		return fmt.Errorf("unsave: fetch thread: %w", err)
	}
	type saved struct {
		src   repertoire.Source
		entry repertoire.Entry
		emoji string // the member's capture emoji still on the message, if any
	}
	var found []saved
	for _, m := range msgs {
		if m.Author.Bot {
			continue
		}
		e, err := b.store.EntryBySource(ctx, source(m.Ref))
		if errors.Is(err, repertoire.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("unsave: %w", err)
		}
		found = append(found, saved{source(m.Ref), e, b.captureEmojiOf(m, ev.Message.Author.ID)})
	}
	if len(found) == 0 {
		return b.replyOnce(ctx, ev, "You have no save or vote in this thread to take back.")
	}
	key := mentionKey(ev)
	var said, still []string
	for i, f := range found {
		event := key + "/" + f.src.Message
		if i == len(found)-1 {
			event = key // the request is done when its last write is
		}
		title := oneLine(f.entry.Title(), 80)
		outcome, err := b.store.Unsave(ctx, event, f.src, ev.Message.Author.ID)
		switch {
		case errors.Is(err, repertoire.ErrAlreadyApplied) && event == key:
			return nil // applied before: a redelivery says nothing
		case errors.Is(err, repertoire.ErrAlreadyApplied):
			// An earlier attempt took it back before failing on another.
			said = append(said, "I took back your save or vote of “"+title+"”.")
			continue
		case err != nil:
			return fmt.Errorf("unsave: %w", err)
		}
		if outcome != repertoire.NotSaved && f.emoji != "" {
			// The bot cannot take a member's reaction off: it still shows.
			still = append(still, f.emoji)
		}
		switch outcome {
		case repertoire.RemovedVote:
			said = append(said, "I took back your vote for “"+title+"”.")
		case repertoire.RemovedSaver:
			said = append(said, "I took back your save of “"+title+"”; it stays in the repertoire, saved by the member who voted for it first.")
		case repertoire.Unconfirmed:
			said = append(said, "I took back your save of “"+title+"”; I had kept it myself before you confirmed it, so it stays, unconfirmed again (digests list it apart).")
		case repertoire.Deleted:
			said = append(said, "I took back your save of “"+title+"”; nobody else saved it, so it is no longer in the repertoire.")
			b.log.InfoContext(ctx, "unsave: entry deleted", logEntry, f.entry.ID, logUser, ev.Message.Author.ID)
		}
	}
	if len(said) == 0 {
		return b.reply(ctx, ev, "You have no save or vote in this thread to take back.")
	}
	if len(still) > 0 {
		said = append(said, "Your "+joinWords(still, "and")+" still shows on the message: take it off too, or it reads as a save to others.")
	}
	return b.reply(ctx, ev, said...)
}

// captureEmojiOf returns the capture emoji userID has on m ("💡", or
// ":bulb:" where only a shortcode is known), "" when none.
func (b *Bot) captureEmojiOf(m Message, userID string) string {
	for _, r := range m.Reactions {
		if _, ok := b.CaptureKind(r.Emoji); ok && r.User.ID == userID {
			if r.Emoji.Unicode != "" {
				return r.Emoji.Unicode
			}
			return ":" + r.Emoji.Shortcode + ":"
		}
	}
	return ""
}
