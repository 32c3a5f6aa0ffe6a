package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Detection: the core spots useful exchanges in ordinary conversation, so
// the repertoire does not depend on a few diligent members reacting. Every
// posted message goes to the message log; the conversation it belongs to is
// assembled from the log and scored as a question → answer → confirmation
// exchange. What happens to an exchange that scores high enough is the
// channel's choice: a quiet suggestion (default), an entry saved as
// detected, or nothing.

// DetectThreshold is the score an exchange needs to be suggested or saved.
// An exchange scores 1 for opening with a question, 0.5 for a reply the
// answer model calls useful, twice that model's probability, 1 for the
// asker's confirmation, and loses 2.5 when the asker says it failed. The
// value is the one "go run ./cmd/detect-eval -livechat DIR -train-detect"
// chose on the LiveChat channels (the most dialogs found at 90% same-dialog
// precision): any useful answer the asker did not reject.
const DetectThreshold = 1.5

// SuggestThreshold is what an exchange needs before the bot posts a
// suggestion members see (suggest mode): higher than DetectThreshold, so
// that in practice the asker's confirmation is needed (1 + 0.5 + 2·P + 1).
// Auto mode and imports save quietly as detected at DetectThreshold. Set by
// hand, not fitted: a post in the channel costs members' attention.
const SuggestThreshold = 3.5

// SuggestionText is the bot's quiet reply under a detected exchange.
const SuggestionText = "Worth keeping? React 💡 to save it."

// Defaults of the detection settings in Config.
const (
	DefaultRetention    = 30 * 24 * time.Hour
	DefaultSuggestEvery = 30 * time.Minute
	pruneEvery          = time.Hour
	lookBack            = 24 * time.Hour // how far back an unthreaded conversation is assembled
)

// Exchange is a scored question → answer (→ confirmation) exchange.
type Exchange struct {
	Question Message // the asker's opening, consecutive lines joined
	Answer   Message
	Found    bool // a question and an answer by someone else
	Score    float64
	Kind     repertoire.Kind
	Reasons  []string
}

// Assess scores a conversation (its opening first) as an exchange worth
// keeping and says why. The question is the asker's first question-like
// message among their opening lines; the answer is chosen by ChooseAnswer
// among the replies that follow.
func Assess(conv []Message, botName string) Exchange {
	var ex Exchange
	if len(conv) == 0 {
		return ex
	}
	asker := conv[0].Author
	qi := -1
	for i := 0; i < len(conv) && i < 4; i++ {
		if !sameAuthor(conv[i], conv[0]) {
			break
		}
		if IsQuestion(conv[i].Text) {
			qi = i
			break
		}
	}
	if qi < 0 || conv[0].Author.Bot {
		ex.Reasons = []string{"the conversation does not open with a question"}
		return ex
	}
	// The question: the asker's lines from the opening until someone else speaks.
	ex.Question = conv[0]
	end := 1
	for end < len(conv) && sameAuthor(conv[end], conv[0]) {
		end++
	}
	var lines []string
	for _, m := range conv[:end] {
		lines = append(lines, m.Text)
	}
	ex.Question.Text = strings.Join(lines, "\n")
	ex.Score = 1
	ex.Reasons = append(ex.Reasons, "the conversation opens with a question")
	replies := conv[end:]
	choice := ChooseAnswer(ex.Question, replies, botName)
	if choice.Index < 0 {
		ex.Reasons = append(ex.Reasons, "nobody else has answered yet")
		return ex
	}
	if !choice.Useful {
		ex.Reasons = append(ex.Reasons, "no reply reads as an answer yet")
		return ex
	}
	ex.Found = true
	ex.Answer = replies[choice.Index]
	// The answer model's belief that this is an answer (its priors carry
	// the asker's confirmation, reactions and code) makes up to 2 points.
	ex.Score += 0.5 + 2*choice.Score
	who := displayUser(ex.Answer.Author)
	ex.Reasons = append(ex.Reasons, fmt.Sprintf("%s answered (%.0f%% likely an answer)", who, 100*choice.Score))
	if len(choice.Substance) > 0 {
		ex.Reasons = append(ex.Reasons, "the answer has "+strings.Join(choice.Substance, " and "))
	}
	if choice.Endorsed > 0 {
		ex.Reasons = append(ex.Reasons, fmt.Sprintf("%d %s reacted to the answer", choice.Endorsed, plural(choice.Endorsed, "member", "members")))
	}
	if choice.Confirmed {
		ex.Score++
		ex.Reasons = append(ex.Reasons, displayUser(asker)+", who asked, confirmed it worked")
	} else if saidItFailed(asker, replies[choice.Index+1:]) {
		ex.Score -= 2.5 // below any threshold: never keep what the asker said failed
		ex.Reasons = append(ex.Reasons, "the asker said it did not work")
	}
	ex.Kind = repertoire.Tip
	switch {
	case howWeDo.MatchString(ex.Question.Text):
		ex.Kind = repertoire.HowWeDo
	case choice.Confirmed:
		ex.Kind = repertoire.Solution
	}
	return ex
}

