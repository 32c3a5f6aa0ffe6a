package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// reactionAdded is where a reaction becomes an entry: a capture emoji saves
// the reacted message with its thread's opening question, crediting its
// author and recording the reactor as saver (or as a vote when someone saved
// it already).
func (b *Bot) reactionAdded(ctx context.Context, ev ReactionAdded) error {
	kind, ok := b.CaptureKind(ev.Emoji)
	if !ok || ev.User.Bot {
		return nil
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
	if answer.Author.Bot || b.addressesBot(answer.Text) {
		return nil // the bot's own posts and requests to it are not knowledge
	}
	params := b.saveParams(ev.ID, kind, question, *answer, ev.Private || answer.Private)
	params.Saver = repertoire.Person{ID: ev.User.ID, Name: ev.User.Name}
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
		Parts: []string{fmt.Sprintf("Saved to the repertoire as a %s.", e.Kind)}})
	if err != nil {
		b.log.WarnContext(ctx, "acknowledge by reply", logEntry, e.ID, logErr, err)
	}
}

func (b *Bot) reactionRemoved(ctx context.Context, ev ReactionRemoved) error {
	if _, ok := b.CaptureKind(ev.Emoji); !ok || ev.User.Bot {
		return nil
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
	e, outcome, err := b.store.Save(ctx, params)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	msg := fmt.Sprintf("Saved “%s” as a %s, credited to %s.", oneLine(e.Title(), 80), e.Kind, e.Author.Name)
	if outcome != repertoire.Created {
		msg = fmt.Sprintf("“%s” was already in the repertoire; I counted your save (%d votes).", oneLine(e.Title(), 80), e.Votes)
	}
	if len(e.Tags) > 0 {
		msg += " Tags: #" + strings.Join(e.Tags, " #") + "."
	}
	return b.reply(ctx, ev, msg)
}

var (
	codeOrLink = regexp.MustCompile("```|`[^`]+`|https?://|^\\s*(\\d+[.)]|[-*•])\\s")
	stepLines  = regexp.MustCompile(`(?m)^\s*(\d+[.)]|[-*•])\s`)
)

// BestReply picks the reply of a thread that answers its opening question:
// the most endorsed (reactions by others), then the one with substance
// (code, links, steps, length), then the earliest. Replies by the asker, by
// bots, the command's own message and messages addressed to the bot are not
// answers. It reports false when no reply qualifies.
func BestReply(thread []Message, commandID, botName string) (Message, bool) {
	if len(thread) < 2 {
		return Message{}, false
	}
	asker := thread[0].Author.ID
	best, bestScore := -1, -1.0
	for i, m := range thread[1:] {
		if m.Author.Bot || m.Author.ID == asker || m.Ref.ID == commandID ||
			strings.Contains(strings.ToLower(m.Text), "@"+strings.ToLower(botName)) || strings.TrimSpace(m.Text) == "" {
			continue
		}
		score := 0.0
		for _, r := range m.Reactions {
			if r.User.ID != m.Author.ID {
				score += 2
			}
		}
		if codeOrLink.MatchString(m.Text) || len(stepLines.FindAllString(m.Text, -1)) >= 2 {
			score += 1.5
		}
		score += min(float64(len(m.Text))/400, 1)
		if score > bestScore {
			best, bestScore = i+1, score
		}
	}
	if best < 0 {
		return Message{}, false
	}
	return thread[best], true
}
