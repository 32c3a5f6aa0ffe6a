package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/repertoire/repertoire/bot"
)

// Interaction response types and the ephemeral flag.
const (
	respondMessage  = 4 // CHANNEL_MESSAGE_WITH_SOURCE
	respondDeferred = 5 // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
	flagEphemeral   = 1 << 6
)

// interactionTTL is how long Discord accepts follow-ups with a token.
const interactionTTL = 15 * time.Minute

// interaction is a command waiting for (or being given) its answer. Discord
// wants a first response within 3 s: the core's answer when it comes in
// time, else a deferred response the answer later replaces.
type interaction struct {
	id, token, app string
	created        time.Time
	mu             chan struct{} // a one-slot lock that a timer can also take
	state          int           // 0 nothing sent, 1 deferred, 2 original answered
	timer          *time.Timer
}

const (
	stateNone = iota
	stateDeferred
	stateAnswered
)

func (a *Adapter) track(ctx context.Context, w *wireInteraction) {
	it := &interaction{id: w.ID, token: w.Token, app: w.ApplicationID, created: time.Now(), mu: make(chan struct{}, 1)}
	if it.app == "" {
		a.mu.Lock()
		it.app = a.appID
		a.mu.Unlock()
	}
	log := a.log
	it.timer = time.AfterFunc(a.deferAfter, func() {
		it.mu <- struct{}{}
		defer func() { <-it.mu }()
		if it.state != stateNone {
			return
		}
		// The timer has no caller's context; bound it by Discord's window.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		if err := a.callback(dctx, it, respondDeferred, "", true); err != nil {
			log.WarnContext(dctx, "defer interaction", "interaction", it.id, logErr, err)
			return
		}
		it.state = stateDeferred
	})
	a.mu.Lock()
	for id, old := range a.pending {
		if time.Since(old.created) > interactionTTL {
			old.timer.Stop()
			delete(a.pending, id)
		}
	}
	a.pending[w.ID] = it
	a.mu.Unlock()
}

func (a *Adapter) stopInteractions() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, it := range a.pending {
		it.timer.Stop()
	}
}

// answer sends a command's answer: the interaction response itself when no
// response went out yet, the deferred response's edit, then follow-ups.
func (a *Adapter) answer(ctx context.Context, out bot.Outgoing, r Rendered) (bot.MessageRef, error) {
	texts := r.Texts
	a.mu.Lock()
	it, ok := a.pending[out.Interaction]
	a.mu.Unlock()
	if !ok {
		return bot.MessageRef{}, fmt.Errorf("discord answer: interaction %s unknown or expired", out.Interaction)
	}
	select {
	case it.mu <- struct{}{}:
	case <-ctx.Done():
		return bot.MessageRef{}, ctx.Err()
	}
	defer func() { <-it.mu }()
	it.timer.Stop()
	for i, text := range texts {
		var err error
		switch {
		case i == 0 && it.state == stateNone:
			err = a.callback(ctx, it, respondMessage, text, out.Ephemeral)
		case i == 0 && it.state == stateDeferred:
			_, err = a.s.RequestWithBucketID(http.MethodPatch, discordgo.EndpointInteractionResponseActions(it.app, it.token),
				wireSend{Content: text, AllowedMentions: noMentions()},
				discordgo.EndpointInteractionResponseActions(it.app, ""), discordgo.WithContext(ctx))
		default:
			msg := wireSend{Content: text, AllowedMentions: noMentions()}
			if out.Ephemeral {
				msg.Flags = flagEphemeral
			}
			_, err = a.s.RequestWithBucketID(http.MethodPost, discordgo.EndpointFollowupMessage(it.app, it.token)+"?wait=true", msg,
				discordgo.EndpointFollowupMessage(it.app, ""), discordgo.WithContext(ctx))
		}
		if err != nil {
			return bot.MessageRef{}, fmt.Errorf("discord answer part %d of %d: %w", i+1, len(texts), err)
		}
		if i == 0 {
			it.state = stateAnswered
		}
	}
	return bot.MessageRef{Channel: out.Channel}, nil
}

// wireResponse is an interaction response. A deferred response carries only
// its flags; the answer that replaces it carries the content.
type wireResponse struct {
	Type int `json:"type"`
	Data any `json:"data"`
}

type wireFlags struct {
	Flags int `json:"flags,omitempty"`
}

func (a *Adapter) callback(ctx context.Context, it *interaction, typ int, text string, ephemeral bool) error {
	flags := 0
	if ephemeral {
		flags = flagEphemeral
	}
	resp := wireResponse{Type: typ, Data: wireFlags{Flags: flags}}
	if typ != respondDeferred {
		resp.Data = wireSend{Content: text, AllowedMentions: noMentions(), Flags: flags}
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = a.s.RequestRaw(http.MethodPost, discordgo.EndpointInteractionResponse(it.id, it.token), "application/json", body,
		discordgo.EndpointInteractionResponse(it.id, ""), 0, discordgo.WithContext(ctx))
	if err != nil {
		var rest *discordgo.RESTError
		if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusNotFound {
			return fmt.Errorf("interaction callback (token expired?): %w", err)
		}
		return fmt.Errorf("interaction callback: %w", err)
	}
	return nil
}