// saidItFailed reports whether the asker's last word after the answer is
// that it did not work.
func saidItFailed(asker User, after []Message) bool {
	for i := len(after) - 1; i >= 0; i-- {
		if sameAuthor(after[i], Message{Author: asker}) {
			return negatedText.MatchString(after[i].Text)
		}
	}
	return false
}

func displayUser(u User) string {
	if u.Name != "" {
		return u.Name
	}
	return "a member"
}

// posted logs a member's message and looks at the conversation it belongs to.
func (b *Bot) posted(ctx context.Context, ev MessagePosted) error {
	m := ev.Message
	if m.Author.Bot || m.Ref.ID == "" {
		return nil
	}
	if len(m.Text) > repertoire.MaxTextBytes {
		return nil // a paste too long to keep is no conversation turn to judge
	}
	err := b.store.LogMessage(ctx, ev.ID, toLogged(m))
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("log message: %w", err)
	}
	b.maybePrune(ctx)
	b.closeThanked(ctx, m)
	if !m.ToBot && saysHelped(m.Text, true) {
		// "thanks, that worked" under the bot's answer to the member, or
		// below their question at the channel's top level.
		if _, _, err := b.thanksHelped(ctx, m, false); err != nil {
			b.log.WarnContext(ctx, "count a thanks as helped", logEvent, ev.ID, logErr, err)
		}
	}
	return b.detect(ctx, m.Ref)
}

// maybePrune drops logged messages older than the retention period, at most
// once an hour.
func (b *Bot) maybePrune(ctx context.Context) {
	now := b.cfg.Now()
	b.pruneMu.Lock()
	if !b.lastPrune.IsZero() && now.Sub(b.lastPrune) < pruneEvery {
		b.pruneMu.Unlock()
		return
	}
	b.lastPrune = now
	b.pruneMu.Unlock()
	exclusive(ctx, b.store, b.log, repertoire.LockRetention, func(ctx context.Context) {
		n, err := b.store.PruneMessages(ctx, now.Add(-b.cfg.Retention))
		if err != nil {
			b.log.WarnContext(ctx, "prune message log", logErr, err)
			return
		}
		if n > 0 {
			b.log.InfoContext(ctx, "message log pruned", "messages", n)
		}
	})
}

// PruneMessages applies the retention period now, for a scheduler or a
// maintenance command; it returns how many logged messages went.
func (b *Bot) PruneMessages(ctx context.Context) (int64, error) {
	return b.store.PruneMessages(ctx, b.cfg.Now().Add(-b.cfg.Retention))
}

