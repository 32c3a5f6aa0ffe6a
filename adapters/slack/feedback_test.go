package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/bot"
)

// answerWithThree saves three deploy tips in C1, asks about deploying and
// returns the bot's answer (ts) and its entries' IDs in the order shown.
func (e *env) answerWithThree(deliver func(inner map[string]any)) (string, []int64) {
	e.t.Helper()
	for i, text := range []string{
		"Deploy tip: run make deploy from the release branch",
		"Deploy tip: the deploy needs the VPN to reach the cluster",
		"Deploy tip: a failed deploy rolls back with make rollback",
	} {
		ts, ev := e.fake.Say("C1", "U1", text, "")
		deliver(ev)
		deliver(e.fake.React("C1", ts, "U"+string(rune('2'+i)), "bulb"))
	}
	_, mev := e.fake.Mention("C1", "U4", "how do I deploy?", "")
	deliver(mev)
	posts := e.fake.BotMessages("C1")
	if len(posts) == 0 {
		e.t.Fatal("no answer posted")
	}
	answer := posts[len(posts)-1]
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(answer.Blocks, &blocks); err != nil {
		e.t.Fatalf("answer blocks: %v\n%s", err, answer.Blocks)
	}
	var ids []int64
	for _, b := range blocks {
		if b.Type == "actions" && len(b.Elements) == 2 {
			id, helpful, err := bot.ParseFeedback(b.Elements[0].ActionID)
			if err != nil || !helpful || b.Elements[1].ActionID != "notit:"+strings.TrimPrefix(b.Elements[0].ActionID, "helped:") {
				e.t.Fatalf("buttons %+v: %v", b.Elements, err)
			}
			ids = append(ids, id)
		}
	}
	if len(ids) != 3 {
		e.t.Fatalf("want three entries with buttons, got %v in\n%s", ids, answer.Blocks)
	}
	return answer.TS, ids
}

// feedbackOf returns each entry's helpful and not-it counts.
func (e *env) feedbackOf(ids []int64) [][2]int {
	e.t.Helper()
	var out [][2]int
	for _, id := range ids {
		got, err := e.store.Entry(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, [2]int{got.Helpful, got.Unhelpful})
	}
	return out
}

// pressID is the delivery ID the adapter gives a press.
func pressID(t testing.TB, payload []byte) string {
	var p struct {
		User      struct{ ID string } `json:"user"`
		Container struct {
			ChannelID string `json:"channel_id"`
			MessageTS string `json:"message_ts"`
		} `json:"container"`
		Actions []struct {
			ActionID string `json:"action_id"`
			ActionTS string `json:"action_ts"`
		} `json:"actions"`
	}
	if err := json.Unmarshal(payload, &p); err != nil || len(p.Actions) != 1 {
		t.Fatalf("payload: %v", err)
	}
	return "slack:action:" + p.Container.ChannelID + ":" + p.Container.MessageTS + ":" + p.User.ID + ":" + p.Actions[0].ActionID + ":" + p.Actions[0].ActionTS
}

// TestInteractionsEndpoint: with the Events API, presses arrive at
// /slack/interactions with the same signature checks, and the press shows
// with chat.update as a primary "✓ This helped" button (the conformance
// suite covers what presses record, over Socket Mode and this endpoint).
func TestInteractionsEndpoint(t *testing.T) {
	e := start(t, false)
	ts, ids := e.answerWithThree(func(inner map[string]any) {
		id, _ := e.postEvent(inner)
		e.wait("slack:" + id)
	})
	h := e.a.InteractionsHandler()
	post := func(payload []byte, sign func([]byte) http.Header) int {
		body := slacktest.InteractionForm(payload)
		r := httptest.NewRequest(http.MethodPost, "/slack/interactions", bytes.NewReader(body))
		for k, v := range sign(body) {
			r.Header[k] = v
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	good := func(body []byte) http.Header { return slacktest.Sign(secret, body, time.Now()) }
	second := "helped:" + itoa(ids[1])
	for name, tc := range map[string]struct {
		payload []byte
		sign    func([]byte) http.Header
		want    int
	}{
		"bad signature": {e.fake.BlockAction("C1", ts, "U7", second, ""), func(b []byte) http.Header { return slacktest.Sign("not the secret", b, time.Now()) }, http.StatusUnauthorized},
		"stale timestamp": {e.fake.BlockAction("C1", ts, "U7", second, ""), func(b []byte) http.Header {
			return slacktest.Sign(secret, b, time.Now().Add(-10*time.Minute))
		}, http.StatusUnauthorized},
		"unknown value": {e.fake.BlockAction("C1", ts, "U7", second, "delete:all"), good, http.StatusBadRequest},
	} {
		if got := post(tc.payload, tc.sign); got != tc.want {
			t.Errorf("%s: status %d, want %d", name, got, tc.want)
		}
	}
	if got := e.feedbackOf(ids); got[0] != [2]int{} || got[1] != [2]int{} || got[2] != [2]int{} {
		t.Fatalf("refused requests changed feedback: %v", got)
	}
	payload := e.fake.BlockAction("C1", ts, "U7", second, "")
	if got := post(payload, good); got != http.StatusOK {
		t.Fatalf("signed press: %d", got)
	}
	e.wait(pressID(t, payload))
	if got := e.feedbackOf(ids); got[0] != [2]int{} || got[1] != [2]int{1, 0} || got[2] != [2]int{} {
		t.Fatalf("after the press: %v", got)
	}
	if err := e.fake.WaitCalls("chat.update", 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	up := e.fake.Calls("chat.update")[0]
	if up.Get("ts") != ts || !strings.Contains(up.Get("blocks"), `"✓ This helped"`) || !strings.Contains(up.Get("blocks"), `"primary"`) {
		t.Fatalf("the message should show the press: %v", up)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
