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
	"github.com/repertoire/repertoire/repertoire"
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

// TestSocketModeEntryFeedback: against the loopback Slack over Socket Mode,
// pressing "This helped" on the second of three entries records feedback for
// that entry only, once per member; the message shows the press; ranking
// and the digest use it; 👍 on the answer counts for its first entry only;
// a value the bot never sent is refused and changes nothing.
func TestSocketModeEntryFeedback(t *testing.T) {
	e := start(t, true)
	ts, ids := e.answerWithThree(func(inner map[string]any) { e.send(inner) })
	press := func(user, action, value string) string {
		t.Helper()
		payload := e.fake.BlockAction("C1", ts, user, action, value)
		env := e.fake.Interactive(payload)
		if err := e.fake.WaitAck(env, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		return pressID(t, payload)
	}
	second := "helped:" + itoa(ids[1])
	e.wait(press("U7", second, ""))
	if got := e.feedbackOf(ids); got[0] != [2]int{} || got[1] != [2]int{1, 0} || got[2] != [2]int{} {
		t.Fatalf("after U7 pressed This helped on the second entry: %v", got)
	}
	if err := e.fake.WaitCalls("chat.update", 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	up := e.fake.Calls("chat.update")[0]
	if up.Get("ts") != ts || !strings.Contains(up.Get("blocks"), `"✓ This helped"`) || !strings.Contains(up.Get("blocks"), `"primary"`) {
		t.Fatalf("the message should show the press: %v", up)
	}
	e.wait(press("U7", second, "")) // again: once per member
	e.wait(press("U8", second, ""))
	e.wait(press("U8", "notit:"+itoa(ids[2]), ""))
	if got := e.feedbackOf(ids); got[0] != [2]int{} || got[1] != [2]int{2, 0} || got[2] != [2]int{0, 1} {
		t.Fatalf("after more presses: %v", got)
	}

	// Refused: a value the bot never sent, and a real entry the answer did not show.
	before := e.feedbackOf(ids)
	env := e.fake.Interactive(e.fake.BlockAction("C1", ts, "U9", second, "helped:1; DROP TABLE entries"))
	if err := e.fake.WaitAck(env, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	other, oev := e.fake.Say("C1", "U1", "Unrelated: the coffee machine is on floor 2", "")
	e.send(oev)
	e.send(e.fake.React("C1", other, "U2", "bulb"))
	unrelated, err := e.entry("C1", other)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(press("U9", "helped:"+itoa(unrelated.ID), "helped:"+itoa(unrelated.ID)))
	if got := e.feedbackOf(append(ids, unrelated.ID)); got[0] != before[0] || got[1] != before[1] || got[2] != before[2] || got[3] != [2]int{} {
		t.Fatalf("a refused press changed feedback: %v, was %v", got, before)
	}

	// 👍 on the answer: its first entry only.
	e.send(e.fake.React("C1", ts, "U9", "+1"))
	if got := e.feedbackOf(ids); got[0] != [2]int{1, 0} || got[1] != [2]int{2, 0} || got[2] != [2]int{0, 1} {
		t.Fatalf("after 👍 on the answer: %v", got)
	}

	// Ranking: asked again, the entry members found helpful comes first.
	_, mev := e.fake.Mention("C1", "U5", "how do I deploy?", "")
	e.send(mev)
	posts := e.fake.BotMessages("C1")
	if again := posts[len(posts)-1]; !strings.Contains(string(again.Blocks), `"action_id":"helped:`+itoa(ids[1])+`"`) ||
		strings.Index(string(again.Blocks), "helped:"+itoa(ids[1])) > strings.Index(string(again.Blocks), "helped:"+itoa(ids[0])) {
		t.Errorf("the helpful entry should rank first now:\n%s", again.Blocks)
	}
	// The digest credits the helpful entry alone.
	now := time.Now()
	data, err := e.store.DigestData(context.Background(), repertoire.Channel{Platform: "slack", Space: e.fake.Team, ID: "C1"},
		now.Add(-time.Hour), now.Add(time.Hour), repertoire.DigestLimits{})
	if err != nil {
		t.Fatal(err)
	}
	digest := bot.ComposeDigest(data, time.UTC).Doc().Text()
	if strings.Count(digest, "found it helpful") != 2 || !strings.Contains(digest, "👍 2 found it helpful") {
		t.Errorf("digest should show the second entry's 2 helpful and the first's 1:\n%s", digest)
	}
}

// TestInteractionsEndpoint: with the Events API, presses arrive at
// /slack/interactions with the same signature checks.
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
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