// conversation assembles, from the message log, the conversation that the
// message ref belongs to, its opening first: its thread where the platform
// has threads, else the reply heuristic over the channel's recent messages.
func (b *Bot) conversation(ctx context.Context, ref MessageRef) ([]Message, error) {
	ch := storeChannel(ref.Channel)
	if ref.Thread != "" && ref.Thread != ref.ID {
		logged, err := b.store.LoggedMessages(ctx, repertoire.MessageQuery{Channel: ch, Thread: ref.Thread})
		if err != nil {
			return nil, err
		}
		msgs := fromLogged(logged)
		if len(msgs) == 0 || msgs[0].Ref.ID != ref.Thread {
			return nil, nil // the opening is older than the log: nothing to judge
		}
		return msgs, nil
	}
	// A reply links at most linkWindowMessages back, so twice that holds
	// any conversation worth judging and keeps each message's cost fixed in
	// a busy channel.
	logged, err := b.store.LoggedMessages(ctx, repertoire.MessageQuery{Channel: ch, Since: b.cfg.Now().Add(-lookBack), Limit: 2 * linkWindowMessages})
	if err != nil {
		return nil, err
	}
	var msgs []Message
	for _, m := range fromLogged(logged) {
		if m.Ref.Thread == "" || m.Ref.Thread == m.Ref.ID {
			msgs = append(msgs, m)
		}
	}
	for i, m := range msgs {
		if m.Ref.ID == ref.ID {
			return ConversationOf(msgs, ReplyLinks(msgs), i), nil
		}
	}
	return nil, nil
}

// detect scores the conversation of ref and, when it is worth keeping,
// suggests or saves it as the channel wants. A conversation is decided once.
func (b *Bot) detect(ctx context.Context, ref MessageRef) error {
	ch := storeChannel(ref.Channel)
	mode, err := b.store.DetectModeOf(ctx, ch)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if mode == repertoire.DetectOff {
		return nil
	}
	conv, err := b.conversation(ctx, ref)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	ex := Assess(conv, b.cfg.Name)
	threshold := b.cfg.DetectThreshold
	if mode != repertoire.DetectAuto {
		threshold = max(threshold, SuggestThreshold)
	}
	if !ex.Found || ex.Score < threshold {
		return nil
	}
	if kept, err := b.keptByMembers(ctx, ex); err != nil || kept {
		return err
	}
	d := repertoire.Detection{
		Channel: ch, ThreadID: ex.Question.Ref.ID, QuestionID: ex.Question.Ref.ID, AnswerID: ex.Answer.Ref.ID,
		AskerID: ex.Question.Author.ID, AnswererID: ex.Answer.Author.ID, Kind: ex.Kind, Score: ex.Score,
		Reasons: ex.Reasons, At: b.cfg.Now(),
	}
	if mode == repertoire.DetectAuto {
		d.Action = repertoire.ActionSaved
		return b.autoSave(ctx, d, ex)
	}
	d.Action = repertoire.ActionSuggested
	if n, err := b.store.SuggestionsSince(ctx, ch, b.cfg.Now().Add(-b.cfg.SuggestEvery)); err != nil {
		return fmt.Errorf("detect: %w", err)
	} else if n > 0 {
		return nil // quiet: one suggestion per channel per SuggestEvery
	}
	id, isNew, err := b.store.RecordDetection(ctx, d)
	if err != nil || !isNew {
		return err
	}
	thread := ex.Question.Ref.Root().ID
	post, err := b.post(ctx, Outgoing{Channel: ref.Channel, Thread: thread, Doc: Sentences(SuggestionText)})
	if err != nil {
		return fmt.Errorf("suggest: %w", err)
	}
	b.log.InfoContext(ctx, "exchange suggested", logChannel, ch.ID, logMessage, ex.Answer.Ref.ID, "score", ex.Score)
	return b.store.SetDetectionOutcome(ctx, id, post.ID, 0)
}

// keptByMembers reports whether members already keep the exchange: its
// answer is an entry they saved (with a 💡 or `save`), or its question is
// another entry's. Suggesting it ("Worth keeping? React 💡") under a
// message that shows its 💡 and the bot's 📚 reads as if the save was lost.
// An entry detection saved itself is no member's: auto mode goes on
// (confirmedSince).
func (b *Bot) keptByMembers(ctx context.Context, ex Exchange) (bool, error) {
	e, err := b.store.EntryBySource(ctx, source(ex.Answer.Ref))
	switch {
	case err == nil:
		return e.Status != repertoire.Detected, nil
	case !errors.Is(err, repertoire.ErrNotFound):
		return false, fmt.Errorf("detect: %w", err)
	}
	answered, err := b.store.QuestionAnswered(ctx, source(ex.Question.Ref))
	if err != nil {
		return false, fmt.Errorf("detect: %w", err)
	}
	return answered, nil
}

