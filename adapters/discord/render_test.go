package discord_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/bot/doctest"
)

// rendered shows what Discord receives: each message's content, then the
// components as JSON.
func rendered(t testing.TB, d bot.Doc) (string, discord.Rendered) {
	t.Helper()
	r := discord.Render(d)
	var sb strings.Builder
	for i, text := range r.Texts {
		if i > 0 {
			sb.WriteString("\n=== next message ===\n")
		}
		sb.WriteString(text + "\n")
	}
	if len(r.Components) > 0 {
		js, err := json.MarshalIndent(r.Components, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString("=== components ===\n" + string(js) + "\n")
	}
	return sb.String(), r
}

// discordLive is what notifies on Discord: @everyone, @here, and user,
// member and role mentions.
var discordLive = regexp.MustCompile(`@(everyone|here)|<@[!&]?\d+>`)

// TestRenderGolden: the recall answer, the digest and the suggestion in
// Discord markdown and components, from one neutral message each.
func TestRenderGolden(t *testing.T) {
	for name, d := range map[string]bot.Doc{"recall": doctest.Recall(), "digest": doctest.Digest(), "suggestion": doctest.Suggestion()} {
		t.Run(name, func(t *testing.T) {
			got, _ := rendered(t, d)
			doctest.Golden(t, "render_"+name+".golden", got)
			if live := discordLive.FindString(got); live != "" {
				t.Errorf("live mention %q in\n%s", live, got)
			}
		})
	}
	got, r := rendered(t, doctest.Recall())
	if !strings.Contains(got, "**1. How do I rotate the TLS certificate?**") || !strings.Contains(got, "**certbot**") {
		t.Errorf("bold is ** on Discord:\n%s", got)
	}
	if len(r.Components) != 3 || r.Components[1].Components[0].CustomID != "helped:8" {
		t.Errorf("want one row of buttons per entry, the second entry's first helped:8: %+v", r.Components)
	}
}

// FuzzRenderNeverPings: whatever members saved, with every Discord mention
// form and any highlight spans, the rendered message pings nobody.
func FuzzRenderNeverPings(f *testing.F) {
	for i, m := range doctest.Mentions {
		f.Add("before "+m+" after **b** _i_ \\<@1> `c`", uint8(i), uint16(3), uint16(12), uint16(14), uint16(40))
	}
	f.Add("<@", uint8(11), uint16(0), uint16(2), uint16(2), uint16(4))
	f.Fuzz(func(t *testing.T, text string, m uint8, a, b, c, d uint16) {
		mention := doctest.Mentions[int(m)%len(doctest.Mentions)]
		s := text + mention + text
		got, r := rendered(t, doctest.Fuzzed(s, [][2]int{{int(a), int(b)}, {int(c), int(d)}}))
		if live := discordLive.FindString(got); live != "" {
			t.Fatalf("live mention %q from %q:\n%s", live, s, got)
		}
		for _, text := range r.Texts {
			if n := len([]rune(text)); n > discord.MessageLimit {
				t.Fatalf("message of %d characters", n)
			}
		}
	})
}
