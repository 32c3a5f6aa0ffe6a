package shell_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/bot/doctest"
)

// shellLive is a crowd ping of any platform (the shell has no user
// mentions; its output is pasted into chats).
var shellLive = regexp.MustCompile(`(?i)@(everyone|here|channel)\b|<!`)

// TestRenderGolden: the recall answer, the digest and the suggestion as the
// shell prints them, from one neutral message each.
func TestRenderGolden(t *testing.T) {
	for name, d := range map[string]bot.Doc{"recall": doctest.Recall(), "digest": doctest.Digest(), "suggestion": doctest.Suggestion()} {
		t.Run(name, func(t *testing.T) {
			got := shell.Render(d) + "\n"
			doctest.Golden(t, "render_"+name+".golden", got)
			if live := shellLive.FindString(got); live != "" {
				t.Errorf("live mention %q in\n%s", live, got)
			}
		})
	}
	if got := shell.Render(doctest.Recall()); !strings.Contains(got, "\n2. Why does the cert expire") || !strings.Contains(got, "→ /helped 2 · /notit 2") {
		t.Errorf("entries are numbered with their commands:\n%s", got)
	}
}

// FuzzRenderNeverPings: the shell's plain text pings nobody either.
func FuzzRenderNeverPings(f *testing.F) {
	for i, m := range doctest.Mentions {
		f.Add("before "+m+" after", uint8(i), uint16(3), uint16(12), uint16(14), uint16(40))
	}
	f.Fuzz(func(t *testing.T, text string, m uint8, a, b, c, d uint16) {
		s := text + doctest.Mentions[int(m)%len(doctest.Mentions)] + text
		if live := shellLive.FindString(shell.Render(doctest.Fuzzed(s, [][2]int{{int(a), int(b)}, {int(c), int(d)}}))); live != "" {
			t.Fatalf("live mention %q from %q", live, s)
		}
	})
}
