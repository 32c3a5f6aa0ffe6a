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
	q, ok, err := b.openQuestionOf(ctx, m.Ref)
	if err != nil {
		return fmt.Errorf("edit open question: %w", err)
	}
	was := q.Text
	if q.Text = withoutThanks(b.withoutCommand(m)); !ok || q.Text == was {
		return nil
	}
	_, err = b.store.KeepOpenQuestion(ctx, subEvent(ev.ID, "open"), q)
	if err != nil && !errors.Is(err, repertoire.ErrAlreadyApplied) {
		return fmt.Errorf("edit open question: %w", err)
	}
	return nil
}

// openQuestionOf returns the open question message ref asked, if it is
// one (listed on digests still).
func (b *Bot) openQuestionOf(ctx context.Context, ref MessageRef) (repertoire.OpenQuestion, bool, error) {
	ch := ref.Channel
	open, err := b.store.OpenQuestions(ctx, repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID}, b.cfg.Now().Add(-b.openFor()))
	if err != nil {
		return repertoire.OpenQuestion{}, false, err
	}
	i := slices.IndexFunc(open, func(q repertoire.OpenQuestion) bool { return q.MessageID == ref.ID })
	if i < 0 {
		return repertoire.OpenQuestion{}, false, nil
	}
	return open[i], true, nil
}
