package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

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
	b.noteReaction(ctx, ev.Target, ev.User, ev.Emoji, true, ev.At)
	kind, ok := b.CaptureKind(ev.Emoji)
	if !ok {
		// 👍/👎 on a recall answer is feedback; any other reaction is a
		// signal for detection, and the asker's 🙏 on a reply to their
		// open question says it is answered.
		b.closeReacted(ctx, ev.Target, ev.User, ev.Emoji)
		return errors.Join(b.feedbackReaction(ctx, ev.ID, ev.Target, ev.User, ev.Emoji, true, ev.At), b.detect(ctx, ev.Target))
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
	if answer.Author.Bot {
		return b.sayBotPost(ctx, ev, *answer) // botpost.go: an answer or a digest is no knowledge
	}
	if b.direct(answer.Ref.Channel) && answer.Ref.Thread == "" && len(msgs) == 1 {
		// In a DM every message is a request to the bot: a command, or a
		// question without an answer, is no private note (reactrequest.go).
		if isCommandText(b.withoutCommand(*answer)) {
			return b.sayRequest(ctx, ev, *answer, true)
		}
		if asksOnly(answer.Text) {
			return b.sayRequest(ctx, ev, *answer, false)
		}
	}
	if len(msgs) > 0 && msgs[0].Ref.ID != answer.Ref.ID && answer.Ref.Thread != "" {
		question = &msgs[0]
	}
	if question == nil {
		// A reacted question saves its best answer; an unthreaded answer
		// finds its question in the conversation the log assembles.
		question, answer = b.exchangeAround(ctx, msgs, answer)
	}
	if answer.Author.Bot {
		// A bot's posts are not knowledge (the bot's own answers show
		// entries saved already); the member who reacts is told so.
		return b.sayBotPost(ctx, ev, *answer)
	}
	if b.addressesBot(answer.Text) {
		if isCommandText(b.withoutCommand(*answer)) {
			return b.sayRequest(ctx, ev, *answer, true) // reactrequest.go
		}
		if question == nil {
			if b.answeredByRecall(ctx, msgs) {
				return b.sayAnsweredByRecall(ctx, ev, *answer) // saverecall.go: answered in its thread
			}
			return b.kindOfAsked(ctx, ev, *answer) // reactopen.go
		}
		return nil // requests to the bot are not knowledge
	}
	if question == nil && asksOnly(answer.Text) {
		if b.answeredByRecall(ctx, msgs) {
			return b.sayAnsweredByRecall(ctx, ev, *answer) // saverecall.go
		}
		return b.keepOpenReacted(ctx, ev, *answer)
	}
	if !substance(question, *answer) {
		return b.sayChatter(ctx, ev, *answer) // chatter.go: "hello" is no knowledge
	}
	if question != nil && kind == plainKind {
		if k, ok := b.namedKind(ctx, *question); ok {
			kind = k // namedkind.go: the question's ✅ names the answer's kind
		}
	}
	params := b.saveParams(ev.ID, kind, question, *answer, ev.Private || answer.Private)
	params.Saver, params.Acted = repertoire.Person{ID: ev.User.ID, Name: ev.User.Name}, ev.At
	b.addTags(ctx, &params)
	e, outcome, err := b.store.Save(ctx, params)
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	}
	if errors.Is(err, repertoire.ErrForgotten) {
		b.log.InfoContext(ctx, "capture of a forgotten member's words left out", logUser, ev.User.ID)
		return nil
	}
	if errors.Is(err, repertoire.ErrTooLong) {
		return b.sayTooLong(ctx, ev, *answer)
	}
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	b.log.InfoContext(ctx, "capture", logEntry, e.ID, logUser, ev.User.ID, "outcome", outcome.String())
	if outcome == repertoire.Created {
		b.acknowledge(ctx, answer.Ref, e)
		b.closeAnswered(ctx, e)
		b.learnFrom(ctx, e)
		return nil
	}
	return b.kindByReaction(ctx, ev, kind, e, *answer)
}

