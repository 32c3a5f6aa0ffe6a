// Package doctest holds the neutral messages every adapter's rendering is
// checked against (golden files): one recall answer, one digest and one
// suggestion, composed by the core's own functions from fixed data whose
// text carries markup characters and every platform's mention forms.
package doctest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// Recall is a recall answer with three entries, the second and third with
// highlighted matches, one snippet holding pings and markup.
func Recall() bot.Doc {
	snippet := "Run certbot renew, then reload nginx. @everyone <!channel> <@U123> <@&42> *not bold* _x_ `y` [z](http://e.x)"
	hits := []repertoire.Hit{
		{Entry: repertoire.Entry{ID: 7, Kind: repertoire.Tip, Question: "How do I rotate the TLS certificate?",
			Author: repertoire.Person{ID: "U1", Name: "bob"}, Votes: 3, Permalink: "https://chat.example/ops/7"},
			Snippet: snippet, Highlights: spans(snippet, "certbot", "nginx")},
		{Entry: repertoire.Entry{ID: 8, Kind: repertoire.Solution, Question: "Why does the cert expire on Sundays? #tls",
			Author: repertoire.Person{ID: "U2", Name: "carol"}, Permalink: "https://chat.example/ops/8"},
			Snippet: "The renewal cron only runs on weekdays: move it to daily.", Highlights: spans("The renewal cron only runs on weekdays: move it to daily.", "renewal")},
		{Entry: repertoire.Entry{ID: 9, Kind: repertoire.Story, Question: "The night the proxy lost its cert",
			Author: repertoire.Person{ID: "U3"}, Votes: 1},
			Snippet: "We rotated by hand at 3am & learnt <why>."},
	}
	return bot.RecallDoc("Here is what the repertoire has on “how do I rotate the cert? @here”:", hits)
}

// spans finds words in text, in order.
func spans(text string, words ...string) []repertoire.Span {
	var out []repertoire.Span
	at := 0
	for _, w := range words {
		if i := strings.Index(text[at:], w); i >= 0 {
			out = append(out, repertoire.Span{Start: at + i, End: at + i + len(w)})
			at += i + len(w)
		}
	}
	return out
}

// Digest is a week's digest with sections, contributors, an open question
// and an entry to rediscover.
func Digest() bot.Doc {
	person := func(n string) repertoire.Person { return repertoire.Person{ID: "U-" + n, Name: n} }
	start := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	at := func(d int) time.Time { return start.Add(time.Duration(d) * 24 * time.Hour) }
	data := repertoire.DigestData{
		Channel: repertoire.Channel{Platform: "test", Space: "s", ID: "ops", Name: "ops"},
		Start:   start, End: at(7),
		Entries: []repertoire.Entry{
			{ID: 11, Kind: repertoire.Tip, Question: "How do I rotate the TLS certificate?", Answer: "Run certbot renew, then reload nginx.\nNo restart needed.",
				Author: person("bob"), Savers: []repertoire.Person{person("carol")}, Votes: 3, Tags: []string{"tls"},
				Permalink: "https://chat.example/ops/11", CreatedAt: at(1)},
			{ID: 13, Kind: repertoire.Tip, Answer: "Use *kubectl rollout undo* to roll back\nIt keeps ten revisions. @everyone should know <!channel> <@U9>",
				Author: person("bob"), Savers: []repertoire.Person{person("ann")}, Votes: 1, Helpful: 2, Tags: []string{"k8s"},
				Permalink: "https://chat.example/ops/13", CreatedAt: at(3)},
			{ID: 12, Kind: repertoire.Solution, Question: "Why does go test hang in CI?", Answer: "It waits on stdin: run it with </dev/null.",
				Author: person("carol"), Votes: 2, Tags: []string{"ci"}, Permalink: "https://chat.example/ops/12", CreatedAt: at(2)},
		},
		TotalEntries:  3,
		Contributors:  []repertoire.Contributor{{Person: person("bob"), Authored: 2, Saved: 1}, {Person: person("ann"), Saved: 1}},
		OpenQuestions: []repertoire.OpenQuestion{{Asker: person("erin"), Text: "Who owns the staging DNS zone? @here", AskedAt: at(2)}},
		TotalOpen:     1,
		Rediscover: &repertoire.Entry{ID: 3, Kind: repertoire.HowWeDo, Question: "How do we hand over on-call?",
			Answer: "Write the handover note in #oncall.", Author: person("ann"), Votes: 5,
			Permalink: "https://chat.example/ops/3", CreatedAt: time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)},
	}
	return bot.ComposeDigest(data, time.UTC).Doc()
}

// Suggestion is the detector's quiet reply under an exchange.
func Suggestion() bot.Doc { return bot.Sentences(bot.SuggestionText) }

// update is the -update flag of the test binaries that check golden files.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Golden compares got with testdata/name, or rewrites it under -update.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update creates it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// Mentions are the mention forms of every platform, for fuzzing the guards.
var Mentions = []string{
	"@everyone", "@here", "@channel", "@Everyone", "<!channel>", "<!here>", "<!everyone>", "<!here|here>",
	"<!subteam^S123|@team>", "<@U123>", "<@W123|bob>", "<@123456789012345678>", "<@!123456789012345678>",
	"<@&123456789012345678>",
}

// Fuzzed is a document made of fuzzed member text s in every place member
// text can appear, with highlight spans from the fuzzer.
func Fuzzed(s string, hl [][2]int) bot.Doc {
	var spans []repertoire.Span
	for _, h := range hl {
		a, b := h[0], h[1]
		if len(s) > 0 {
			a, b = a%(len(s)+1), b%(len(s)+1)
		}
		if a > b {
			a, b = b, a
		}
		spans = append(spans, repertoire.Span{Start: a, End: b})
	}
	hit := repertoire.Hit{Entry: repertoire.Entry{ID: 1, Kind: repertoire.Tip, Question: s, Answer: s,
		Author: repertoire.Person{ID: "U1", Name: s}, Permalink: "https://chat.example/" + s}, Snippet: s, Highlights: spans}
	d := bot.RecallDoc(s, []repertoire.Hit{hit, hit})
	d.Blocks = append(d.Blocks, bot.Head(s), bot.Para(bot.Em(s), bot.T(s), bot.Cd(s), bot.Ln(s, "https://x.example/"+s)),
		bot.Block{Kind: bot.Quote, Spans: []bot.Span{bot.T(s)}}, bot.Note(bot.T(s)), bot.Rule())
	return d
}
