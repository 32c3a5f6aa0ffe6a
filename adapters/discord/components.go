package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/repertoire/repertoire/bot"
)

// Component interactions: a member pressed one of the bot's buttons.
const (
	interactionComponent = 3
	respondUpdate        = 6 // DEFERRED_UPDATE_MESSAGE: "got it", the message changes later
)

type wireComponentInteraction struct {
	ID            string      `json:"id"`
	ApplicationID string      `json:"application_id"`
	Type          int         `json:"type"`
	Token         string      `json:"token"`
	GuildID       string      `json:"guild_id"`
	ChannelID     string      `json:"channel_id"`
	Member        *wireMember `json:"member"`
	User          *wireUser   `json:"user"`
	Data          struct {
		CustomID      string `json:"custom_id"`
		ComponentType int    `json:"component_type"`
	} `json:"data"`
	Message struct {
		ID         string          `json:"id"`
		ChannelID  string          `json:"channel_id"`
		Components []wireComponent `json:"components"`
	} `json:"message"`
}

// pressed handles an INTERACTION_CREATE that is a button press (type 3). It
// reports false for any other interaction. The press is acknowledged at
// once with a deferred update (type 6), well within Discord's 3 seconds; a
// custom_id the bot never sent is refused with an ephemeral note instead.
// When the core takes the press it calls ShowPressed.
func (a *Adapter) pressed(ctx context.Context, h bot.Handler, raw json.RawMessage) bool {
	var w wireComponentInteraction
	if err := json.Unmarshal(raw, &w); err != nil || w.Type != interactionComponent {
		return false
	}
	if w.ID == "" || w.Token == "" || w.Message.ID == "" {
		a.log.WarnContext(ctx, "component interaction without id, token or message skipped")
		return true
	}
	app := w.ApplicationID
	if app == "" {
		a.mu.Lock()
		app = a.appID
		a.mu.Unlock()
	}
	user := userOf(w.User, w.Member)
	if _, _, err := bot.ParseFeedback(w.Data.CustomID); err != nil || w.Data.ComponentType != componentButton || user.ID == "" {
		a.log.WarnContext(ctx, "button press refused", "interaction", w.ID, logErr, err)
		refusal := wireResponse{Type: respondMessage, Data: wireSend{Content: "That button is not one of mine: nothing changed.",
			AllowedMentions: noMentions(), Flags: flagEphemeral}}
		if err := a.interactionRespond(ctx, w.ID, w.Token, refusal); err != nil {
			a.log.WarnContext(ctx, "refuse button press", "interaction", w.ID, logErr, err)
		}
		return true
	}
	if err := a.interactionRespond(ctx, w.ID, w.Token, wireResponse{Type: respondUpdate, Data: wireFlags{}}); err != nil {
		a.log.WarnContext(ctx, "acknowledge button press", "interaction", w.ID, logErr, err)
		return true
	}
	channel := w.Message.ChannelID
	if channel == "" {
		channel = w.ChannelID
	}
	ch, _ := channelRef(a.st, w.GuildID, channel)
	a.shown.Put(w.Message.ID, shownMessage{app: app, token: w.Token, rows: w.Message.Components})
	ev := bot.ActionPressed{ID: "discord:interaction:" + w.ID, Message: bot.MessageRef{Channel: ch, ID: w.Message.ID},
		User: user, Value: w.Data.CustomID}
	if err := h.Handle(ctx, ev); err != nil {
		a.log.InfoContext(ctx, "button press changed nothing", "interaction", w.ID, logErr, err)
	}
	return true
}

var _ bot.Presser = (*Adapter)(nil)

// ShowPressed implements bot.Presser: the message is edited through the
// press's interaction (PATCH @original) with exactly the pressed buttons
// marked. Its rows are those the interaction carried: the message as
// Discord shows it.
func (a *Adapter) ShowPressed(ctx context.Context, ref bot.MessageRef, pressed []string) error {
	m, ok := a.shown.Get(ref.ID)
	if !ok {
		return nil // no press of it seen by this process: no interaction to edit through
	}
	rows, changed := markPressed(m.rows, pressed)
	if !changed {
		return nil
	}
	_, err := a.s.RequestWithBucketID(http.MethodPatch, discordgo.EndpointInteractionResponseActions(m.app, m.token),
		struct {
			Components      []wireComponent `json:"components"`
			AllowedMentions *wireAllowed    `json:"allowed_mentions"`
		}{rows, noMentions()},
		discordgo.EndpointInteractionResponseActions(m.app, ""), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("edit the pressed message: %w", err)
	}
	m.rows = rows
	a.shown.Put(ref.ID, m)
	return nil
}

// shownMessage is a message with buttons, as the last press showed it, and
// the press's interaction, through which it can be edited.
type shownMessage struct {
	app, token string
	rows       []wireComponent
}

// markPressed shows the buttons whose custom_id is in pressed as pressed
// (the success style and a check mark) and the others as not. It reports
// whether anything changed.
func markPressed(rows []wireComponent, pressed []string) ([]wireComponent, bool) {
	changed := false
	for i := range rows {
		for j := range rows[i].Components {
			b := &rows[i].Components[j]
			want := slices.Contains(pressed, b.CustomID)
			if want == (b.Style == buttonSuccess) {
				continue
			}
			b.Style = buttonSecondary
			b.Label = strings.Replace(b.Label, "✓ ", "", 1)
			if want {
				b.Style = buttonSuccess
				b.Label = "✓ " + b.Label
			}
			changed = true
		}
	}
	return rows, changed
}

// interactionRespond sends an interaction's initial response.
func (a *Adapter) interactionRespond(ctx context.Context, id, token string, resp wireResponse) error {
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = a.s.RequestRaw(http.MethodPost, discordgo.EndpointInteractionResponse(id, token), "application/json", body,
		discordgo.EndpointInteractionResponse(id, ""), 0, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("interaction callback: %w", err)
	}
	return nil
}
