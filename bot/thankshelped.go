package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// A member who tells the bot "thanks, that helped" after its answer says
// what the "This helped" button says. It counts as that button when it
// clearly refers to the bot's last answer to that member: in a thread,
// the bot's latest post before it is a recall answer to the member's own
// question and nobody else spoke since (a thanks after another member's
// reply is theirs, or "that worked" is their answer's, even said to the
// bot by name); in a DM, the bot's last answer there within thanksWithin. The answer must have shown one entry,
// else the thanks cannot say which, and the member is asked to press the
// button beside it.

// thanksWithin bounds how long after an answer in a DM a thanks is taken
// for it: the DM has no thread to tie them.
const thanksWithin = time.Hour

var (
	// helpedWords say that something worked ("that helped", "did the
	// trick", "fixed it").
	helpedWords = setOf("helped helps helpful worked works fixed solved trick perfect")
	// notHelpedWords undo them ("thanks anyway", "thanks, but it still
	// doesn't work").
	notHelpedWords = setOf(`not no nope nah never didn't didn doesn't doesn don't don isn't isn wasn't wasn won't
		anyway but still though however nvm cancel t`)
)

// saysHelped reports whether text (without the bot's name) is small talk
// that says the answer helped ("thanks, that helped", "great, that
// worked") and names no member ("thanks @bob"). strict (a reply
// not addressed to the bot by name) also wants every word to be such
// talk, so that a thanks naming someone ("thanks bob, that worked") is
// left to them.
func saysHelped(text string, strict bool) bool {
	if talk := smallTalk(text); talk != talkThanks && talk != talkAck {
		return false
	}
	helped := false
	for _, w := range chatWords(text) {
		switch {
		case notHelpedWords[w]:
			return false
		case helpedWords[w]:
			helped = true
		case strict && !thanksWords[w] && !ackWords[w] && !connectives[w] && !thanksFillers[w]:
			return false
		}
	}
	return helped && !strings.Contains(text, "@") // "thanks @bob" is bob's
}

// helpedAnswer is what a thanks came to.
type helpedAnswer int

const (
	notAnAnswer   helpedAnswer = iota // no answer of the bot's it clearly refers to
	countedHelped                     // counted as "This helped" on its one entry
	whichHelped                       // the answer showed several entries: which?
)

// thanksHelped counts a member's thanks m as "This helped" on the bot's
// answer it refers to, once per message whichever deliveries carry it,
// and says what came of it and the entry's title. mention tells a thanks
// addressed to the bot by name (or in a DM) from a plain reply in the
// answer's thread.
func (b *Bot) thanksHelped(ctx context.Context, m Message, mention bool) (helpedAnswer, string, error) {
	answer, entries, err := b.thankedAnswer(ctx, m, mention)
	if err != nil || len(entries) == 0 {
		return notAnAnswer, "", err
	}
	if len(entries) > 1 {
		return whichHelped, "", nil
	}
	changed, err := b.store.EntryFeedback(ctx, messageKey("thanks", m.Ref), source(answer), entries[0], m.Author.ID, true, m.Time)
	switch {
	case errors.Is(err, repertoire.ErrNotFound):
		return notAnAnswer, "", nil
	case errors.Is(err, repertoire.ErrAlreadyApplied):
		changed = false // counted by an earlier delivery
	case err != nil:
		return notAnAnswer, "", fmt.Errorf("thanks: %w", err)
	}
	b.log.InfoContext(ctx, "entry feedback from thanks", logMessage, answer.ID, logUser, m.Author.ID, logEntry, entries[0], "changed", changed)
	if changed {
		b.learnHelpful(ctx, entries[0])
		b.closeHelped(ctx, answer)
		b.showPressed(ctx, answer)
	}
	title := ""
	if e, err := b.store.Entry(ctx, entries[0]); err == nil {
		title = oneLine(e.Title(), 80)
	}
	return countedHelped, title, nil
}

// thankedAnswer finds the bot's answer a thanks refers to, and the
// entries it showed (none when there is no such answer): in a thread, the
// bot's latest post before it, when that is a recall answer to the
// member's own question and no other member spoke since; in a DM without
// a thread (mention), the bot's last answer there within thanksWithin.
func (b *Bot) thankedAnswer(ctx context.Context, m Message, mention bool) (MessageRef, []int64, error) {
	ref := m.Ref
	if ref.Thread == "" || ref.Thread == ref.ID {
		if !mention || !b.direct(ref.Channel) {
			return MessageRef{}, nil, nil // a channel's top level: which answer?
		}
		ch := repertoire.Channel{Platform: ref.Channel.Platform, Space: ref.Channel.Space, ID: ref.Channel.ID}
		answers, err := b.store.AnswerFeedbackSince(ctx, ch, b.cfg.Now().Add(-thanksWithin))
		if err != nil {
			return MessageRef{}, nil, fmt.Errorf("thanks: %w", err)
		}
		if len(answers) == 0 {
			return MessageRef{}, nil, nil
		}
		return b.answerShown(ctx, MessageRef{Channel: ref.Channel, ID: answers[len(answers)-1].MessageID})
	}
	p, err := b.platform(ref.Channel)
	if err != nil {
		return MessageRef{}, nil, err
	}
	msgs, err := p.Thread(ctx, ref.Root())
	if err != nil {
		return MessageRef{}, nil, fmt.Errorf("thanks: fetch thread: %w", err)
	}
	end := len(msgs)
	for i, x := range msgs {
		if x.Ref.ID == ref.ID {
			end = i
			break
		}
	}
	for i := end - 1; i >= 0; i-- {
		x := msgs[i]
		switch {
		case x.Author.Bot:
			// The bot's latest post here: an answer to m's author's own
			// question, or the thanks refers to none.
			if !b.askedBy(msgs[:i], m) {
				return MessageRef{}, nil, nil
			}
			return b.answerShown(ctx, x.Ref)
		case sameAuthor(x, m):
		default:
			// Another member spoke since: the thanks may be theirs, and
			// "that worked" may be their answer's, even said to the bot.
			return MessageRef{}, nil, nil
		}
	}
	return MessageRef{}, nil, nil
}

// answerShown returns the entries the bot's post showed, none when it is
// no recall answer.
func (b *Bot) answerShown(ctx context.Context, answer MessageRef) (MessageRef, []int64, error) {
	entries, err := b.store.AnswerEntries(ctx, source(answer))
	switch {
	case errors.Is(err, repertoire.ErrNotFound):
		return MessageRef{}, nil, nil
	case err != nil:
		return MessageRef{}, nil, fmt.Errorf("thanks: %w", err)
	}
	return answer, entries, nil
}

// askedBy reports whether the member's message nearest before an answer
// (the question it answered) is m's author's.
func (b *Bot) askedBy(before []Message, m Message) bool {
	for i := len(before) - 1; i >= 0; i-- {
		if !before[i].Author.Bot {
			return sameAuthor(before[i], m)
		}
	}
	return false
}
