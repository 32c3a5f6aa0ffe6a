package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/repertoire/repertoire/bot"
)

// kindAction is an interaction payload (block_actions) as Slack sent it.
const kindAction = "action"

// Button presses (block_actions) arrive over Socket Mode (interactive
// envelopes) or at the interactivity endpoint. Only presses of the bot's
// own buttons are taken: values are checked (bot.ParseFeedback) before the
// ack, so a value the bot never sent is refused and changes nothing.

// InteractionsHandler is the interactivity endpoint of the Events API (mount
// it at POST /slack/interactions). It checks the signature and timestamp as
// EventsHandler does, reads the form's payload, refuses anything but a
// press of one of the bot's buttons (400), and answers 200 as soon as the
// press is queued.
func (a *Adapter) InteractionsHandler() http.Handler {
	return http.HandlerFunc(a.serveInteractions)
}

func (a *Adapter) serveInteractions(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readSigned(w, r, "interactivity")
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	d, err := actionDelivery([]byte(form.Get("payload")))
	if err != nil {
		a.log.WarnContext(r.Context(), "slack interaction refused", logErr, err)
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	if !a.enqueue(r.Context(), d, 2*time.Second) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// actionDelivery checks a block_actions payload (each action a button
// value the bot sent, a member, a message) and wraps it for the queue.
func actionDelivery(payload []byte) (bot.Delivery, error) {
	d := bot.Delivery{Platform: Platform, Kind: kindAction, Payload: payload, Received: time.Now()}
	cb, err := decodeActions(payload)
	if err != nil {
		return d, err
	}
	d.ID, d.Channel = pressID(cb, cb.ActionCallback.BlockActions[0]), cb.Team.ID+"/"+cb.Container.ChannelID
	return d, nil
}

func decodeActions(payload []byte) (slack.InteractionCallback, error) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return cb, fmt.Errorf("malformed interaction: %w", err)
	}
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return cb, fmt.Errorf("interaction type %q: %w", cb.Type, bot.ErrUnknownAction)
	}
	for _, act := range cb.ActionCallback.BlockActions {
		if _, _, err := bot.ParseFeedback(act.Value); err != nil {
			return cb, err
		}
	}
	if cb.User.ID == "" || cb.Container.MessageTs == "" || cb.Container.ChannelID == "" {
		return cb, fmt.Errorf("no member or message: %w", bot.ErrUnknownAction)
	}
	if cb.Team.ID == "" {
		cb.Team.ID = cb.User.TeamID
	}
	return cb, nil
}

// pressID is a press's delivery ID: Slack gives an action its own action_ts.
func pressID(cb slack.InteractionCallback, act *slack.BlockAction) string {
	return "slack:action:" + cb.Container.ChannelID + ":" + cb.Container.MessageTs + ":" + cb.User.ID + ":" + act.ActionID + ":" + act.ActionTs
}

// decodeAction turns a stored press into the core's events, and keeps the
// message's blocks so ShowPressed can update it.
func (a *Adapter) decodeAction(ctx context.Context, d bot.Delivery) ([]bot.Event, error) {
	cb, err := decodeActions(d.Payload)
	if err != nil {
		return nil, err
	}
	if a.removed(cb.Team.ID) {
		return nil, nil
	}
	ch := bot.ChannelRef{Platform: Platform, Space: cb.Team.ID, ID: cb.Container.ChannelID}
	ref := bot.MessageRef{Channel: ch, ID: cb.Container.MessageTs, Thread: cb.Container.ThreadTs}
	a.shown.Put(ch.ID+"/"+ref.ID, shownMessage{blocks: cb.Message.Blocks.BlockSet, text: cb.Message.Text})
	var evs []bot.Event
	for _, act := range cb.ActionCallback.BlockActions {
		id := pressID(cb, act)
		if !a.firstTime(id) {
			continue
		}
		evs = append(evs, bot.ActionPressed{ID: id, Message: ref, Value: act.Value,
			User: bot.User{ID: cb.User.ID, Name: a.name(ctx, bot.User{ID: cb.User.ID})}})
	}
	return evs, nil
}

var _ bot.Presser = (*Adapter)(nil)

// ShowPressed implements bot.Presser: the message is updated (chat.update)
// with exactly the pressed buttons marked, a check mark and the primary
// style. Its blocks are those the press's payload carried: the message as
// Slack shows it.
func (a *Adapter) ShowPressed(ctx context.Context, ref bot.MessageRef, pressed []string) error {
	key := ref.Channel.ID + "/" + ref.ID
	m, ok := a.shown.Get(key)
	if !ok {
		return nil // no press of it decoded by this process: nothing to update from
	}
	blocks, changed := markPressed(m.blocks, pressed)
	if !changed {
		return nil
	}
	err := a.retry(ctx, func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, ref.Channel.ID, ref.ID, slack.MsgOptionText(m.text, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		return fmt.Errorf("chat.update: %w", err)
	}
	a.shown.Put(key, shownMessage{blocks: blocks, text: m.text})
	return nil
}

// markPressed shows the buttons whose action_id is in pressed as pressed
// and the others as not. It reports whether anything changed.
func markPressed(blocks []slack.Block, pressed []string) ([]slack.Block, bool) {
	changed := false
	for _, b := range blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			btn, ok := el.(*slack.ButtonBlockElement)
			if !ok {
				continue
			}
			want := slices.Contains(pressed, btn.ActionID)
			if want == (btn.Style == slack.StylePrimary) {
				continue
			}
			btn.Style = ""
			if want {
				btn.Style = slack.StylePrimary
			}
			if btn.Text != nil {
				label := strings.TrimPrefix(btn.Text.Text, "✓ ")
				if want {
					label = "✓ " + label
				}
				btn.Text.Text = label
			}
			changed = true
		}
	}
	return blocks, changed
}

// shownMessage is a message with buttons as the last press showed it.
type shownMessage struct {
	blocks []slack.Block
	text   string
}