// autoSave keeps a detected exchange with status detected: digests hold it
// apart until a member's capture confirms it.
func (b *Bot) autoSave(ctx context.Context, d repertoire.Detection, ex Exchange) error {
	id, isNew, err := b.store.RecordDetection(ctx, d)
	if err != nil {
		return err
	}
	if !isNew {
		return b.confirmedSince(ctx, d, ex)
	}
	q := ex.Question
	params := b.saveParams("", ex.Kind, &q, ex.Answer, ex.Answer.Private || q.Private)
	params.Status = repertoire.Detected
	b.addTags(ctx, &params)
	e, _, err := b.store.Save(ctx, params)
	if errors.Is(err, repertoire.ErrForgotten) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auto save: %w", err)
	}
	b.log.InfoContext(ctx, "exchange detected", logEntry, e.ID, "score", ex.Score)
	return b.store.SetDetectionOutcome(ctx, id, "", e.ID)
}

// confirmedSince makes the entry detection saved from a thread a solution
// when the asker confirmed its answer worked after it was saved: auto mode
// keeps an exchange as soon as it scores enough, often before the asker's
// "that fixed it", and the thread is decided once. Only an entry no member
// has confirmed yet, still the tip it was saved as, is changed.
func (b *Bot) confirmedSince(ctx context.Context, d repertoire.Detection, ex Exchange) error {
	if ex.Kind != repertoire.Solution {
		return nil
	}
	prev, err := b.store.DetectionAbout(ctx, d.Channel, d.ThreadID)
	if err != nil || prev.Action != repertoire.ActionSaved || prev.EntryID == 0 || prev.AnswerID != d.AnswerID {
		return nil
	}
	e, err := b.store.Entry(ctx, prev.EntryID)
	if err != nil || e.Status != repertoire.Detected || e.Kind != repertoire.Tip {
		return nil
	}
	// `why` gives the reasons it is a solution now (first: a retry after a
	// failed kind change finds the entry still a tip and does both).
	// The first reason says what the save was, so `why` tells what
	// happened in order.
	reasons := append([]string{fmt.Sprintf("%s%s (score %.1f)", firstSavedAs, prev.Kind, prev.Score)}, ex.Reasons...)
	if err := b.store.ReviseDetection(ctx, prev.ID, ex.Kind, ex.Score, reasons); err != nil {
		return fmt.Errorf("detected entry confirmed: %w", err)
	}
	if _, err := b.store.SetEntryKind(ctx, e.ID, repertoire.Solution); err != nil {
		return fmt.Errorf("detected entry confirmed: %w", err)
	}
	b.log.InfoContext(ctx, "detected entry confirmed by its asker: a solution", logEntry, e.ID)
	return nil
}

