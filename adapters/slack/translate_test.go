package slack

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// TestTranslateCallback reads payloads shaped like Slack's documented
// examples (testdata/) and checks the core events they become.
func TestTranslateCallback(t *testing.T) {
	ch := func(id string) bot.ChannelRef { return bot.ChannelRef{Platform: "slack", Space: "T123ABC456", ID: id} }
	mention := bot.Message{Ref: bot.MessageRef{Channel: ch("C123ABC456"), ID: "1515449522.000016"},
		Author: bot.User{ID: "U123ABC456"}, Text: "What is the hour of the pearl, <@UBOT>?", Time: time.Unix(1515449522, 16000).UTC(), ToBot: true}
	dm := bot.Message{Ref: bot.MessageRef{Channel: ch("D024BE91L"), ID: "1355517523.000005"}, Author: bot.User{ID: "U2147483697"},
		Text: "<@UBOT> how do we deploy?", Time: time.Unix(1355517523, 5000).UTC(), Private: true, ToBot: true}
	for _, tc := range []struct {
		file    string
		want    []bot.Event
		known   bool
		private bool
		skip    bool
	}{
		{file: "message_thread_reply.json", known: true, want: []bot.Event{bot.MessagePosted{ID: "slack:Ev08MFMKH6", Message: bot.Message{
			Ref:    bot.MessageRef{Channel: ch("C123ABC456"), ID: "1355517523.000005", Thread: "1355517500.000001"},
			Author: bot.User{ID: "U123ABC456"}, Text: "Live long and prospect.", Time: time.Unix(1355517523, 5000).UTC()}}}},
		{file: "message_im.json", known: true, private: true, want: []bot.Event{bot.MessagePosted{ID: "slack:Ev0IM", Message: dm},
			bot.Mentioned{ID: "slack:Ev0IM:dm", Message: dm, Text: "how do we deploy?", Via: bot.ViaDM}}},
		{file: "message_changed.json", known: true, private: true, want: []bot.Event{bot.MessageEdited{ID: "slack:Ev0CHG", Message: bot.Message{
			Ref: bot.MessageRef{Channel: ch("G123ABC456"), ID: "1355517523.000005"}, Author: bot.User{ID: "U123ABC456"},
			Text: "Hello, world!", Time: time.Unix(1355517523, 5000).UTC(), Private: true}}}},
		{file: "message_deleted.json", known: true, want: []bot.Event{bot.MessageDeleted{ID: "slack:Ev0DEL",
			Ref: bot.MessageRef{Channel: ch("C123ABC456"), ID: "1358878749.000002", Thread: "1358878700.000001"}}}},
		{file: "message_tombstone.json", known: true, want: []bot.Event{bot.MessageDeleted{ID: "slack:Ev0TMB",
			Ref: bot.MessageRef{Channel: ch("C123ABC456"), ID: "1358878700.000001"}}}},
		{file: "reaction_added.json", want: []bot.Event{bot.ReactionAdded{ID: "slack:Ev0RA",
			Target: bot.MessageRef{Channel: ch("C123ABC456"), ID: "1360782400.498405"}, User: bot.User{ID: "U123ABC456"},
			Emoji: bot.Emoji{Shortcode: "thumbsup"}}}},
		{file: "reaction_removed_file.json", skip: true},
		{file: "app_mention.json", want: []bot.Event{bot.MessagePosted{ID: "slack:Ev0LAN670R:msg", Message: mention},
			bot.Mentioned{ID: "slack:Ev0LAN670R", Message: mention, Text: "What is the hour of the pearl, ?", Via: bot.ViaMention}}},
		{file: "app_uninstalled.json", known: true, want: []bot.Event{bot.SpaceRemoved{ID: "slack:Ev0UNI", Platform: "slack", Space: "T123ABC456"}}},
		{file: "tokens_revoked.json", known: true, want: []bot.Event{bot.SpaceRemoved{ID: "slack:Ev0TOK", Platform: "slack", Space: "T123ABC456"}}},
		{file: "channel_join.json", skip: true},
		{file: "url_verification.json", skip: true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			_, got, err := translateCallback(raw, "UBOT")
			if tc.skip {
				if !errors.Is(err, errSkip) {
					t.Fatalf("want skip, got %v %+v", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Events, tc.want) {
				t.Fatalf("events:\n got %#v\nwant %#v", got.Events, tc.want)
			}
			if got.PrivacyKnown != tc.known || got.Private != tc.private {
				t.Fatalf("privacy known=%v private=%v", got.PrivacyKnown, got.Private)
			}
		})
	}
}

func TestTranslateMalformed(t *testing.T) {
	for _, raw := range []string{``, `{`, `[]`, `{"type":"event_callback","event":"x"}`,
		`{"type":"event_callback","event":{"type":"message","subtype":"message_changed"}}`,
		`{"type":"event_callback","event":{"type":"message"}}`,
		`{"type":"event_callback","event":{"type":"app_mention","text":"hi"}}`} {
		if _, _, err := translateCallback([]byte(raw), "UBOT"); err == nil || errors.Is(err, errSkip) {
			t.Errorf("%q: want a decode error, got %v", raw, err)
		}
	}
}

func TestTranslateCommand(t *testing.T) {
	m, err := translateCommand(slashCommand{TeamID: "T1", ChannelID: "G1", ChannelName: "privategroup", UserID: "U1", UserName: "ann",
		Command: "/repertoire", Text: "", ResponseURL: "https://hooks.slack.com/commands/1234/5678", TriggerID: "13345224609.738474920.8088930838d88f008e0"})
	if err != nil || m.Text != "help" || m.Via != bot.ViaCommand || !m.Message.Private || m.Interaction != "https://hooks.slack.com/commands/1234/5678" ||
		m.ID != "slack:cmd:13345224609.738474920.8088930838d88f008e0" {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := translateCommand(slashCommand{Text: "ask x"}); err == nil {
		t.Fatal("command without ids accepted")
	}
}

func TestNormalizeAndStrip(t *testing.T) {
	for in, want := range map[string]string{"bulb": "bulb", ":bulb:": "bulb", "+1::skin-tone-6": "+1", "raised_hands::skin-tone-2": "raised_hands"} {
		if got := normalizeReaction(in); got != want {
			t.Errorf("normalizeReaction(%q) = %q", in, got)
		}
	}
	if got := stripMention("<@UBOT|repertoire>  ask   <@U2> about TLS", "UBOT"); got != "ask <@U2> about TLS" {
		t.Errorf("stripMention: %q", got)
	}
}
