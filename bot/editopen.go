package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/repertoire/repertoire/repertoire"
)

// reaskEdited keeps the open question an edited message asked as it asks
// now, as an edit updates an entry: the digest lists what the member asks,
// not their first words. Applied once per edit delivery.
func (b *Bot) reaskEdited(ctx context.Context, ev MessageEdited) error {
	m := ev.Message
	ch := m.Ref.Channel
	open, err := b.store.OpenQuestions(ctx, repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID}, b.cfg.Now().Add(-b.openFor()))
	if err != nil {
		return fmt.Errorf("edit open question: %w", err)
	}
	i := slices.IndexFunc(open, func(q repertoire.OpenQuestion) bool { return q.MessageID == m.Ref.ID })
	if i < 0 {
		return nil
	}
	q := open[i]
	if q.Text = b.withoutCommand(m); q.Text == open[i].Text {
		return nil
	}
	_, err = b.store.KeepOpenQuestion(ctx, subEvent(ev.ID, "open"), q)
	if err != nil && !errors.Is(err, repertoire.ErrAlreadyApplied) {
		return fmt.Errorf("edit open question: %w", err)
	}
	return nil
}
