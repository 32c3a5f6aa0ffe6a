package slack_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/repertoire/repertoire/adapters/slack"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/bot/doctest"
)

// rendered is what Slack receives for a document: each message's blocks
// and fallback text, as JSON (HTML characters left as they are).
func rendered(t testing.TB, d bot.Doc) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(slack.Render(d)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestRenderGolden: the recall answer, the digest and the suggestion in
// Block Kit, from one neutral message each.
func TestRenderGolden(t *testing.T) {
	for name, d := range map[string]bot.Doc{"recall": doctest.Recall(), "digest": doctest.Digest(), "suggestion": doctest.Suggestion()} {
		t.Run(name, func(t *testing.T) {
			got := rendered(t, d)
			doctest.Golden(t, "render_"+name+".golden", got)
			if live := liveMention(t, got); live != "" {
				t.Errorf("live mention %q in\n%s", live, got)
			}
		})
	}
}

// slackLive is what notifies on Slack: special and user mentions, and the
// plain forms link_names would turn into them.
var slackLive = regexp.MustCompile(`(?i)<[!@]|@(everyone|here|channel)\b`)

// liveMention is the first live mention in any text of the rendered JSON
// (decoded: slack-go writes < as \u003c).
func liveMention(t testing.TB, js string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any) string
	walk = func(v any) string {
		switch v := v.(type) {
		case string:
			return slackLive.FindString(v)
		case []any:
			for _, e := range v {
				if m := walk(e); m != "" {
					return m
				}
			}
		case map[string]any:
			for _, e := range v {
				if m := walk(e); m != "" {
					return m
				}
			}
		}
		return ""
	}
	return walk(v)
}

// FuzzRenderNeverPings: whatever members saved, with every Slack mention
// form and any highlight spans, the rendered message pings nobody.
func FuzzRenderNeverPings(f *testing.F) {
	for i, m := range doctest.Mentions {
		f.Add("before "+m+" after *b* _i_ <x|y> &amp;", uint8(i), uint16(3), uint16(12), uint16(14), uint16(40))
	}
	f.Add("<!chan", uint8(0), uint16(0), uint16(2), uint16(2), uint16(4))
	f.Fuzz(func(t *testing.T, text string, m uint8, a, b, c, d uint16) {
		mention := doctest.Mentions[int(m)%len(doctest.Mentions)]
		s := text + mention + text
		got := rendered(t, doctest.Fuzzed(s, [][2]int{{int(a), int(b)}, {int(c), int(d)}}))
		if live := liveMention(t, got); live != "" {
			t.Fatalf("live mention %q from %q:\n%s", live, s, got)
		}
	})
}

// splitMrkdwn keeps every piece within the limit and valid, cuts no entity,
// link or character in two, and loses no word.
func TestSplitMrkdwn(t *testing.T) {
	link := "<https://example.com/a?b=1&amp;c=2|source>"
	for _, text := range []string{
		strings.Repeat("a&amp;b ", 900),
		"&gt; " + strings.Repeat("quoted &lt;x&gt; ", 400) + "\nnext line",
		strings.Repeat("é&amp;🇫🇷", 700),
		strings.Repeat(link+" ", 150),
		strings.Repeat("word\n", 1000),
		strings.Repeat(link, 150),
	} {
		pieces := slack.SplitMrkdwn(text, 300)
		var words []string
		for _, p := range pieces {
			if n := utf8.RuneCountInString(p); n > 300 {
				t.Errorf("a piece of %d characters", n)
			}
			if !utf8.ValidString(p) {
				t.Errorf("invalid UTF-8 in %q", p)
			}
			for _, e := range regexp.MustCompile(`&[a-z]*;?`).FindAllString(p, -1) {
				if e != "&amp;" && e != "&lt;" && e != "&gt;" {
					t.Fatalf("broken entity %q in %q", e, p)
				}
			}
			if strings.Count(p, "<") != strings.Count(p, ">") {
				t.Fatalf("a link cut in two: %q", p)
			}
			words = append(words, unquoted(p)...)
		}
		want := unquoted(text)
		if got := strings.Join(words, ""); got != strings.Join(want, "") {
			t.Errorf("text changed by the split (%d pieces): %.60q", len(pieces), text)
		}
	}
}

// unquoted is the words of mrkdwn text without each line's quote mark.
func unquoted(text string) []string {
	var words []string
	for _, line := range strings.Split(text, "\n") {
		words = append(words, strings.Fields(strings.TrimPrefix(line, "&gt; "))...)
	}
	return words
}
