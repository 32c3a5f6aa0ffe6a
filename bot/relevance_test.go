package bot_test

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

func TestContentWordsDropMarkupFiltersAndPlainWords(t *testing.T) {
	for in, want := range map[string]string{
		"webpack runs out of memory":                       "webpack memory",
		"which pods keep crashing":                         "pods crashing",
		"who owns the billing cron? <!channel> <@U123>":    "billing cron",
		"in:#secret-ops tag:x kind:tip -certbot password?": "password",
		`NEAR( * " ""`: "near",
	} {
		if got := strings.Join(bot.ContentWords(in), " "); got != want {
			t.Errorf("ContentWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRelevantMatchesWordsNotStemsOrPrefixes(t *testing.T) {
	hit := func(text string) repertoire.Hit { return repertoire.Hit{Entry: repertoire.Entry{Answer: text}} }
	cases := []struct {
		question, entry string
		want            bool
	}{
		{"generic", "every #general entry", false},   // one Porter stem, another word
		{"crashing pods", "the pod crashes", true},   // inflections meet
		{"memories of caches", "memory cache", true}, // -ies and -es
		{"webpack memory", "raise the memory limit", false},
		{"running", "Run certbot", false}, // a plain word is no match
		{"tag:tls", "anything", true},     // filters alone keep what they chose
		{"the of", "the of", false},       // nothing to match
	}
	for _, c := range cases {
		got := len(bot.Relevant(c.question, []repertoire.Hit{hit(c.entry)}, bot.DefaultGate)) == 1
		if got != c.want {
			t.Errorf("Relevant(%q, %q) = %v, want %v", c.question, c.entry, got, c.want)
		}
	}
}

func TestIsRealQuestion(t *testing.T) {
	for text, want := range map[string]bool{
		"how do I flush the redis cache?":       true,
		"I need the staging vpn config":         true,
		"vault zebrafish":                       false,
		"in:#secret-ops what is the password?":  false,
		"kind:how-we-do":                        false,
		"NEAR(":                                 false,
		"why?":                                  false,
		"rotate -certbot":                       false,
		"where do we keep the grafana backups?": true,
	} {
		if got := bot.IsRealQuestion(text); got != want {
			t.Errorf("IsRealQuestion(%q) = %v", text, got)
		}
	}
}
