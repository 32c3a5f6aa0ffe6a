package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// ActionPressed: a member pressed a button (an Action) on one of the bot's
// messages. Message is that message; Value is the Action's value as the
// platform echoed it, which the core checks (ParseFeedback) and the store
// checks again against what the message showed.
type ActionPressed struct {
	ID      string
	Message MessageRef
	User    User
	Value   string
	At      time.Time // the delivery's arrival (the inbox sets it); zero is now
}

// Delivery implements Event.
func (e ActionPressed) Delivery() string { return e.ID }
func (ActionPressed) event()             {}

// Errors of a pressed button that changes nothing. Adapters refuse a value
// ParseFeedback rejects before acknowledging it when the platform lets them.
var (
	// ErrUnknownAction is a button value the core never sent.
	ErrUnknownAction = errors.New("unknown action")
	// ErrStaleAction is a well-formed value for an entry the message did
	// not show, or on a message that is no recall answer (any more).
	ErrStaleAction = errors.New("action does not match the message")
)

// actionPressed records a member's verdict on one entry of a recall answer:
// once per member and entry (pressing again changes nothing, the other
// button replaces it). It returns ErrUnknownAction or ErrStaleAction when
// the press changes nothing, so the adapter does not show it as pressed.
func (b *Bot) actionPressed(ctx context.Context, ev ActionPressed) error {
	if ev.User.Bot || ev.User.ID == "" {
		return fmt.Errorf("action by %q: %w", ev.User.ID, ErrUnknownAction)
	}
	entry, helpful, err := ParseFeedback(ev.Value)
	if err != nil {
		b.log.InfoContext(ctx, "button refused", logEvent, ev.ID, logUser, ev.User.ID, logErr, err)
		return err
	}
	changed, err := b.store.EntryFeedback(ctx, ev.ID, source(ev.Message), entry, ev.User.ID, helpful, ev.At)
	switch {
	case errors.Is(err, repertoire.ErrAlreadyApplied):
		return nil
	case errors.Is(err, repertoire.ErrNotFound):
		b.log.InfoContext(ctx, "button refused", logEvent, ev.ID, logUser, ev.User.ID, logEntry, entry, logErr, err)
		return fmt.Errorf("entry %d on message %s: %w", entry, ev.Message.ID, ErrStaleAction)
	case err != nil:
		return fmt.Errorf("entry feedback: %w", err)
	}
	b.log.InfoContext(ctx, "entry feedback", logMessage, ev.Message.ID, logUser, ev.User.ID, logEntry, entry, "helpful", helpful, "changed", changed)
	if helpful && changed {
		b.learnHelpful(ctx, entry)
		b.closeHelped(ctx, ev.Message) // helpedclose.go
	}
	if !helpful && changed {
		// The asker's "Not it" on an answer of one entry: nothing answered
		// their question, so the digest asks for it.
		if entries, err := b.store.AnswerEntries(ctx, source(ev.Message)); err == nil && len(entries) == 1 {
			if _, err := b.keepOpenNotHelped(ctx, ev.ID, ev.Message, ev.User); err != nil {
				b.log.WarnContext(ctx, "keep open a question not answered", logEvent, ev.ID, logErr, err)
			}
		}
	}
	b.showPressed(ctx, ev.Message)
	return nil
}

// showPressed has the platform show on an answer the buttons pressed as the
// store records them (not as this process remembers them), so the state
// survives restarts and repairs an update that was lost.
func (b *Bot) showPressed(ctx context.Context, msg MessageRef) {
	p, err := b.platform(msg.Channel)
	if err != nil {
		return
	}
	pr, ok := p.(Presser)
	if !ok {
		return
	}
	verdicts, err := b.store.AnswerVerdicts(ctx, source(msg))
	if err != nil {
		b.log.WarnContext(ctx, "read an answer's verdicts", logMessage, msg.ID, logErr, err)
		return
	}
	pressed := make([]string, 0, len(verdicts))
	for _, v := range verdicts {
		pressed = append(pressed, feedbackValue(v.Entry, v.Helpful))
	}
	if err := pr.ShowPressed(ctx, msg, pressed); err != nil {
		b.log.WarnContext(ctx, "show pressed buttons", logMessage, msg.ID, logErr, err)
	}
}

// Presser is a Platform that can show on its message which buttons were
// pressed. The core calls it once a press is recorded (a refused press
// changes nothing) with pressed, the values of every button on the message
// that members' recorded verdicts press; the others show unpressed.
type Presser interface {
	ShowPressed(ctx context.Context, ref MessageRef, pressed []string) error
}
