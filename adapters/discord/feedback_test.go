package discord_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
	"github.com/repertoire/repertoire/bot"
)

var erin = discordtest.User{ID: "80351110224678917", Name: "Erin"}

// buttonsOf reads a message's components: each row's custom_ids and labels.
func buttonsOf(t testing.TB, raw json.RawMessage) [][]struct {
	CustomID string `json:"custom_id"`
	Label    string `json:"label"`
	Style    int    `json:"style"`
} {
	t.Helper()
	var rows []struct {
		Type       int `json:"type"`
		Components []struct {
			CustomID string `json:"custom_id"`
			Label    string `json:"label"`
			Style    int    `json:"style"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatalf("components %s: %v", raw, err)
	}
	out := make([][]struct {
		CustomID string `json:"custom_id"`
		Label    string `json:"label"`
		Style    int    `json:"style"`
	}, len(rows))
	for i, r := range rows {
		out[i] = r.Components
	}
	return out
}

// TestEntryFeedbackButtonsDiscordDetails: what Discord adds to per-entry
// feedback (the conformance suite covers what presses record): numbered
// bold entries with a row of buttons each, a press acknowledged with a
// deferred update (type 6) within 3 s, the pressed button edited to a green
// "✓" one, and a custom_id the bot never sent refused with an ephemeral
// message.
func TestEntryFeedbackButtonsDiscordDetails(t *testing.T) {
	t.Parallel()
	h := start(t, options{parallel: true})
	h.capture("How do I deploy the app?", "Run make deploy from the release branch")
	h.capture("Why does deploy fail at night?", "The deploy needs the VPN to reach the cluster")
	h.capture("What if a deploy breaks prod?", "A failed deploy rolls back with make rollback")
	h.srv.Post(dave, general, "<@"+h.srv.Bot.ID+"> how do I deploy?", "")
	var answer discordtest.Sent
	h.srv.Await(t, "an answer with buttons", func() bool {
		for _, s := range h.srv.Sent() {
			if len(s.Components) > 0 {
				answer = s
				return true
			}
		}
		return false
	})
	rows := buttonsOf(t, answer.Components)
	if len(rows) != 3 || !strings.Contains(answer.Content, "**2. ") {
		t.Fatalf("want three rows of buttons and numbered bold entries:\n%s\n%s", answer.Content, answer.Components)
	}
	for _, r := range rows {
		id, helpful, err := bot.ParseFeedback(r[0].CustomID)
		if err != nil || !helpful || len(r) != 2 || r[1].CustomID != "notit:"+strconv.FormatInt(id, 10) {
			t.Fatalf("row %+v: %v", r, err)
		}
	}
	press := h.srv.Press(erin, general, answer.ID, rows[1][0].CustomID)
	h.srv.Await(t, "the message shows the press", func() bool {
		r := buttonsOf(t, h.srv.Components(answer.ID))
		return len(r) == 3 && strings.HasPrefix(r[1][0].Label, "✓ ") && r[1][0].Style == 3 && !strings.HasPrefix(r[0][0].Label, "✓")
	})
	var deferred *discordtest.Response
	for _, r := range h.srv.Responses() {
		if r.Interaction == press && r.Kind == "callback" {
			deferred = &r
		}
	}
	if deferred == nil || deferred.Type != 6 || deferred.At.Sub(h.srv.InteractionAt(press)) > 3*time.Second {
		t.Fatalf("want a deferred update (type 6) within 3 s: %+v", deferred)
	}

	before := len(h.srv.Responses())
	bad := h.srv.Press(dave, general, answer.ID, "delete:everything")
	h.srv.Await(t, "the refusal", func() bool { return len(h.srv.Responses()) > before })
	for _, r := range h.srv.Responses() {
		if r.Interaction == bad && (r.Type != 4 || r.Flags&64 == 0) {
			t.Errorf("an unknown button should get an ephemeral refusal: %+v", r)
		}
	}
}
