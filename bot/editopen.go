package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
	open, err := b.store.OpenQuestions(ctx, storeChannel(ch), b.cfg.Now().Add(-b.openFor()))
	if err != nil {
		return repertoire.OpenQuestion{}, false, err
	}
	i := slices.IndexFunc(open, func(q repertoire.OpenQuestion) bool { return q.MessageID == ref.ID })
	if i < 0 {
		return repertoire.OpenQuestion{}, false, nil
	}
	return open[i], true, nil
}

// reopenWithdrawn gives back the open question a message asked of the bot
// when its author, having edited it to nothing ("nvm", which closed it),
// edits it back to a question: before is the text the edit replaced. It
// is kept open again, as asked now, when it is a real question asked with
// the bot's name in a channel, is not open already, and nothing answered
// it: the bot's reply to it in its thread was no recall answer and nothing
// was saved from the thread. Applied once per edit delivery.
func (b *Bot) reopenWithdrawn(ctx context.Context, ev MessageEdited, before string) error {
	m := ev.Message
	was := m
	was.Text = before
	if m.Author.Bot || !saysNothing(b.withoutCommand(was)) || saysNothing(b.withoutCommand(m)) || b.direct(m.Ref.Channel) {
		return nil
	}
	if _, ok := b.afterMention(m); !ok {
		return nil // only a question asked of the bot was kept open by asking
	}
	question := b.withoutCommand(m)
	if verb, args := splitCommand(question); !IsRealQuestion(question) || commandVerbs[verb] && isCommand(verb, args) {
		return nil
	}
	if _, open, err := b.openQuestionOf(ctx, m.Ref); err != nil || open {
		return err
	}
	p, err := b.platform(m.Ref.Channel)
	if err != nil {
		return err
	}
	root := m.Ref.Root()
	if m.Ref.Thread == "" {
		root = m.Ref // the bot answered in the question's own thread
	}
	msgs, err := p.Thread(ctx, root)
	if err != nil {
		return fmt.Errorf("reopen a withdrawn question: fetch thread: %w", err)
	}
	after, replied := false, false
	for _, x := range msgs {
		switch {
		case x.Ref.ID == m.Ref.ID:
			after = true
		case x.Author.Bot && after && !replied:
			replied = true
			if _, err := b.store.AnswerEntries(ctx, source(x.Ref)); err == nil {
				return nil // answered from the repertoire: it was never open
			}
		case !x.Author.Bot:
			if _, err := b.store.EntryBySource(ctx, source(x.Ref)); err == nil {
				return nil // an answer in the thread was saved
			}
		}
	}
	from := m.Ref.Channel
	_, err = b.store.KeepOpenQuestion(ctx, subEvent(ev.ID, "reopen"), repertoire.OpenQuestion{
		Channel:   repertoire.Channel{Platform: from.Platform, Space: from.Space, ID: from.ID, Private: m.Private},
		MessageID: m.Ref.ID,
		Asker:     repertoire.Person{ID: m.Author.ID, Name: m.Author.Name},
		Text:      withoutThanks(strings.TrimSpace(question)),
		AskedAt:   askedAt(m, b.cfg.Now()),
	})
	if err != nil && !errors.Is(err, repertoire.ErrAlreadyApplied) {
		return fmt.Errorf("reopen a withdrawn question: %w", err)
	}
	if err == nil {
		b.log.InfoContext(ctx, "open question asked again after it was withdrawn", logMessage, m.Ref.ID)
	}
	return nil
}

// resaveWithdrawn saves again an answer its author edited to nothing
// ("nvm", which deleted its entry) and then back to something, when the
// members' capture emoji are still on it: the 💡 that shows keeps what it
// says. Each member's emoji is applied as if added again, in the order the
// platform lists them, so the first is the saver and the others vote.
// Nothing is done when an entry holds the message already.
func (b *Bot) resaveWithdrawn(ctx context.Context, ev MessageEdited, before string) error {
	m := ev.Message
	was := m
	was.Text = before
	if m.Author.Bot || !saysNothing(b.withoutCommand(was)) || saysNothing(b.withoutCommand(m)) {
		return nil
	}
	held, err := b.store.EntriesHolding(ctx, source(m.Ref))
	if err != nil {
		return fmt.Errorf("save a restored answer again: %w", err)
	}
	if slices.ContainsFunc(held, func(e repertoire.Entry) bool { return e.SourceID == m.Ref.ID }) {
		return nil
	}
	p, err := b.platform(m.Ref.Channel)
	if err != nil {
		return err
	}
	msgs, err := p.Thread(ctx, m.Ref)
	if err != nil {
		return fmt.Errorf("save a restored answer again: fetch message: %w", err)
	}
	i := slices.IndexFunc(msgs, func(x Message) bool { return x.Ref.ID == m.Ref.ID })
	if i < 0 {
		return nil
	}
	var errs []error
	for _, r := range msgs[i].Reactions {
		if _, ok := b.CaptureKind(r.Emoji); !ok || r.User.Bot {
			continue
		}
		errs = append(errs, b.reactionAdded(ctx, ReactionAdded{ID: subEvent(ev.ID, "resave/"+r.User.ID+"/"+emojiKey(r.Emoji)),
			Target: m.Ref, User: r.User, Emoji: r.Emoji, Private: m.Private, At: ev.Message.Time}))
	}
	return errors.Join(errs...)
}
