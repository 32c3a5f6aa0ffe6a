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
func (b *Bot) unsave(ctx context.Context, ev Mentioned) error {
	ref := ev.Message.Ref
	if ref.Thread == "" || ref.Thread == ref.ID {
		return b.reply(ctx, ev, "Say "+b.commandText(ev, "unsave")+" as a reply in the thread of what you saved, or remove your reaction ("+b.captureList()+") from the message itself.")
	}
	p, err := b.platform(ref.Channel)
	if err != nil {
		return err
	}
	msgs, err := p.Thread(ctx, ref.Root())
	if err != nil {
		return fmt.Errorf("unsave: fetch thread: %w", err)
	}
	var said []string
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
		outcome, err := b.store.Unsave(ctx, "", source(m.Ref), ev.Message.Author.ID)
		if err != nil {
			return fmt.Errorf("unsave: %w", err)
		}
		title := oneLine(e.Title(), 80)
		switch outcome {
		case repertoire.RemovedVote:
			said = append(said, "I took back your vote for “"+title+"”.")
		case repertoire.RemovedSaver:
			said = append(said, "I took back your save of “"+title+"”; it stays in the repertoire, saved by the member who voted for it first.")
		case repertoire.Deleted:
			said = append(said, "I took back your save of “"+title+"”; nobody else saved it, so it is no longer in the repertoire.")
			b.log.InfoContext(ctx, "unsave: entry deleted", logEntry, e.ID, logUser, ev.Message.Author.ID)
		}
	}
	if len(said) == 0 {
		return b.reply(ctx, ev, "You have no save or vote in this thread to take back.")
	}
	return b.reply(ctx, ev, said...)
}