// captureSuggestion saves the exchange a suggestion was about when a member
// reacts to the bot's suggestion with a capture emoji. It reports whether
// ev was such a reaction.
func (b *Bot) captureSuggestion(ctx context.Context, ev ReactionAdded, kind repertoire.Kind) (bool, error) {
	ch := storeChannel(ev.Target.Channel)
	d, err := b.store.DetectionAbout(ctx, ch, ev.Target.ID)
	if errors.Is(err, repertoire.ErrNotFound) || err == nil && d.SuggestionID != ev.Target.ID {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("capture suggestion: %w", err)
	}
	src := func(id string) repertoire.Source {
		return repertoire.Source{Platform: ch.Platform, Space: ch.Space, Channel: ch.ID, Message: id}
	}
	la, err := b.store.LoggedMessageBySource(ctx, src(d.AnswerID))
	if err != nil {
		return true, fmt.Errorf("capture suggestion: the answer is no longer in the log: %w", err)
	}
	answer := fromLogged([]repertoire.LoggedMessage{la})[0]
	var question *Message
	if lq, err := b.store.LoggedMessageBySource(ctx, src(d.QuestionID)); err == nil {
		q := fromLogged([]repertoire.LoggedMessage{lq})[0]
		question = &q
	}
	if kind == repertoire.Tip && d.Kind.Valid() {
		kind = d.Kind // 💡 on a suggestion keeps the detector's finer kind
	}
	params := b.saveParams(ev.ID, kind, question, answer, ev.Private || answer.Private)
	params.Saver, params.Acted = repertoire.Person{ID: ev.User.ID, Name: ev.User.Name}, ev.At
	b.addTags(ctx, &params)
	e, outcome, err := b.store.Save(ctx, params)
	if errors.Is(err, repertoire.ErrAlreadyApplied) || errors.Is(err, repertoire.ErrForgotten) {
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("capture suggestion: %w", err)
	}
	b.log.InfoContext(ctx, "suggestion captured", logEntry, e.ID, logUser, ev.User.ID, "outcome", outcome.String())
	if outcome == repertoire.Created {
		b.acknowledge(ctx, answer.Ref, e) // on the answer itself: that is what was kept
		b.learnFrom(ctx, e)
	}
	return true, nil
}

