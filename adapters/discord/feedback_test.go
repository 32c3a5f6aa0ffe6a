package discord_test

import (
	"context"
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

// TestEntryFeedbackButtons: against the loopback Discord with discordgo,
// pressing "This helped" on the second of three entries is acknowledged
// with a deferred update within 3 s, records feedback for that entry only,
// once per member, and edits the message to show the press; a custom_id
// the bot never sent is refused and changes nothing.
func TestEntryFeedbackButtons(t *testing.T) {
	h := start(t, options{})
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
	var ids []int64
	for _, r := range rows {
		id, helpful, err := bot.ParseFeedback(r[0].CustomID)
		if err != nil || !helpful || len(r) != 2 || r[1].CustomID != "notit:"+strconv.FormatInt(id, 10) {
			t.Fatalf("row %+v: %v", r, err)
		}
		ids = append(ids, id)
	}
	feedback := func() [][2]int {
		var out [][2]int
		for _, id := range ids {
			e, err := h.store.Entry(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, [2]int{e.Helpful, e.Unhelpful})
		}
		return out
	}
	awaitFeedback := func(what string, want [][2]int) {
		t.Helper()
		h.srv.Await(t, what, func() bool {
			got := feedback()
			return got[0] == want[0] && got[1] == want[1] && got[2] == want[2]
		})
	}
	second := rows[1][0].CustomID
	press := h.srv.Press(erin, general, answer.ID, second)
	awaitFeedback("feedback on the second entry only", [][2]int{{}, {1, 0}, {}})
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

	h.srv.Press(erin, general, answer.ID, second) // again: once per member
	h.srv.Press(carol, general, answer.ID, second)
	h.srv.Press(carol, general, answer.ID, rows[2][1].CustomID)
	awaitFeedback("feedback from carol", [][2]int{{}, {2, 0}, {0, 1}})

	// Refused: a custom_id the bot never sent; a real entry the answer did not show.
	before := len(h.srv.Responses())
	bad := h.srv.Press(dave, general, answer.ID, "delete:everything")
	h.srv.Await(t, "the refusal", func() bool { return len(h.srv.Responses()) > before })
	for _, r := range h.srv.Responses() {
		if r.Interaction == bad && (r.Type != 4 || r.Flags&64 == 0) {
			t.Errorf("an unknown button should get an ephemeral refusal: %+v", r)
		}
	}
	_, other := h.capture("Where is the coffee?", "The coffee machine is on floor 2")
	unrelated := h.awaitEntry(general, other)
	h.srv.Press(dave, general, answer.ID, "helped:"+strconv.FormatInt(unrelated.ID, 10))
	h.srv.Press(dave, general, answer.ID, rows[0][0].CustomID) // a marker: applied after the stale press
	awaitFeedback("the marker press", [][2]int{{1, 0}, {2, 0}, {0, 1}})
	if e, _ := h.store.Entry(context.Background(), unrelated.ID); e.Helpful != 0 {
		t.Errorf("a press for an entry the answer did not show counted: %+v", e)
	}
}
