package bot_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// hit is a question-less hit whose snippet is snippet, with the words in
// marks highlighted (byte spans, as the store gives them).
func hit(question, answer, snippet string, marks ...string) repertoire.Hit {
	h := repertoire.Hit{Entry: repertoire.Entry{Question: question, Answer: answer, Kind: repertoire.Tip,
		Author: repertoire.Person{Name: "bob"}, Permalink: "https://chat.example/p/1"}, Snippet: snippet}
	for _, m := range marks {
		i := strings.Index(snippet, m)
		h.Highlights = append(h.Highlights, repertoire.Span{Start: i, End: i + len(m)})
	}
	return h
}

// body is an entry's snippet with its matches in [brackets].
func body(e bot.DocEntry) string {
	var sb strings.Builder
	for _, s := range e.Body {
		if s.Kind == bot.Match {
			sb.WriteString("[" + s.Text + "]")
		} else {
			sb.WriteString(s.Text)
		}
	}
	return sb.String()
}

func TestHitEntryShowsAnAnswerTitleOnce(t *testing.T) {
	long := "Tip: when the build cache is corrupted, run go clean -cache and then go build again; if that does not help, delete GOCACHE"
	for _, c := range []struct {
		name        string
		h           repertoire.Hit
		title, body string
	}{
		{"a one-line tip is its title alone",
			hit("", "restart the VPN with systemctl", "restart the VPN with systemctl", "VPN"),
			"restart the VPN with systemctl", ""},
		{"the next lines follow the first",
			hit("", "  restart the VPN\n\nwith systemctl   restart openvpn", "restart the VPN\n\nwith systemctl   restart openvpn", "VPN", "openvpn"),
			"restart the VPN", "with systemctl restart [openvpn]"},
		{"a title cut mid-word is taken up from that word",
			hit("", long, long+"…", "GOCACHE"),
			"Tip: when the build cache is corrupted, run go clean -cache and then go build again; if that does n…",
			"…not help, delete [GOCACHE]…"},
		{"a snippet past the title is kept",
			hit("", long, "…not help, delete GOCACHE", "GOCACHE"),
			"Tip: when the build cache is corrupted, run go clean -cache and then go build again; if that does n…",
			"…not help, delete [GOCACHE]"},
		{"a snippet overlapping the title loses the overlap",
			hit("", long, "…go build again; if that does not help, delete GOCACHE", "build", "GOCACHE"),
			"Tip: when the build cache is corrupted, run go clean -cache and then go build again; if that does n…",
			"…not help, delete [GOCACHE]"},
		{"a question is the title, the answer is quoted",
			hit("how do I restart the VPN?", "restart the VPN with systemctl", "restart the VPN with systemctl", "VPN"),
			"how do I restart the VPN?", "restart the [VPN] with systemctl"},
		{"a snippet that is not the answer's is left as it is",
			hit("", "restart the VPN", "something else", "else"),
			"restart the VPN", "something [else]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := bot.HitEntry(1, c.h)
			if e.Title != c.title || body(e) != c.body {
				t.Errorf("title %q\nbody  %q\nwant  %q\n      %q", e.Title, body(e), c.title, c.body)
			}
			if e.Link != c.h.Permalink || !strings.Contains(bot.SpanText(e.Meta), "tip by bob") {
				t.Errorf("link %q, meta %q", e.Link, bot.SpanText(e.Meta))
			}
		})
	}
}