// why explains a detection: "@repertoire why" in the thread of a
// suggestion, or about a message (a context-menu command).
func (b *Bot) why(ctx context.Context, ev Mentioned) error {
	ref := ev.Message.Ref
	ids := []string{}
	if ev.Target != nil {
		ref = *ev.Target
		ids = append(ids, ev.Target.ID)
	}
	if ref.Thread != "" {
		ids = append(ids, ref.Thread)
	}
	ch := storeChannel(ref.Channel)
	for _, id := range ids {
		d, err := b.store.DetectionAbout(ctx, ch, id)
		if errors.Is(err, repertoire.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		return b.reply(ctx, ev, FormatWhy(d))
	}
	return b.reply(ctx, ev, "I haven't picked out anything here. Ask `why` in the thread of one of my suggestions.")
}

// firstSavedAs opens the reason confirmedSince records first: what an
// auto save was before its asker's confirmation made it a solution.
const firstSavedAs = "first saved as a "

// FormatWhy renders a detection's reasons for members.
func FormatWhy(d repertoire.Detection) string {
	what := "I suggested keeping this exchange"
	if d.Action == repertoire.ActionSaved {
		what = "I saved this exchange as detected (a member's 💡 confirms it)"
	}
	var sb strings.Builder
	needed := SuggestThreshold
	if d.Action == repertoire.ActionSaved {
		needed = DetectThreshold
	}
	reasons := d.Reasons
	if len(reasons) > 0 && d.Action == repertoire.ActionSaved && strings.HasPrefix(reasons[0], firstSavedAs) {
		// Saved as a tip, made a solution when its asker confirmed it.
		fmt.Fprintf(&sb, "%s as a %s; when its asker confirmed it worked, I made it a %s (score %.1f; %.1f needed) because:",
			what, strings.TrimPrefix(reasons[0], firstSavedAs), d.Kind, d.Score, needed)
		reasons = reasons[1:]
	} else {
		fmt.Fprintf(&sb, "%s as a %s (score %.1f; %.1f needed) because:", what, d.Kind, d.Score, needed)
	}
	for _, r := range reasons {
		sb.WriteString("\n• " + r)
	}
	return sb.String()
}

// setDetect handles "@repertoire detect [suggest|auto|off]" for the channel.
func (b *Bot) setDetect(ctx context.Context, ev Mentioned, args string) error {
	ref := ev.Message.Ref.Channel
	if ev.Via == ViaDM || b.direct(ref) {
		return b.reply(ctx, ev, b.channelSetting("detect suggest"))
	}
	ch := storeChannel(ref)
	word := strings.ToLower(strings.TrimSpace(args))
	if word == "" {
		mode, err := b.store.DetectModeOf(ctx, ch)
		if err != nil {
			return err
		}
		return b.reply(ctx, ev, fmt.Sprintf("Detection here is `%s`. %s", mode, modeMeaning(mode)))
	}
	mode := repertoire.DetectMode(strings.Fields(word)[0])
	if !mode.Valid() {
		return b.reply(ctx, ev, "Use `@"+b.cfg.Name+" detect suggest`, `detect auto` or `detect off`.")
	}
	if err := b.store.SetDetectMode(ctx, ch, mode, ev.Message.Author.ID); err != nil {
		return err
	}
	b.log.InfoContext(ctx, "detect mode set", logChannel, ch.ID, logUser, ev.Message.Author.ID, "mode", string(mode))
	return b.reply(ctx, ev, fmt.Sprintf("Detection here is now `%s`. %s", mode, modeMeaning(mode)))
}

func modeMeaning(m repertoire.DetectMode) string {
	switch m {
	case repertoire.DetectAuto:
		return "I save exchanges that look useful as detected; they stay apart in digests until someone reacts 💡."
	case repertoire.DetectOff:
		return "I don't look for useful exchanges; reactions and `save` still work."
	default:
		return "When an exchange looks worth keeping I reply once in its thread; react 💡 to my reply to save it."
	}
}

// toLogged and fromLogged translate between the core's messages and the log's.
func toLogged(m Message) repertoire.LoggedMessage {
	l := repertoire.LoggedMessage{
		Channel: repertoire.Channel{Platform: m.Ref.Channel.Platform, Space: m.Ref.Channel.Space, ID: m.Ref.Channel.ID,
			Name: m.ChannelName, Private: m.Private},
		ID: m.Ref.ID, Thread: m.Ref.Thread, ReplyTo: m.ReplyTo, Author: repertoire.Person{ID: m.Author.ID, Name: m.Author.Name},
		Bot: m.Author.Bot, Text: m.Text, Permalink: m.Link, At: m.Time,
	}
	for _, r := range m.Reactions {
		l.Reactions = append(l.Reactions, repertoire.LoggedReaction{UserID: r.User.ID, Emoji: emojiKey(r.Emoji)})
	}
	return l
}

func fromLogged(logged []repertoire.LoggedMessage) []Message {
	out := make([]Message, 0, len(logged))
	for _, l := range logged {
		m := Message{
			Ref: MessageRef{Channel: ChannelRef{Platform: l.Channel.Platform, Space: l.Channel.Space, ID: l.Channel.ID},
				ID: l.ID, Thread: l.Thread},
			Author: User{ID: l.Author.ID, Name: l.Author.Name, Bot: l.Bot}, Text: l.Text, Time: l.At, Link: l.Permalink,
			ChannelName: l.Channel.Name, Private: l.Channel.Private, ReplyTo: l.ReplyTo,
		}
		for _, r := range l.Reactions {
			e := Emoji{Shortcode: r.Emoji}
			if !isASCII(r.Emoji) {
				e = Emoji{Unicode: r.Emoji}
			}
			m.Reactions = append(m.Reactions, Reaction{User: User{ID: r.UserID}, Emoji: e})
		}
		out = append(out, m)
	}
	return out
}

// emojiKey is how the log stores an emoji: its unicode, else its shortcode.
func emojiKey(e Emoji) string {
	if e.Unicode != "" {
		return strings.TrimSuffix(e.Unicode, "\uFE0F")
	}
	return normalizeShortcode(e.Shortcode)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// noteReaction keeps the log's reactions in step; failures only cost the
// detector a signal.
func (b *Bot) noteReaction(ctx context.Context, target MessageRef, u User, e Emoji, add bool, at time.Time) {
	if err := b.store.LogReaction(ctx, source(target), u.ID, emojiKey(e), add, at); err != nil {
		b.log.WarnContext(ctx, "log reaction", logMessage, target.ID, logErr, err)
	}
}
