package bot_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/repertoire/repertoire/bot"
)

func TestInert(t *testing.T) {
	for _, in := range []string{"@everyone look", "hey @here", "@Channel!", "<!channel>", "<!here|here>", "<!everyone>",
		"<!subteam^S123>", "mail me@here.com", "\xff@everyone"} {
		out := bot.Inert(in)
		low := strings.ToLower(out)
		for _, ping := range []string{"@everyone", "@here", "@channel", "<!channel", "<!here", "<!everyone", "<!subteam"} {
			if strings.Contains(low, ping) {
				t.Errorf("Inert(%q) = %q still holds %s", in, out, ping)
			}
		}
		if !utf8.ValidString(out) {
			t.Errorf("Inert(%q) is not valid UTF-8", in)
		}
	}
	if got := bot.Inert("plain @alice text"); got != "plain @alice text" {
		t.Errorf("ordinary text changed: %q", got)
	}
}

func TestSplit(t *testing.T) {
	parts := []string{strings.Repeat("a", 900), strings.Repeat("b", 900), strings.Repeat("c", 900), strings.Repeat("d", 4500)}
	msgs := bot.Split(parts, 2000)
	var total int
	for _, m := range msgs {
		if n := utf8.RuneCountInString(m); n > 2000 {
			t.Errorf("message of %d runes", n)
		}
		total += strings.Count(m, "a") + strings.Count(m, "b") + strings.Count(m, "c") + strings.Count(m, "d")
	}
	if total != 900*3+4500 {
		t.Errorf("lost text: %d", total)
	}
	if !strings.HasPrefix(msgs[0], "aaa") || !strings.HasSuffix(msgs[0], "bbb") || !strings.HasPrefix(msgs[1], "ccc") {
		t.Errorf("parts not kept whole: %d messages", len(msgs))
	}
}

func TestHashtags(t *testing.T) {
	got := bot.Hashtags("Fixed #TLS renewal (#ops, #tls) see <#C123|general> and issue#4 and #go.")
	if strings.Join(got, " ") != "tls ops go" {
		t.Errorf("Hashtags = %v", got)
	}
}
