package bot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// line is a message of an unthreaded channel for table tests.
type line struct {
	who, text string
	min       int // minutes after the first
}

func channel(lines ...line) []bot.Message {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var out []bot.Message
	for i, l := range lines {
		out = append(out, bot.Message{
			Ref:    bot.MessageRef{Channel: bot.ChannelRef{Platform: "test", ID: "dev"}, ID: fmt.Sprint(i)},
			Author: bot.User{ID: "U-" + l.who, Name: l.who}, Text: l.text, Time: start.Add(time.Duration(l.min) * time.Minute),
		})
	}
	return out
}

func TestReplyLinks(t *testing.T) {
	tests := []struct {
		name  string
		lines []line
		want  []int
	}{
		{"addressing by name links to the addressee's latest message", []line{
			{"ann", "how do I reset my password?", 0},
			{"bob", "anyone seen the build break?", 1},
			{"cat", "ann: use the reset link on the login page", 2},
		}, []int{0, 1, 0}},
		{"@name and <@ID> address too", []line{
			{"ann", "where are the deploy docs?", 0},
			{"bob", "lunch?", 1},
			{"cat", "<@U-ann> in the wiki", 2},
			{"dan", "@bob sure", 3},
		}, []int{0, 1, 0, 1}},
		{"a quote links to the quoted message", []line{
			{"ann", "the staging database is read only since monday", 0},
			{"bob", "what time is standup?", 1},
			{"cat", "> staging database is read only\nthat's the migration lock", 2},
		}, []int{0, 1, 0}},
		{"the asker answers whoever addressed them", []line{
			{"ann", "why is CI red?", 0},
			{"bob", "where is the coffee?", 1},
			{"cat", "ann: flaky test, rerun it", 2},
			{"dan", "bob: kitchen", 3},
			{"ann", "that worked, thanks", 4},
		}, []int{0, 1, 0, 1, 2}},
		{"a thought over several lines stays together; a question or greeting opens", []line{
			{"ann", "hi all", 0},
			{"ann", "is there a way to pin a go version in CI?", 0},
			{"bob", "hello everyone", 30},
			{"bob", "the go directive in go.mod", 31},
		}, []int{0, 0, 2, 2}},
		{"anything else follows the message before it", []line{
			{"ann", "does the VPN need a token?", 0},
			{"bob", "it does, from the portal", 1},
		}, []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bot.ReplyLinks(channel(tt.lines...))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("links %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReplyLinksFollowThreadsAndExplicitReplies(t *testing.T) {
	msgs := channel(
		line{"ann", "how do we tag releases?", 0},
		line{"bob", "unrelated chatter", 1},
		line{"cat", "with git tag -s", 2},
		line{"dan", "cat: and push the tag", 3},
		line{"eve", "agreed", 4},
	)
	msgs[2].Ref.Thread = "0"
	msgs[3].Ref.Thread = "0"
	msgs[4].ReplyTo = "1"
	got := bot.ReplyLinks(msgs)
	if fmt.Sprint(got) != fmt.Sprint([]int{0, 0, 0, 2, 1}) {
		t.Errorf("links %v", got)
	}
	convs := bot.Conversations(msgs, got)
	if len(convs) != 1 || len(convs[0]) != 5 {
		t.Errorf("conversations %d", len(convs))
	}
}

func TestIsQuestion(t *testing.T) {
	for text, want := range map[string]bool{
		"How do I rotate the cert":                    true,
		"hey all, anyone know why npm hangs":          true,
		"getting an error when I run make":            true,
		"is it me or is staging slow?":                true,
		"see https://example.com/?q=1":                false,
		"the fix is in `a ? b : c`":                   false,
		"I deployed the new version":                  false,
		"":                                            false,
		"what":                                        false,
		"my build doesn't work after the upgrade":     true,
		"Good morning team. Which branch is current?": true,
	} {
		if got := bot.IsQuestion(text); got != want {
			t.Errorf("IsQuestion(%q) = %v", text, got)
		}
	}
}
