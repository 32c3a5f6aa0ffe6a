package slack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/bot/adaptertest"
	"github.com/repertoire/repertoire/repertoire"
)

// TestConformance runs the adapter conformance suite over the real adapter
// (slack-go inside) against the loopback Slack: over Socket Mode with the
// events applied by the dispatcher's workers, and over the Events API with
// the events going through the store's inbox.
func TestConformance(t *testing.T) {
	t.Run("SocketMode", func(t *testing.T) {
		adaptertest.Run(t, func(t *testing.T) adaptertest.World { return newSlackWorld(startWith(t, true, false)) })
	})
	t.Run("EventsAPI+inbox", func(t *testing.T) {
		adaptertest.Run(t, func(t *testing.T) adaptertest.World { return newSlackWorld(startWith(t, false, true)) })
	})
}

type slackWorld struct {
	*env
	roots map[string]string // a reply's ts → its thread's (Slack threads have one level)
}

func newSlackWorld(e *env) *slackWorld { return &slackWorld{env: e, roots: map[string]string{}} }

// thread is the thread_ts of a reply to msg: the root of msg's thread.
func (w *slackWorld) thread(msg string) string {
	if r, ok := w.roots[msg]; ok {
		return r
	}
	return msg
}

// deliver sends an inner event by the world's transport and waits until
// the core applied it.
func (w *slackWorld) deliver(inner map[string]any) {
	w.t.Helper()
	if w.socket {
		w.send(inner)
		return
	}
	id, _ := w.postEvent(inner)
	w.wait("slack:" + id)
}

func (w *slackWorld) Store() repertoire.Store { return w.store }
func (w *slackWorld) Platform() string        { return "slack" }
func (w *slackWorld) Space() string           { return w.fake.Team }
func (w *slackWorld) Public() string          { return "C1" }
func (w *slackWorld) Private() string         { return "G1" }
func (w *slackWorld) UserID(name string) string {
	return "U" + strings.ToUpper(name)
}

func (w *slackWorld) Post(who, channel, text, thread string) string {
	if thread != "" {
		thread = w.thread(thread)
	}
	ts, ev := w.fake.Say(channel, w.UserID(who), text, thread)
	if thread != "" {
		w.roots[ts] = thread
	}
	w.deliver(ev)
	return ts
}

func (w *slackWorld) Ask(who, channel, text, thread string) string {
	if thread != "" {
		thread = w.thread(thread)
	}
	ts, ev := w.fake.Mention(channel, w.UserID(who), text, thread)
	w.deliver(ev)
	return ts
}

func (w *slackWorld) React(who, channel, msg string, e bot.Emoji, add bool) {
	ev := w.fake.React(channel, msg, w.UserID(who), e.Shortcode)
	if !add {
		ev["type"] = "reaction_removed"
	}
	w.deliver(ev)
}

func (w *slackWorld) Edit(channel, msg, text string) { w.deliver(w.fake.Edit(channel, msg, text)) }
func (w *slackWorld) Delete(channel, msg string)     { w.deliver(w.fake.Delete(channel, msg)) }

// Press sends the block action: over Socket Mode, waiting for the ack; at
// /slack/interactions, signed, where a value the bot never sent is refused
// at once (400).
func (w *slackWorld) Press(who string, on adaptertest.Sent, value string) {
	w.t.Helper()
	payload := w.fake.BlockAction(on.Channel, on.ID, w.UserID(who), value, "")
	if w.socket {
		if err := w.fake.WaitAck(w.fake.Interactive(payload), 10*time.Second); err != nil {
			w.t.Fatal(err)
		}
		return
	}
	body := slacktest.InteractionForm(payload)
	r := httptest.NewRequest(http.MethodPost, "/slack/interactions", bytes.NewReader(body))
	for k, v := range slacktest.Sign(secret, body, time.Now()) {
		r.Header[k] = v
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	w.a.InteractionsHandler().ServeHTTP(rec, r)
	if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
		w.t.Fatalf("press %s: status %d", value, rec.Code)
	}
}

// slackBlock is what the suite reads of a Block Kit block.
type slackBlock struct {
	Type     string          `json:"type"`
	Elements json.RawMessage `json:"elements"`
}

// slackButton is what the suite reads of a button.
type slackButton struct {
	ActionID string `json:"action_id"`
	Text     struct {
		Text string `json:"text"`
	} `json:"text"`
}

func (w *slackWorld) Sent() []adaptertest.Sent {
	var out []adaptertest.Sent
	for _, ch := range []string{"C1", "G1", "D1"} {
		for _, m := range w.fake.BotMessages(ch) {
			// Members read the text with Slack's three escapes undone.
			s := adaptertest.Sent{ID: m.TS, Channel: ch, ReplyTo: m.ThreadTS, Text: unescape.Replace(m.Text)}
			var blocks []slackBlock
			if len(m.Blocks) > 0 {
				if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
					w.t.Fatalf("blocks of %s: %v", m.TS, err)
				}
			}
			n := 0
			for _, b := range blocks {
				if b.Type != "actions" {
					continue
				}
				n++
				var buttons []slackButton
				if err := json.Unmarshal(b.Elements, &buttons); err != nil {
					w.t.Fatalf("buttons of %s: %v", m.TS, err)
				}
				for _, el := range buttons {
					s.Buttons = append(s.Buttons, adaptertest.Button{Entry: n, Value: el.ActionID, Pressed: strings.HasPrefix(el.Text.Text, "✓ ")})
				}
			}
			out = append(out, s)
		}
	}
	return out
}

var unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// slackEmoji turns the shortcodes the bot reacts with into what members see.
var slackEmoji = map[string]string{"books": "📚"}

func (w *slackWorld) BotReactions(channel, msg string) []string {
	var out []string
	for _, c := range w.fake.Calls("reactions.add") {
		if c.Get("channel") == channel && c.Get("timestamp") == msg {
			name := c.Get("name")
			if e, ok := slackEmoji[name]; ok {
				name = e
			}
			out = append(out, name)
		}
	}
	return out
}

func (w *slackWorld) Leave() bool {
	w.deliver(w.fake.Uninstalled())
	return true
}

func (w *slackWorld) Restart() bool {
	w.restart()
	return true
}

func (w *slackWorld) MassMentions() []string {
	return []string{"<!channel>", "<!here>", "<!everyone>", "<!here|here>", "@here", "@channel"}
}

// LiveMention looks at the text and blocks as sent, escapes and all.
func (w *slackWorld) LiveMention(s adaptertest.Sent) string {
	for _, m := range w.fake.BotMessages(s.Channel) {
		if m.TS != s.ID {
			continue
		}
		if live := slackLive.FindString(m.Text); live != "" {
			return live
		}
		if len(m.Blocks) > 0 {
			return liveMention(w.t, string(m.Blocks))
		}
	}
	return ""
}
