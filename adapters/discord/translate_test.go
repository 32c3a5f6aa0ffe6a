package discord

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

const (
	tGuild   = "197038439483310086"
	tGeneral = "41771983423143937"
	tStaff   = "41771983423143938"
	tThread  = "41771983423143990"
	tSecret  = "41771983423143991"
	tBot     = "900000000000000002"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureState is the state after the documented GUILD_CREATE fixture.
func fixtureState(t *testing.T) *state {
	st := newState(0)
	var g struct {
		ID       string        `json:"id"`
		Channels []wireChannel `json:"channels"`
		Threads  []wireChannel `json:"threads"`
	}
	mustUnmarshal(t, fixture(t, "guild_create.json"), &g)
	for _, c := range g.Channels {
		st.putChannel(c, g.ID)
	}
	for _, c := range g.Threads {
		st.putChannel(c, g.ID)
	}
	return st
}

func TestGuildCreateVisibility(t *testing.T) {
	st := fixtureState(t)
	for _, tc := range []struct {
		id      string
		private bool
	}{
		{tGeneral, false},
		{tStaff, true},               // @everyone denied VIEW_CHANNEL
		{"41771983423143939", false}, // denied SEND_MESSAGES only: still public
		{tThread, false},             // public thread of a public channel
		{tSecret, true},              // private thread
	} {
		c, ok := st.channel(tc.id)
		if !ok || c.Private != tc.private {
			t.Errorf("channel %s: known %v private %v, want private %v", tc.id, ok, c.Private, tc.private)
		}
	}
	// A parent turning private takes its public threads with it.
	st.putChannel(wireChannel{ID: tGeneral, GuildID: tGuild, Type: chanGuildText, PermissionOverwrites: []struct {
		ID   string `json:"id"`
		Type int    `json:"type"`
		Deny string `json:"deny"`
	}{{ID: tGuild, Type: 0, Deny: "1024"}}}, "")
	if c, _ := st.channel(tThread); !c.Private {
		t.Error("thread of a channel made private is still public")
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTranslateMessages(t *testing.T) {
	general := bot.ChannelRef{Platform: "discord", Space: tGuild, ID: tGeneral}
	staff := bot.ChannelRef{Platform: "discord", Space: tGuild, ID: tStaff}
	thread := bot.ChannelRef{Platform: "discord", Space: tGuild, ID: tThread}
	dm := bot.ChannelRef{Platform: "discord", ID: "55555555555555555"}
	nelly := bot.User{ID: "80351110224678912", Name: "Nel"}
	reply := bot.Message{
		Ref:    bot.MessageRef{Channel: general, ID: "1100000000000000020", Thread: "1100000000000000010"},
		Author: nelly, Text: "Run certbot renew, then reload nginx #tls", Time: ts("2026-11-20T10:00:00Z"),
		Link: "https://discord.com/channels/" + tGuild + "/" + tGeneral + "/1100000000000000020", ChannelName: "general",
	}
	mention := bot.Message{
		Ref:    bot.MessageRef{Channel: staff, ID: "1100000000000000040"},
		Author: bot.User{ID: "80351110224678914", Name: "dave"}, Text: "<@900000000000000002> how do we rotate certificates?",
		Time: ts("2026-11-20T10:02:00Z"), Link: "https://discord.com/channels/" + tGuild + "/" + tStaff + "/1100000000000000040",
		ChannelName: "staff", Private: true, ToBot: true,
	}
	dmMsg := bot.Message{
		Ref: bot.MessageRef{Channel: dm, ID: "1100000000000000050"}, Author: bot.User{ID: "80351110224678914", Name: "dave"},
		Text: "forget me", Time: ts("2026-11-20T10:03:00Z"), Link: "https://discord.com/channels/@me/55555555555555555/1100000000000000050", Private: true,
	}
	inThread := bot.Message{
		Ref:    bot.MessageRef{Channel: thread, ID: "1100000000000000030", Thread: tThread},
		Author: bot.User{ID: "80351110224678912", Name: "nelly"}, Text: "in the thread", Time: ts("2026-11-20T10:01:00Z"),
		Link: "https://discord.com/channels/" + tGuild + "/" + tThread + "/1100000000000000030", ChannelName: "cert question",
	}
	for _, tc := range []struct {
		file string
		want []bot.Event
	}{
		{"message_create_reply.json", []bot.Event{bot.MessagePosted{ID: "d1", Message: reply}}},
		{"message_create_thread.json", []bot.Event{bot.MessagePosted{ID: "d1", Message: inThread}}},
		{"message_create_mention.json", []bot.Event{bot.MessagePosted{ID: "d1", Message: mention},
			bot.Mentioned{ID: "d1:mention", Message: mention, Text: "how do we rotate certificates?", Via: bot.ViaMention}}},
		{"message_create_dm.json", []bot.Event{bot.MessagePosted{ID: "d1", Message: dmMsg},
			bot.Mentioned{ID: "d1:mention", Message: dmMsg, Text: "forget me", Via: bot.ViaDM}}},
		{"message_create_system.json", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, _, err := translateCreate("d1", fixture(t, tc.file), tBot, fixtureState(t))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}

	t.Run("reply to a reply keeps the chain's root", func(t *testing.T) {
		st := fixtureState(t)
		st.putMessage(reply)
		raw := []byte(`{"id":"1100000000000000099","channel_id":"` + tGeneral + `","guild_id":"` + tGuild + `","type":19,
			"author":{"id":"1","username":"x"},"content":"+1","timestamp":"2026-11-20T10:09:00Z",
			"message_reference":{"message_id":"1100000000000000020"}}`)
		_, m, err := translateCreate("d2", raw, tBot, st)
		if err != nil || m.Ref.Thread != "1100000000000000010" {
			t.Fatalf("thread %q, err %v; want the chain's root", m.Ref.Thread, err)
		}
	})

	t.Run("edit", func(t *testing.T) {
		st := fixtureState(t)
		st.putMessage(reply)
		got, _, err := translateUpdate("d3", fixture(t, "message_update.json"), st)
		if err != nil || len(got) != 1 {
			t.Fatalf("got %v, %v", got, err)
		}
		e := got[0].(bot.MessageEdited)
		if e.Message.Text != "Run certbot renew --deploy-hook, then reload nginx" || e.Message.Ref != reply.Ref {
			t.Errorf("edit = %+v", e.Message)
		}
		if got, _, err := translateUpdate("d4", fixture(t, "message_update_partial.json"), st); err != nil || got != nil {
			t.Errorf("a partial update without content: %v, %v; want no event", got, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		got, err := translateDelete("d5", fixture(t, "message_delete.json"))
		want := []bot.Event{bot.MessageDeleted{ID: "d5", Ref: bot.MessageRef{Channel: general, ID: "1100000000000000020"}}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, %v", got, err)
		}
		got, err = translateDeleteBulk("d6", fixture(t, "message_delete_bulk.json"))
		want = []bot.Event{
			bot.MessageDeleted{ID: "d6:1100000000000000020", Ref: bot.MessageRef{Channel: general, ID: "1100000000000000020"}},
			bot.MessageDeleted{ID: "d6:1100000000000000030", Ref: bot.MessageRef{Channel: general, ID: "1100000000000000030"}},
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("bulk: got %v, %v", got, err)
		}
	})
}

func TestTranslateReactions(t *testing.T) {
	st := fixtureState(t)
	general := bot.ChannelRef{Platform: "discord", Space: tGuild, ID: tGeneral}
	secret := bot.ChannelRef{Platform: "discord", Space: tGuild, ID: tSecret}
	carol := bot.User{ID: "80351110224678916", Name: "Carol"}
	for _, tc := range []struct {
		file string
		add  bool
		want bot.Event
	}{
		{"reaction_add_unicode.json", true, bot.ReactionAdded{ID: "r", User: carol, Emoji: bot.Emoji{Unicode: "💡"},
			Target: bot.MessageRef{Channel: general, ID: "1100000000000000020"}}},
		{"reaction_add_custom.json", true, bot.ReactionAdded{ID: "r", User: bot.User{ID: carol.ID, Name: "carol"}, Emoji: bot.Emoji{Shortcode: "bulb"},
			Target: bot.MessageRef{Channel: secret, ID: "1100000000000000070", Thread: tSecret}, Private: true}},
		{"reaction_remove.json", false, bot.ReactionRemoved{ID: "r", User: bot.User{ID: carol.ID}, Emoji: bot.Emoji{Unicode: "💡"},
			Target: bot.MessageRef{Channel: general, ID: "1100000000000000020"}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := translateReaction("r", fixture(t, tc.file), tc.add, st)
			if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
				t.Errorf("got %#v, %v\nwant %#v", got, err, tc.want)
			}
		})
	}
}

func TestTranslateInteractions(t *testing.T) {
	st := fixtureState(t)
	for _, tc := range []struct {
		file, text string
		target     *bot.MessageRef
		thread     string
	}{
		{"interaction_ask.json", "ask how do we rotate certificates?", nil, ""},
		{"interaction_digest.json", "digest off", nil, tThread},
		{"interaction_context_save.json", "save", &bot.MessageRef{Channel: bot.ChannelRef{Platform: "discord", Space: tGuild, ID: tGeneral},
			ID: "1100000000000000020", Thread: "1100000000000000010"}, ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m, w, target, err := translateInteraction(fixture(t, tc.file), st)
			if err != nil || w == nil {
				t.Fatal(err)
			}
			if m.Text != tc.text || m.Via != bot.ViaCommand || m.Interaction != w.ID || m.Message.Ref.Thread != tc.thread {
				t.Errorf("got %+v", m)
			}
			if !reflect.DeepEqual(m.Target, tc.target) {
				t.Errorf("target %+v, want %+v", m.Target, tc.target)
			}
			if tc.target != nil && (target == nil || target.Text != "Run certbot renew") {
				t.Errorf("resolved target for the cache: %+v", target)
			}
		})
	}
}

// Malformed payloads are errors (logged and skipped), never panics.
func TestTranslateMalformed(t *testing.T) {
	st := fixtureState(t)
	for _, raw := range []string{``, `null`, `"x"`, `[]`, `{}`, `{"id":1}`, `{"id":"1","channel_id":"2"}`,
		`{"id":"1","channel_id":"2","author":null,"content":7}`, `{"emoji":{"name":null}}`, "\xff\xfe"} {
		b := []byte(raw)
		translateCreate("d", b, tBot, st)
		translateUpdate("d", b, st)
		translateDelete("d", b)
		translateDeleteBulk("d", b)
		translateReaction("d", b, true, st)
		translateInteraction(b, st)
	}
	if _, _, err := translateCreate("d", []byte(`{"id":"1"}`), tBot, st); err == nil {
		t.Error("a message without channel or author was accepted")
	}
	if _, _, _, err := translateInteraction([]byte(`{"id":"1","token":"t","channel_id":"2","type":2,"data":{"name":"rm-rf"}}`), st); err == nil {
		t.Error("an unknown command was accepted")
	}
}

func TestInviteURL(t *testing.T) {
	got := InviteURL("900000000000000001")
	want := "https://discord.com/oauth2/authorize?client_id=900000000000000001&permissions=274877975616&scope=bot+applications.commands"
	if got != want {
		t.Errorf("InviteURL = %s\nwant      %s", got, want)
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestMessageCacheEvictsOldest(t *testing.T) {
	st := newState(2)
	put := func(id string) { st.putMessage(bot.Message{Ref: bot.MessageRef{ID: id}}) }
	put("1")
	put("2")
	st.dropMessage("1")
	put("1") // re-added: now the newest
	put("3") // evicts "2", not the re-added "1"
	for id, want := range map[string]bool{"1": true, "2": false, "3": true} {
		if _, ok := st.message(id); ok != want {
			t.Errorf("message %s cached %v, want %v", id, ok, want)
		}
	}
}