// kindByReaction changes a saved entry's kind when a member who may (who
// wrote it, asked it or saved it) reacts with an emoji naming another kind
// (✅ on a tip), as `save solution` does; they are told alone where the
// platform whispers. A plain 💡 names no kind; anyone else's emoji is a vote.
func (b *Bot) kindByReaction(ctx context.Context, ev ReactionAdded, kind repertoire.Kind, e repertoire.Entry, m Message) error {
	if kind == plainKind || kind == e.Kind {
		return nil
	}
	if _, may := kindChangers(e, ev.User.ID); !may {
		return nil
	}
	if ev.User.ID != e.Author.ID && b.authorNamed(m, e) {
		// Who wrote it knows what it is: the kind they named with their
		// own emoji stands, and another's counts as a vote.
		return b.whisperTo(ctx, ev, m, Sentences(fmt.Sprintf("“%s” stays a %s: %s, who wrote it, named that kind, so only they change it now.",
			oneLine(e.Title(), 80), e.Kind, displayUser(User{ID: e.Author.ID, Name: e.Author.Name}))))
	}
	changed, err := b.store.SetEntryKind(ctx, e.ID, kind)
	if err != nil {
		return fmt.Errorf("capture: change kind: %w", err)
	}
	if !changed {
		return nil
	}
	b.log.InfoContext(ctx, "kind changed by reaction", logEntry, e.ID, logUser, ev.User.ID, "kind", string(kind))
	return b.whisperTo(ctx, ev, m, Sentences(fmt.Sprintf("“%s” was a %s; it is a %s now.", oneLine(e.Title(), 80), e.Kind, kind)))
}

