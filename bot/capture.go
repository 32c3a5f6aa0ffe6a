package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// reactionAdded is where a reaction becomes an entry: a capture emoji saves
// the reacted message with its thread's opening question, crediting its
// author and recording the reactor as saver (or as a vote when someone saved
// it already). A capture emoji on the bot's suggestion saves the exchange
// it suggested; any other reaction is a signal for detection.
func (b *Bot) reactionAdded(ctx context.Context, ev ReactionAdded) error {
	if ev.User.Bot {
		return nil
	}
	b.noteReaction(ctx, ev.Target, ev.User, ev.Emoji, true)
	kind, ok := b.CaptureKind(ev.Emoji)
	if !ok {
		// 👍/👎 on a recall answer is feedback; any other reaction is a
		// signal for detection.
		return errors.Join(b.feedbackReaction(ctx, ev.ID, ev.Target, ev.User, ev.Emoji, true), b.detect(ctx, ev.Target))
	}
	if handled, err := b.captureSuggestion(ctx, ev, kind); handled {
		return err
	}
	p, err := b.platform(ev.Target.Channel)
	if err != nil {
		return err
	}
	msgs, err := p.Thread(ctx, ev.Target)
	if err != nil {
		return fmt.Errorf("capture: fetch message: %w", err)
	}
	var answer, question *Message
	for i := range msgs {
		if msgs[i].Ref.ID == ev.Target.ID {
			answer = &msgs[i]
		}
	}
	if answer == nil {
		return fmt.Errorf("capture: message %s not in what the platform returned", ev.Target.ID)
	}
	if len(msgs) > 0 && msgs[0].Ref.ID != answer.Ref.ID && answer.Ref.Thread != "" {
		question = &msgs[0]
	}
	if question == nil {
		// A reacted question saves its best answer; an unthreaded answer
		// finds its question in the conversation the log assembles.
		question, answer = b.exchangeAround(ctx, msgs, answer)
	}
	if answer.Author.Bot || b.addressesBot(answer.Text) {
		return nil // the bot's own posts and requests to it are not knowledge
	}
	params := b.saveParams(ev.ID, kind, question, *answer, ev.Private || answer.Private)
	params.Saver = repertoire.Person{ID: ev.User.ID, Name: ev.User.Name}
	b.addTags(ctx, &params)
	e, outcome, err := b.store.Save(ctx, params)
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	b.log.InfoContext(ctx, "capture", logEntry, e.ID, logUser, ev.User.ID, "outcome", outcome.String())
	if outcome == repertoire.Created {
		b.acknowledge(ctx, answer.Ref, e)
	}
	return nil
}

// addressesBot reports whether text starts by addressing the bot by name.
func (b *Bot) addressesBot(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	return strings.HasPrefix(t, "@"+strings.ToLower(b.cfg.Name))
}

func (b *Bot) saveParams(event string, kind repertoire.Kind, question *Message, answer Message, private bool) repertoire.SaveParams {
	p := repertoire.SaveParams{
		Event: event,
		Channel: repertoire.Channel{
			Platform: answer.Ref.Channel.Platform, Space: answer.Ref.Channel.Space, ID: answer.Ref.Channel.ID,
			Name: answer.ChannelName, Private: private,
		},
		SourceID:  answer.Ref.ID,
		ThreadID:  answer.Ref.Thread,
		Permalink: answer.Link,
		Kind:      kind,
		Answer:    answer.Text,
		Author:    repertoire.Person{ID: answer.Author.ID, Name: answer.Author.Name},
		Tags:      Hashtags(answer.Text),
		At:        b.cfg.Now(),
	}
	if question != nil {
		p.QuestionID = question.Ref.ID
		p.Question = question.Text
		p.QuestionAuthor = repertoire.Person{ID: question.Author.ID, Name: question.Author.Name}
		p.Tags = append(Hashtags(question.Text), p.Tags...)
	}
	return p
}

// acknowledge tells the channel, quietly, that a message was saved: a
// reaction where the platform can, else one short thread reply.
func (b *Bot) acknowledge(ctx context.Context, ref MessageRef, e repertoire.Entry) {
	p, err := b.platform(ref.Channel)
	if err != nil {
		return
	}
	if r, ok := p.(Reacter); ok {
		if err := r.React(ctx, ref, b.cfg.Ack); err == nil {
			return
		} else {
			b.log.WarnContext(ctx, "acknowledge by reaction", logEntry, e.ID, logErr, err)
		}
	}
	thread := ref.Thread
	if thread == "" {
		thread = ref.ID
	}
	_, err = b.post(ctx, Outgoing{Channel: ref.Channel, Thread: thread,
		Doc: Sentences(fmt.Sprintf("Saved to the repertoire as a %s.", e.Kind))})
	if err != nil {
		b.log.WarnContext(ctx, "acknowledge by reply", logEntry, e.ID, logErr, err)
	}
}

