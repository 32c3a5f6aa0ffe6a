package slackexport_test

import (
	"context"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slackexport"
	"github.com/repertoire/repertoire/adapters/slackexport/slackexporttest"
	"github.com/repertoire/repertoire/bot"
)

type msg = map[string]any

func TestReadTranslates(t *testing.T) {
	j := func(v any) string { return slackexporttest.JSON(t, v) }
	zip := slackexporttest.Write(t, t.TempDir(), "x.zip", map[string]string{
		"users.json": j([]msg{{"id": "U1", "team_id": "T9", "name": "alice", "profile": msg{"display_name": "Alice A"}},
			{"id": "UB", "name": "repertoire", "is_bot": true}}),
		"channels.json": j([]msg{{"id": "C2", "name": "zeta"}, {"id": "C1", "name": "alpha"}}),
		"mpims.json":    j([]msg{{"id": "G5", "name": "mpdm-alice--bob-1"}}),
		"zeta/2024-01-02.json": j([]msg{
			{"type": "message", "user": "U1", "ts": "1704153600.000100", "thread_ts": "1704153600.000100", "text": "root"},
			{"type": "message", "user": "U7", "ts": "1704153601.000200", "thread_ts": "1704153600.000100", "text": "reply",
				"user_profile": msg{"real_name": "Ghost G"},
				"reactions":    []msg{{"name": "bulb::skin-tone-2", "users": []string{"U1", "U8"}, "count": 2}}},
			{"type": "message", "subtype": "bot_message", "bot_id": "B1", "username": "ci", "ts": "1704153602.000300", "text": "green"},
			{"type": "message", "subtype": "brand_new", "ts": "1704153603.000400"},
			{"type": "message", "user": "U1", "text": "no ts"},
		}),
		"zeta/2024-01-01.json":              "[]",
		"alpha/2024-01-05.json":             "[]",
		"mpdm-alice--bob-1/2024-01-01.json": "[]",
		"unlisted/2024-01-01.json":          "[]",
	})
	a, err := slackexport.Open(context.Background(), zip, slackexport.Options{URL: "https://x.slack.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var keys []string
	for _, u := range a.Units() {
		keys = append(keys, u.Key)
	}
	want := []string{"alpha/2024-01-05.json", "zeta/2024-01-01.json", "zeta/2024-01-02.json", "mpdm-alice--bob-1/2024-01-01.json"}
	if len(keys) != len(want) {
		t.Fatalf("units %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("units %v, want %v", keys, want)
		}
	}
	if u := a.Units()[3]; !u.Private || u.Channel.ID != "G5" || u.Channel.Space != "T9" {
		t.Errorf("group DM unit: %+v", u)
	}
	if got := a.Addresses("Repertoire"); len(got) != 1 || got[0] != "<@UB>" {
		t.Errorf("addresses %v", got)
	}
	var got []bot.HistoryMessage
	if err := a.Read(context.Background(), a.Units()[2], func(m bot.HistoryMessage) error { got = append(got, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d messages", len(got))
	}
	root, reply, botMsg := got[0], got[1], got[2]
	if root.Ref.Thread != "" || root.Author.Name != "Alice A" || root.Line != 2 || !root.Time.Equal(time.Unix(1704153600, 100000)) {
		t.Errorf("root: %+v", root)
	}
	if reply.Ref.Thread != "1704153600.000100" || reply.Author.Name != "Ghost G" || reply.Line != 9 ||
		reply.Link != "https://x.slack.com/archives/C2/p1704153601000200?thread_ts=1704153600.000100&cid=C2" {
		t.Errorf("reply: %+v", reply)
	}
	if len(reply.Reactions) != 2 || reply.Reactions[0].User.Name != "Alice A" || reply.Reactions[1].User.Name != "" ||
		reply.Reactions[0].Emoji.Shortcode != "bulb::skin-tone-2" {
		t.Errorf("reactions: %+v", reply.Reactions)
	}
	if !botMsg.Author.Bot || botMsg.Author.Name != "ci" {
		t.Errorf("bot post: %+v", botMsg)
	}
	if got[3].Skip != `unknown message subtype "brand_new"` || got[4].Skip != "message without a valid ts" {
		t.Errorf("skips: %q %q", got[3].Skip, got[4].Skip)
	}
}