// authorNamed reports whether the author of e, the entry saved from m,
// named its present kind with a capture emoji on m (✅ on their answer).
func (b *Bot) authorNamed(m Message, e repertoire.Entry) bool {
	for _, r := range m.Reactions {
		if k, ok := b.CaptureKind(r.Emoji); ok && k != plainKind && k == e.Kind && r.User.ID == e.Author.ID && e.Author.ID != "" {
			return true
		}
	}
	return false
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
		Posted:    answer.Time,
	}
	if question != nil && b.commandToBot(*question) {
		question = nil // request.go: "@repertoire help" asks nothing
	}
	if question != nil {
		p.QuestionPosted = question.Time
		p.QuestionID = question.Ref.ID
		p.Question = b.withoutCommand(*question)
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
	b.noteReaction(ctx, ev.Target, ev.User, ev.Emoji, false, time.Time{})
	if _, ok := b.CaptureKind(ev.Emoji); !ok {
		return b.feedbackReaction(ctx, ev.ID, ev.Target, ev.User, ev.Emoji, false, time.Time{})
	}
	if b.stillCaptures(ctx, ev.Target, ev.User) {
		return nil // 💡 taken back, ✅ still there: the save stands
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

// stillCaptures reports whether the member still has a capture emoji on
// the message, as the message log has it after the removal was noted: a
// member who reacted 💡 and ✅ and takes one back keeps their save. A
// message the log does not hold (older than its retention) is judged by
// the removal alone.
func (b *Bot) stillCaptures(ctx context.Context, target MessageRef, u User) bool {
	m, err := b.store.LoggedMessageBySource(ctx, source(target))
	if err != nil {
		if !errors.Is(err, repertoire.ErrNotFound) {
			b.log.WarnContext(ctx, "uncapture: read the message log", logMessage, target.ID, logErr, err)
		}
		return false
	}
	for _, r := range m.Reactions {
		if r.UserID != u.ID {
			continue
		}
		if _, ok := b.CaptureKind(emojiOfKey(r.Emoji)); ok {
			return true
		}
	}
	return false
}

// saveThread handles "@repertoire save [kind] [#tags]" in a thread: the
// opening question and the best reply become an entry, the member its saver.
func (b *Bot) saveThread(ctx context.Context, ev Mentioned, args string) error {
	target := ev.Target
	if target == nil {
		if ev.Message.Ref.Thread == "" || ev.Message.Ref.Thread == ev.Message.Ref.ID {
			return b.refuseOnce(ctx, ev, errNeedThread)
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
			return b.refuseOnce(ctx, ev, errNothingToSave)
		case ok:
			question, answer = &msgs[0], best
		case b.answeredByRecall(ctx, msgs):
			return b.replyOnce(ctx, ev, savedAlready)
		case IsQuestion(msgs[0].Text) && !msgs[0].Author.Bot:
			// A question nobody answered yet is kept open; the answer's
			// save completes it as one entry.
			return b.keepOpen(ctx, ev, msgs[0])
		case msgs[0].Author.Bot || b.addressesBot(msgs[0].Text):
			// The bot's post or a request to it ("@repertoire help") is
			// no knowledge, as a 💡 on it saves nothing either.
			return b.refuseOnce(ctx, ev, errNothingToSave)
		default:
			answer = msgs[0] // a thread with no usable reply: the opening message is the tip
			kind = repertoire.Tip
		}
	}
	if answer.Ref.ID == "" {
		return b.refuseOnce(ctx, ev, errNothingToSave)
	}
	if !substance(question, answer) {
		return b.refuseOnce(ctx, ev, errTooLittle) // chatter.go: "hello" is no knowledge
	}
	// The request is recorded with the save (durable.go): a save that
	// fails is tried again by the delivery's retry.
	params := b.saveParams(mentionKey(ev), kind, question, answer, ev.Message.Private || answer.Private)
	params.Tags = append(params.Tags, Hashtags(args)...)
	params.Saver, params.Acted = repertoire.Person{ID: ev.Message.Author.ID, Name: ev.Message.Author.Name}, ev.Message.Time
	b.addTags(ctx, &params)
	e, outcome, err := b.store.Save(ctx, params)
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil // a redelivery of a save done
	}
	if errors.Is(err, repertoire.ErrForgotten) {
		return b.replyOnce(ctx, ev, "I can't save that: its author asked me to forget what they wrote.")
	}
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	var msg string
	switch outcome {
	case repertoire.Created:
		msg = fmt.Sprintf("Saved “%s” as a %s, credited to %s.", oneLine(e.Title(), 80), e.Kind, e.Author.Name)
		b.closeAnswered(ctx, e)
		b.learnFrom(ctx, e)
	case repertoire.Unchanged:
		msg = fmt.Sprintf("“%s” is already in the repertoire with your save (%s).", oneLine(e.Title(), 80), votes(e.Votes))
	default:
		msg = fmt.Sprintf("“%s” was already in the repertoire; I counted your save (%s).", oneLine(e.Title(), 80), votes(e.Votes))
	}
	if outcome != repertoire.Created {
		msg += " " + b.changeKind(ctx, ev, &e, args)
	}
	if len(e.Tags) > 0 {
		msg += " Tags: #" + strings.Join(e.Tags, " #") + "."
	}
	return b.reply(ctx, ev, strings.TrimSpace(msg))
}

// votes says a count of votes in words: "1 vote", "3 votes".
func votes(n int) string {
	return fmt.Sprintf("%d %s", n, plural(n, "vote", "votes"))
}

// explicitKind returns the kind a save command names, if it names one.
func explicitKind(args string) (repertoire.Kind, bool) {
	for _, w := range strings.Fields(args) {
		if k := repertoire.Kind(strings.ToLower(w)); k.Valid() {
			return k, true
		}
	}
	return "", false
}

// changeKind applies the kind a second save names to an entry already saved,
// when the member may (they saved it or wrote it), and says what happened.
func (b *Bot) changeKind(ctx context.Context, ev Mentioned, e *repertoire.Entry, args string) string {
	kind, named := explicitKind(args)
	switch {
	case !named:
		return fmt.Sprintf("It stays a %s; `save %s` (or tip, solution, story) changes its kind.", e.Kind, otherKind(e.Kind))
	case kind == e.Kind:
		return fmt.Sprintf("It is a %s already.", e.Kind)
	}
	if who, may := kindChangers(*e, ev.Message.Author.ID); !may {
		return fmt.Sprintf("It stays a %s: only %s can change its kind.", e.Kind, who)
	}
	changed, err := b.store.SetEntryKind(ctx, e.ID, kind)
	if err != nil {
		b.log.WarnContext(ctx, "change entry kind", logEntry, e.ID, logErr, err)
		return fmt.Sprintf("It stays a %s: I could not change its kind just now.", e.Kind)
	}
	old := e.Kind
	e.Kind = kind
	if !changed {
		return fmt.Sprintf("It is a %s already.", kind)
	}
	return fmt.Sprintf("It was a %s; it is a %s now.", old, kind)
}

func otherKind(k repertoire.Kind) repertoire.Kind {
	if k == repertoire.HowWeDo {
		return repertoire.Solution
	}
	return repertoire.HowWeDo
}

// keepOpen keeps a thread's unanswered question as an open question of its
// channel and says so; the answer's save, by reaction or command, completes
// it as one entry and closes it (closeAnswered).
func (b *Bot) keepOpen(ctx context.Context, ev Mentioned, q Message) error {
	ch := q.Ref.Channel
	text := b.withoutCommand(q)
	if ev.Via != ViaCommand && ev.Via != ViaDM && !b.direct(ch) {
		_, err := b.holdOpen(ctx, mentionKey(ev), q, text, ev.Message.Private || q.Private)
		if errors.Is(err, repertoire.ErrAlreadyApplied) {
			return nil // a redelivery of a request done
		} else if err != nil {
			return fmt.Errorf("save: %w", err)
		}
	} else if first, err := b.answerOnce(ctx, ev); err != nil || !first {
		return err
	}
	return b.reply(ctx, ev, fmt.Sprintf("Nobody has answered “%s” yet, so I saved it as an open question: react 💡 to the answer when it comes, or say `@%s save` here again, and it becomes one entry.",
		oneLine(text, 80), b.cfg.Name))
}

// holdOpen keeps q (its text, without thanks that open it) as its
// channel's open question, once however often it is asked for, and reports
// whether it was open already. The event (a delivery; empty for none) is
// applied once with it.
func (b *Bot) holdOpen(ctx context.Context, event string, q Message, text string, private bool) (bool, error) {
	ch := q.Ref.Channel
	was, err := b.store.KeepOpenQuestion(ctx, event, repertoire.OpenQuestion{
		Channel:   repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID, Private: private},
		MessageID: q.Ref.ID,
		Asker:     repertoire.Person{ID: q.Author.ID, Name: q.Author.Name},
		Text:      withoutThanks(text),
		AskedAt:   askedAt(q, b.cfg.Now()),
	})
	if err != nil {
		return false, fmt.Errorf("keep open question: %w", err)
	}
	return was, nil
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
	if !b.answers(ctx, ex, *reacted) {
		return nil, reacted
	}
	q := ex.Question
	return &q, reacted
}

