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

// saysNotHelped reports whether small talk says the answer did not help
// ("thanks anyway", "no luck", "that didn't work", "still broken"). A
// "no" says so only with what did not ("no luck", "nope, didn't help"),
// not in "thanks, no worries"; "but", "never" and "nvm" alone do not.
func saysNotHelped(text string) bool {
	no, what := false, false
	for _, w := range chatWords(text) {
		switch {
		case w == "no" || w == "nope" || w == "nah":
			no = true
		case failedWords[w]:
			what = true
		case notHelpedWords[w] && !weakNegations[w]:
			return true
		}
	}
	return no && what
}

var (
	// failedWords name what a "no" says did not happen ("no luck").
	failedWords = setOf("luck help helped helps helpful work worked works working dice joy broken failing fails")
	// weakNegations are notHelpedWords that do not say, alone, that an
	// answer failed ("thanks, but …", "never mind", "nvm").
	weakNegations = setOf("no nope nah but never nvm cancel")
)

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
// member's own question and no other member spoke since; at a channel's
// top level, the same in the thread of the member's latest question
// there, when nobody else spoke at the top level since; in a DM without a
// thread (mention), the bot's last answer there within thanksWithin,
// unless the member asked something else after it.
func (b *Bot) thankedAnswer(ctx context.Context, m Message, mention bool) (MessageRef, []int64, error) {
	ref := m.Ref
	if ref.Thread != "" && ref.Thread != ref.ID {
		return b.thankedInThread(ctx, m, ref.Root())
	}
	if !b.direct(ref.Channel) {
		return b.thankedAtTop(ctx, m)
	}
	if !mention {
		return MessageRef{}, nil, nil
	}
	ch := storeChannel(ref.Channel)
	answers, err := b.store.AnswerFeedbackSince(ctx, ch, b.cfg.Now().Add(-thanksWithin))
	if err != nil {
		return MessageRef{}, nil, fmt.Errorf("thanks: %w", err)
	}
	if len(answers) == 0 {
		return MessageRef{}, nil, nil
	}
	answer := MessageRef{Channel: ref.Channel, ID: answers[len(answers)-1].MessageID}
	if later, err := b.askedSince(ctx, m, answer); err != nil || later {
		return MessageRef{}, nil, err
	}
	return b.answerShown(ctx, answer)
}

// askedSince reports whether the member who thanks in a DM asked the bot
// something after its answer there (a search it found nothing for, whose
// "nothing yet" is recorded nowhere): the thanks is not the answer's. The
// member's latest message before the thanks that is no small talk is
// their latest request; the answer was to it only if it came no later.
func (b *Bot) askedSince(ctx context.Context, m Message, answer MessageRef) (bool, error) {
	p, err := b.platform(answer.Channel)
	if err != nil {
		return false, err
	}
	posted, err := p.Thread(ctx, answer)
	if err != nil {
		// No time to tell by: taken for the answer, as before.
		b.log.WarnContext(ctx, "thanks: fetch the answer", logMessage, answer.ID, logErr, err)
		return false, nil
	}
	var at time.Time
	for _, x := range posted {
		if x.Ref.ID == answer.ID {
			at = x.Time
		}
	}
	if at.IsZero() {
		return false, nil // no time to tell by: as before
	}
	request, ok, err := b.latestRequest(ctx, m, false)
	if err != nil || !ok {
		return false, err
	}
	return request.At.After(at), nil
}

// latestRequest is the member's latest message before m at the top level
// of m's channel (within thanksWithin) that is no small talk; none when
// withOthers and another member spoke at the top level after it (a DM
// holds the member's messages only).
func (b *Bot) latestRequest(ctx context.Context, m Message, withOthers bool) (repertoire.LoggedMessage, bool, error) {
	ref := m.Ref
	ch := storeChannel(ref.Channel)
	logged, err := b.store.LoggedMessages(ctx, repertoire.MessageQuery{Channel: ch, Since: b.cfg.Now().Add(-thanksWithin)})
	if err != nil {
		return repertoire.LoggedMessage{}, false, fmt.Errorf("thanks: %w", err)
	}
	end := len(logged)
	for i, l := range logged {
		if l.ID == ref.ID {
			end = i
		}
	}
	for i := end - 1; i >= 0; i-- {
		l := logged[i]
		switch {
		case l.Thread != "" && l.Thread != l.ID: // a thread's reply
		case l.Author.ID != m.Author.ID || l.Author.ID == "":
			if withOthers && !l.Bot {
				return repertoire.LoggedMessage{}, false, nil // someone else spoke since
			}
		case b.saidSmallTalk(fromLogged([]repertoire.LoggedMessage{l})[0]):
			// an earlier "thanks", "ok"
		default:
			return l, true, nil
		}
	}
	return repertoire.LoggedMessage{}, false, nil
}

// thankedAtTop finds the answer a thanks at a channel's top level refers
// to: the bot's answer in the thread of the member's latest question at
// the top level, when nobody else spoke there since ("thanks, that
// worked" said below the question rather than in its thread).
func (b *Bot) thankedAtTop(ctx context.Context, m Message) (MessageRef, []int64, error) {
	question, ok, err := b.latestRequest(ctx, m, true)
	if err != nil || !ok {
		return MessageRef{}, nil, err
	}
	return b.thankedInThread(ctx, m, MessageRef{Channel: m.Ref.Channel, ID: question.ID})
}

// thankedInThread finds the answer a thanks refers to in the thread that
// opens with root: the bot's latest post there (before the thanks, when
// the thanks is in it), when that is a recall answer to the member's own
// question and no other member spoke since.
func (b *Bot) thankedInThread(ctx context.Context, m Message, root MessageRef) (MessageRef, []int64, error) {
	p, err := b.platform(root.Channel)
	if err != nil {
		return MessageRef{}, nil, err
	}
	msgs, err := p.Thread(ctx, root)
	if err != nil {
		return MessageRef{}, nil, fmt.Errorf("thanks: fetch thread: %w", err)
	}
	end := len(msgs)
	for i, x := range msgs {
		if x.Ref.ID == m.Ref.ID {
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
			answer, entries, err := b.answerShown(ctx, x.Ref)
			if err != nil || len(entries) > 0 {
				return answer, entries, err
			}
			if i > 0 && sameAuthor(msgs[i-1], m) && b.saidSmallTalk(msgs[i-1]) {
				continue // its reply to the member's "ok" or "thanks anyway": the answer is before
			}
			return MessageRef{}, nil, nil
		case sameAuthor(x, m):
		default:
			// Another member spoke since: the thanks may be theirs, and
			// "that worked" may be their answer's, even said to the bot.
			return MessageRef{}, nil, nil
		}
	}
	return MessageRef{}, nil, nil
}

// saidSmallTalk reports whether m, without the bot's name or command, is
// small talk ("ok", "thanks anyway") rather than a request.
func (b *Bot) saidSmallTalk(m Message) bool {
	return smallTalk(WithoutAddress(b.withoutCommand(m), nil)) != ""
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
