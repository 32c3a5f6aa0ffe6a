package discordexport_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/repertoire/repertoire/adapters/discordexport"
	"github.com/repertoire/repertoire/bot"
)

const export = `{
  "guild": {"id": "G1", "name": "Gophers", "iconUrl": ""},
  "channel": {"id": "C1", "type": "GuildPrivateThread", "categoryId": "K1", "category": "help", "name": "leak", "topic": null},
  "dateRange": {"after": null, "before": null},
  "exportedAt": "2024-02-01T00:00:00+00:00",
  "messages": [
    {
      "id": "1", "type": "Default", "timestamp": "2024-01-05T10:00:00+01:00", "content": "q",
      "author": {"id": "A1", "name": "ana", "discriminator": "0000", "nickname": "Ana N", "isBot": false},
      "reactions": [
        {"emoji": {"id": "99", "name": "saveit", "code": "saveit", "isAnimated": false}, "count": 1,
         "users": [{"id": "A2", "name": "ben", "nickname": null, "isBot": false}]},
        {"emoji": {"id": "", "name": "✅", "code": "white_check_mark"}, "count": 2}
      ]
    },
    {
      "id": "2", "type": "Reply", "timestamp": "2024-01-05T10:01:00+00:00", "content": "a",
      "author": {"id": "B1", "name": "bot", "isBot": true},
      "reference": {"messageId": "1", "channelId": "C1", "guildId": "G1"}
    }
  ],
  "messageCount": 2
}`

func TestReadTranslates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "e.json")
	if err := os.WriteFile(p, []byte(export), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := discordexport.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	u := e.Units()[0]
	if !u.Private || u.Channel != (bot.ChannelRef{Platform: "discord", Space: "G1", ID: "C1"}) || u.ChannelName != "leak" {
		t.Errorf("unit %+v", u)
	}
	var got []bot.HistoryMessage
	if err := e.Read(context.Background(), u, func(m bot.HistoryMessage) error { got = append(got, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d messages", len(got))
	}
	q, a := got[0], got[1]
	if q.Author.Name != "Ana N" || q.Time.Hour() != 9 || q.Line != 7 || q.Link != "https://discord.com/channels/G1/C1/1" {
		t.Errorf("question: %+v", q)
	}
	// A custom emoji is known by name; a reaction counted without users
	// gives reactors nobody can credit.
	if len(q.Reactions) != 3 || q.Reactions[0].Emoji != (bot.Emoji{Shortcode: "saveit"}) || q.Reactions[0].User.Name != "ben" ||
		q.Reactions[1].Emoji != (bot.Emoji{Unicode: "✅", Shortcode: "white_check_mark"}) || q.Reactions[1].User.ID != "" {
		t.Errorf("reactions %+v", q.Reactions)
	}
	if a.Ref.Thread != "1" || !a.Author.Bot {
		t.Errorf("reply %+v", a)
	}
}