// announcement matches messages that state rather than answer: a tip, a
// heads-up, an announcement. They are saved alone whatever precedes them.
var announcement = regexp.MustCompile(`(?i)^\W*(heads[ -]?up|tip|pro[ -]?tip|psa|fyi|til|note|reminder|announcement|update|news)\b`)

// answers reports whether the reacted message, outside any thread, answers
// the question the conversation opened with: the exchange chose it as the
// answer or it reads as one, it shares the question's content words, it is
// not a statement of its own, and the question is not answered elsewhere
// (in its own thread, or by an entry already).
func (b *Bot) answers(ctx context.Context, ex Exchange, reacted Message) bool {
	if announcement.MatchString(reacted.Text) {
		return false
	}
	chosen := ex.Found && ex.Answer.Ref.ID == reacted.Ref.ID
	if !chosen && !Useful(ex.Question, reacted, b.cfg.Name) {
		return false
	}
	if len(Relevant(ex.Question.Text, []repertoire.Hit{{Entry: repertoire.Entry{Answer: reacted.Text}}}, Gate{})) == 0 {
		return false
	}
	q := ex.Question.Ref
	ch := storeChannel(q.Channel)
	thread, err := b.store.LoggedMessages(ctx, repertoire.MessageQuery{Channel: ch, Thread: q.ID})
	if err != nil {
		b.log.WarnContext(ctx, "capture: question's thread", logMessage, q.ID, logErr, err)
		return false
	}
	for _, m := range thread {
		if m.ID != q.ID && m.ID != reacted.Ref.ID {
			return false // the question has its own thread of answers
		}
	}
	answered, err := b.store.QuestionAnswered(ctx, source(q))
	if err != nil {
		b.log.WarnContext(ctx, "capture: question answered", logMessage, q.ID, logErr, err)
		return false
	}
	return !answered
}

// recallVerbs are the command words that ask the bot a question.
var recallVerbs = setOf("ask recall search find")

// withoutCommand is a message's text without the bot's name and recall
// command in front: a question asked of the bot and then answered by a
// member is titled by what was asked ("how do I flush the redis cache?"),
// not by "@repertoire ask …".
func (b *Bot) withoutCommand(m Message) string {
	text := m.Text
	rest, ok := b.afterMention(m)
	if !ok {
		return text
	}
	if verb, args := splitCommand(rest); recallVerbs[verb] && args != "" {
		rest = args
	}
	if rest == "" {
		return text
	}
	return rest
}

// afterMention returns what m says after the bot's name or mention that
// starts it ("@repertoire: how …" → "how …"), and whether one does.
func (b *Bot) afterMention(m Message) (string, bool) {
	t := strings.TrimSpace(m.Text)
	rest, ok := cutPrefixFold(t, "@"+b.cfg.Name)
	if !ok && m.ToBot {
		rest, ok = cutMention(t)
	}
	if !ok {
		return "", false
	}
	return requestText(rest), true
}

// requestText is what a request says once the mention is cut off: without
// the punctuation and spaces that follow a name ("@repertoire: help",
// "<@U1> : help", "@repertoire, save").
func requestText(s string) string {
	for {
		t := strings.TrimLeft(strings.TrimSpace(s), ":,;")
		if t == s {
			return t
		}
		s = t
	}
}

// cutMention removes a leading platform mention (<@U123>, <@!123>): the
// bot's, when the platform says the message addresses it.
func cutMention(s string) (string, bool) {
	if !strings.HasPrefix(s, "<@") {
		return s, false
	}
	i := strings.IndexByte(s, '>')
	if i < 0 {
		return s, false
	}
	return s[i+1:], true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