// reactionsCleared takes back, one by one, the reactions a moderator
// cleared, as the message log recorded them: a cleared 💡 undoes its save as
// if its member had removed it. A message older than the log keeps its saves.
func (b *Bot) reactionsCleared(ctx context.Context, ev ReactionsCleared) error {
	logged, err := b.store.LoggedMessageBySource(ctx, source(ev.Target))
	if errors.Is(err, repertoire.ErrNotFound) {
		b.log.InfoContext(ctx, "reactions cleared on a message the log does not hold; saves kept", logMessage, ev.Target.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reactions cleared: %w", err)
	}
	var errs []error
	for _, r := range logged.Reactions {
		if ev.Emoji != nil && emojiKey(*ev.Emoji) != r.Emoji {
			continue
		}
		e := Emoji{Unicode: r.Emoji}
		if isASCII(r.Emoji) {
			e = Emoji{Shortcode: r.Emoji}
		}
		errs = append(errs, b.reactionRemoved(ctx, ReactionRemoved{ID: subEvent(ev.ID, r.UserID+"/"+r.Emoji),
			Target: ev.Target, User: User{ID: r.UserID}, Emoji: e}))
	}
	return errors.Join(errs...)
}

func (b *Bot) reactionRemoved(ctx context.Context, ev ReactionRemoved) error {
	if ev.User.Bot {
		return nil
	}
	b.noteReaction(ctx, ev.Target, ev.User, ev.Emoji, false)
	if _, ok := b.CaptureKind(ev.Emoji); !ok {
		return b.feedbackReaction(ctx, ev.ID, ev.Target, ev.User, ev.Emoji, false)
	}
	outcome, err := b.store.Unsave(ctx, ev.ID, source(ev.Target), ev.User.ID)
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("uncapture: %w", err)
	}
	if outcome == repertoire.Deleted {
		b.log.InfoContext(ctx, "capture undone", logMessage, ev.Target.ID, logUser, ev.User.ID)
	}
	return nil
}

// saveThread handles "@repertoire save [kind] [#tags]" in a thread: the
// opening question and the best reply become an entry, the member its saver.
func (b *Bot) saveThread(ctx context.Context, ev Mentioned, args string) error {
	target := ev.Target
	if target == nil {
		if ev.Message.Ref.Thread == "" || ev.Message.Ref.Thread == ev.Message.Ref.ID {
			return errNeedThread
		}
		root := ev.Message.Ref.Root()
		target = &root
	}
	p, err := b.platform(target.Channel)
	if err != nil {
		return err
	}
	msgs, err := p.Thread(ctx, *target)
	if err != nil {
		return fmt.Errorf("save: fetch thread: %w", err)
	}
	kind := commandKind(args, repertoire.Solution)
	var question *Message
	var answer Message
	if ev.Target != nil && ev.Target.Thread != "" && ev.Target.Thread != ev.Target.ID {
		// A command about one reply: that reply, under its thread's question.
		for i := range msgs {
			if msgs[i].Ref.ID == ev.Target.ID {
				answer = msgs[i]
			}
		}
		question = &msgs[0]
	} else {
		best, ok := BestReply(msgs, ev.Message.Ref.ID, b.cfg.Name)
		switch {
		case len(msgs) == 0:
			return errNothingToSave
		case ok:
			question, answer = &msgs[0], best
		default:
			answer = msgs[0] // a thread with no usable reply: the opening message is the tip
			kind = repertoire.Tip
		}
	}
	if answer.Ref.ID == "" {
		return errNothingToSave
	}
	// The mention's delivery was recorded when it arrived (mentioned), so the
	// save itself carries no delivery ID.
	params := b.saveParams("", kind, question, answer, ev.Message.Private || answer.Private)
	params.Tags = append(params.Tags, Hashtags(args)...)
	params.Saver = repertoire.Person{ID: ev.Message.Author.ID, Name: ev.Message.Author.Name}
	b.addTags(ctx, &params)
	e, outcome, err := b.store.Save(ctx, params)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	msg := fmt.Sprintf("Saved “%s” as a %s, credited to %s.", oneLine(e.Title(), 80), e.Kind, e.Author.Name)
	if outcome != repertoire.Created {
		msg = fmt.Sprintf("“%s” was already in the repertoire; I counted your save (%d votes).", oneLine(e.Title(), 80), e.Votes)
	}
	if len(e.AllTags()) > 0 {
		msg += " Tags: #" + strings.Join(e.AllTags(), " #") + "."
	}
	return b.reply(ctx, ev, msg)
}

// exchangeAround completes a reacted message that has no thread question:
// when it opens a thread with replies and reads as a question, the entry is
// that question with its best reply; when it sits in an unthreaded channel,
// the conversation assembled from the message log may show the question it
// answers. Otherwise the message stands alone.
func (b *Bot) exchangeAround(ctx context.Context, thread []Message, reacted *Message) (*Message, *Message) {
	if len(thread) > 1 && thread[0].Ref.ID == reacted.Ref.ID {
		if IsQuestion(reacted.Text) {
			if best, ok := BestReply(thread, "", b.cfg.Name); ok {
				return reacted, &best
			}
		}
		return nil, reacted
	}
	conv, err := b.conversation(ctx, reacted.Ref)
	if err != nil {
		b.log.WarnContext(ctx, "capture: assemble conversation", logMessage, reacted.Ref.ID, logErr, err)
		return nil, reacted
	}
	ex := Assess(conv, b.cfg.Name)
	if ex.Question.Ref.ID == reacted.Ref.ID && ex.Found {
		return reacted, &ex.Answer
	}
	if ex.Question.Ref.ID == "" || sameAuthor(ex.Question, *reacted) || ex.Question.Time.After(reacted.Time) {
		return nil, reacted
	}
	q := ex.Question
	return &q, reacted
}
