package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// closeHelped closes the open question a recall answer replied to, once a
// member says one of its entries helped: the question (kept open when the
// answer was only possibly related) is answered, and the digest no longer
// asks for it. The answer sits in the question's thread; a platform that
// does not say which thread a pressed message is in (Discord) closes
// nothing here. A failure is logged: the verdict is recorded already.
func (b *Bot) closeHelped(ctx context.Context, answer MessageRef) {
	root := answer.Root()
	if root.ID == answer.ID {
		return
	}
	ch := answer.Channel
	n, err := b.store.CloseOpenQuestions(ctx, storeChannel(ch), []string{root.ID}, nil)
	if err != nil {
		b.log.WarnContext(ctx, "close the open question an answer helped", logMessage, root.ID, logErr, err)
	} else if n > 0 {
		b.log.InfoContext(ctx, "open question closed: an entry helped", logMessage, root.ID)
	}
}

// keepOpenNotHelped keeps the question a recall answer replied to open
// when its asker says the answer did not help ("Not it" on an answer of
// one entry, "that didn't work" to the bot): the digest then asks the
// channel for it, as it does for a question recall found nothing for. It
// holds for a real question asked in a channel whose thread holds the
// answer (a platform that does not say which thread a pressed message is
// in, Discord, keeps nothing here) and that no entry holds. It reports
// whether the question is open now. Applied once per event.
func (b *Bot) keepOpenNotHelped(ctx context.Context, event string, answer MessageRef, asker User) (bool, error) {
	root := answer.Root()
	if root.ID == answer.ID || b.direct(answer.Channel) || asker.ID == "" {
		return false, nil
	}
	p, err := b.platform(answer.Channel)
	if err != nil {
		return false, err
	}
	msgs, err := p.Thread(ctx, root)
	if err != nil {
		return false, fmt.Errorf("keep open a question not answered: fetch thread: %w", err)
	}
	if len(msgs) == 0 || msgs[0].Ref.ID != root.ID || msgs[0].Author.ID != asker.ID {
		return false, nil
	}
	q := msgs[0]
	text := strings.TrimSpace(b.withoutCommand(q))
	if !IsRealQuestion(text) {
		return false, nil
	}
	if _, open, err := b.openQuestionOf(ctx, q.Ref); err != nil || open {
		return open, err
	}
	if answered, err := b.store.QuestionAnswered(ctx, source(q.Ref)); err != nil || answered {
		return false, err
	}
	ch := q.Ref.Channel
	_, err = b.store.KeepOpenQuestion(ctx, subEvent(event, "notit"), repertoire.OpenQuestion{
		Channel:   repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID, Private: q.Private},
		MessageID: q.Ref.ID,
		Asker:     repertoire.Person{ID: q.Author.ID, Name: q.Author.Name},
		Text:      withoutThanks(text),
		AskedAt:   askedAt(q, b.cfg.Now()),
	})
	switch {
	case errors.Is(err, repertoire.ErrAlreadyApplied):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("keep open a question not answered: %w", err)
	}
	b.log.InfoContext(ctx, "open question kept: its asker said the answer did not help", logMessage, q.Ref.ID)
	return true, nil
}
