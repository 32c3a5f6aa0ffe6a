package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/repertoire/repertoire/bot"
)

// maxBody bounds an Events API request: Slack's events are a few KiB.
const maxBody = 1 << 20

// EventsHandler is the Events API endpoint (mount it at POST /slack/events).
// It verifies Slack's v0 signature over the raw body within the 5-minute
// window, answers url_verification, and answers 200 as soon as the event is
// committed to the inbox (or queued, without one), before any work, so
// Slack's 3-second deadline holds whatever the core is doing. Retries (same event_id) are applied once. Slash commands
// (form-encoded) may use the same URL.
func (a *Adapter) EventsHandler() http.Handler {
	return http.HandlerFunc(a.serveEvents)
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readSigned(w, r, "events api")
	if !ok {
		return
	}
	ctx := r.Context()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("command") == "" {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		cmd := slashCommand{TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
			UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
			ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id")}
		raw, _ := json.Marshal(cmd)
		d, skip := a.delivery(ctx, kindCommand, raw)
		if !skip && !a.enqueue(ctx, d, 2*time.Second) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK) // empty 200: the answer comes through response_url
		return
	}
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
		EventID   string `json:"event_id"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		a.log.WarnContext(ctx, "malformed slack event refused", logErr, err)
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	switch outer.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, outer.Challenge)
		return
	case "event_callback":
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	if retry := r.Header.Get("X-Slack-Retry-Num"); retry != "" {
		a.log.InfoContext(ctx, "slack retried an event", logEvent, outer.EventID, "retry", retry, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	d, skip := a.delivery(ctx, kindEvent, body)
	if !skip && !a.enqueue(ctx, d, 2*time.Second) {
		// Slack will retry; the event is not lost.
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// verifySignature checks X-Slack-Signature over the raw body with the
// signing secret, and that X-Slack-Request-Timestamp is within 5 minutes
// of the adapter's clock (a replay inside the window is caught by event_id).
func (a *Adapter) verifySignature(h http.Header, body []byte) error {
	ts, err := strconv.ParseInt(h.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("missing or bad X-Slack-Request-Timestamp")
	}
	if d := a.opts.Now().Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("request timestamp outside the 5-minute window")
	}
	v, err := slack.NewSecretsVerifier(h, a.opts.SigningSecret)
	if err != nil {
		return err
	}
	if _, err := v.Write(body); err != nil {
		return err
	}
	return v.Ensure()
}

// Routes are the adapter's HTTP routes for the program's listener: the
// Events API endpoint and the interactivity endpoint (button presses),
// when a signing secret is configured.
func (a *Adapter) Routes() map[string]http.Handler {
	if a.opts.SigningSecret == "" {
		return nil
	}
	return map[string]http.Handler{"POST /slack/events": a.EventsHandler(), "POST /slack/interactions": a.InteractionsHandler()}
}

// delivery wraps a payload for the inbox: its delivery ID and the channel
// that orders it, read by the same pure translation Decode runs. skip means
// a payload the core would not use (a join, a malformed event, logged): it
// is acked without being stored.
func (a *Adapter) delivery(ctx context.Context, kind string, payload []byte) (d bot.Delivery, skip bool) {
	d = bot.Delivery{Platform: Platform, Kind: kind, Payload: payload, Received: time.Now()}
	switch kind {
	case kindCommand:
		var cmd slashCommand
		if err := json.Unmarshal(payload, &cmd); err != nil {
			a.log.WarnContext(ctx, "malformed slash command skipped", logErr, err)
			return d, true
		}
		m, err := translateCommand(cmd)
		if err != nil {
			a.log.WarnContext(ctx, "slash command skipped", logErr, err)
			return d, true
		}
		d.ID, d.Channel = m.ID, cmd.TeamID+"/"+cmd.ChannelID
	case kindEvent:
		cb, t, err := translateCallback(payload, a.self)
		if errors.Is(err, errSkip) {
			a.log.DebugContext(ctx, "slack event skipped", logEvent, cb.EventID, "why", err.Error())
			return d, true
		}
		if err != nil {
			a.log.WarnContext(ctx, "malformed slack event skipped", logEvent, cb.EventID, logErr, err)
			return d, true
		}
		d.ID, d.Channel = cb.EventID, cb.TeamID+"/"+t.Channel
	case kindAction:
		ad, err := actionDelivery(payload)
		if err != nil {
			a.log.WarnContext(ctx, "slack interaction refused", logErr, err)
			return d, true
		}
		d = ad
	}
	return d, false
}

// readSigned reads a request Slack signed: POST only, on an adapter with a
// signing secret, a body of at most maxBody bytes whose v0 signature and
// timestamp hold. Otherwise it answers the error itself and reports false.
// what names the endpoint in the answer when it is not configured.
func (a *Adapter) readSigned(w http.ResponseWriter, r *http.Request, what string) ([]byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	if a.opts.SigningSecret == "" {
		http.Error(w, what+" not configured", http.StatusNotFound)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "read body", http.StatusBadRequest)
		return nil, false
	}
	if err := a.verifySignature(r.Header, body); err != nil {
		a.log.WarnContext(r.Context(), "slack request refused: bad signature", logErr, err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}
