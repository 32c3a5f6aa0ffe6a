package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// feedbackInvite closes every recall answer and nudge: the buttons beside an
// entry (or a reaction on the message, for its first entry) become feedback.
const feedbackInvite = "Did one help? Say so with the buttons beside it (or that it was not it): recall learns from it. A 👍 or 👎 on this message counts for the first entry."

// feedbackHint is the closing invitation as a FeedbackHint block: worded
// for buttons, reworded by an adapter that shows other controls.
func feedbackHint() Block { return Block{Kind: FeedbackHint, Spans: []Span{T(feedbackInvite)}} }

// feedbackEmoji tells 👍 (helpful) and 👎 from other reactions, as unicode
// (Discord) or shortcode (Slack), skin tones included.
func feedbackEmoji(e Emoji) (helpful, ok bool) {
	u := strings.TrimSuffix(e.Unicode, "\uFE0F")
	for _, tone := range []string{"🏻", "🏼", "🏽", "🏾", "🏿"} {
		u = strings.TrimSuffix(u, tone)
	}
	switch {
	case u == "👍":
		return true, true
	case u == "👎":
		return false, true
	}
	switch normalizeShortcode(e.Shortcode) {
	case "+1", "thumbsup":
		return true, true
	case "-1", "thumbsdown":
		return false, true
	}
	return false, false
}

// feedbackReaction applies a 👍 or 👎 (added or taken back) on a message;
// only reactions on the bot's recall answers count, others are ignored.
func (b *Bot) feedbackReaction(ctx context.Context, event string, target MessageRef, user User, e Emoji, add bool, at time.Time) error {
	helpful, ok := feedbackEmoji(e)
	if !ok {
		return nil
	}
	var (
		changed bool
		err     error
	)
	if add {
		changed, err = b.store.Feedback(ctx, event, source(target), user.ID, helpful, at)
	} else {
		changed, err = b.store.Unfeedback(ctx, event, source(target), user.ID, helpful)
	}
	switch {
	case errors.Is(err, repertoire.ErrNotFound), errors.Is(err, repertoire.ErrAlreadyApplied):
		return nil
	case err != nil:
		return fmt.Errorf("recall feedback: %w", err)
	}
	if changed {
		b.log.InfoContext(ctx, "recall feedback", logMessage, target.ID, logUser, user.ID, "helpful", helpful, "added", add)
	}
	return nil
}

// recordRecall remembers which entries a posted answer showed. A failure
// only costs that answer its feedback, so it is logged, not returned.
func (b *Bot) recordRecall(ctx context.Context, ref MessageRef, hits []repertoire.Hit) {
	if ref.ID == "" {
		return // ephemeral: nobody can react to it
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	if err := b.store.RecordRecall(ctx, source(ref), ids); err != nil {
		b.log.WarnContext(ctx, "record recall answer", logMessage, ref.ID, logErr, err)
	}
}

// setNudges handles "@repertoire nudges on|off".
func (b *Bot) setNudges(ctx context.Context, ev Mentioned, args string) error {
	ch := ev.Message.Ref.Channel
	if ev.Via == ViaDM || b.direct(ch) {
		return b.reply(ctx, ev, b.channelSetting("nudges on"))
	}
	rch := repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID, Private: ev.Message.Private}
	switch strings.ToLower(strings.Trim(strings.TrimSpace(args), ".!")) {
	case "on", "yes", "enable":
		if err := b.store.SetNudges(ctx, rch, true); err != nil {
			return err
		}
		return b.reply(ctx, ev, "Nudges are on here: when someone asks a question the repertoire already answers well, I'll reply once in its thread. `@"+b.cfg.Name+" nudges off` stops them.")
	case "off", "no", "disable":
		if err := b.store.SetNudges(ctx, rch, false); err != nil {
			return err
		}
		return b.reply(ctx, ev, "Nudges are off here. I'll only answer when asked.")
	default:
		on, err := b.store.NudgesOn(ctx, rch)
		if err != nil {
			return err
		}
		state := "off"
		if on {
			state = "on"
		}
		return b.reply(ctx, ev, "Nudges are "+state+" in this channel. Use `@"+b.cfg.Name+" nudges on` or `@"+b.cfg.Name+" nudges off`.")
	}
}

// Nudge thresholds: a nudge interrupts a conversation, so it needs an entry
// that holds most of what was asked, much of it in its own question or tags,
// and a question of at least two informative words.
const (
	nudgeCoverage         = 0.75
	nudgeQuestionCoverage = 0.5
	nudgeMinWords         = 2
)

// nudge answers a question posted in a channel that opted in, when a saved
// entry answers it with high confidence: once per thread, in the thread.
func (b *Bot) nudge(ctx context.Context, ev MessagePosted) error {
	m := ev.Message
	if ev.Late || m.Author.Bot || m.ToBot || !IsQuestion(m.Text) {
		return nil
	}
	ch := repertoire.Channel{Platform: m.Ref.Channel.Platform, Space: m.Ref.Channel.Space, ID: m.Ref.Channel.ID, Private: m.Private}
	on, err := b.store.NudgesOn(ctx, ch)
	if err != nil || !on {
		return err
	}
	root := m.Ref.Root()
	query := b.searchText(ctx, ch, m.Text) // address.go: "dave: how do I …" is judged as "how do I …"
	hits, err := b.store.Search(ctx, repertoire.SearchParams{Text: query, From: ch, Limit: 3})
	if err != nil {
		return fmt.Errorf("nudge: %w", err)
	}
	hits = Relevant(query, hits, DefaultGate) // a nudge holds the question's words, as recall's answers do
	var best *repertoire.Hit
	for i := range hits {
		h := &hits[i]
		if h.ThreadID == root.ID || h.QuestionID == root.ID || h.SourceID == m.Ref.ID {
			continue // this very conversation, saved already
		}
		if h.Coverage >= nudgeCoverage && h.QuestionCoverage >= nudgeQuestionCoverage && h.MatchedWords >= nudgeMinWords {
			best = h
		}
		break // only the best hit may nudge
	}
	if best == nil {
		return nil
	}
	// The message log already recorded ev.ID as applied; the nudge's claim
	// is its own step of the same delivery.
	claimed, err := b.store.ClaimNudge(ctx, subEvent(ev.ID, "nudge"), ch, root.ID, b.cfg.Now())
	if err != nil || !claimed {
		return err
	}
	entry := HitEntry(1, *best)
	entry.Actions = FeedbackActions(best.ID)
	ref, err := b.post(ctx, Outgoing{Channel: m.Ref.Channel, Thread: root.ID, Doc: Doc{Blocks: []Block{
		Para(T("This may have been answered before:")), Entries(entry), feedbackHint(),
	}}})
	if err != nil {
		return fmt.Errorf("nudge: %w", err)
	}
	b.log.InfoContext(ctx, "nudged", logChannel, m.Ref.Channel.ID, logMessage, m.Ref.ID, logEntry, best.ID)
	b.recordRecall(ctx, ref, []repertoire.Hit{*best})
	return nil
}
