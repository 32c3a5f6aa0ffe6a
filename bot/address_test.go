package bot

import (
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

func TestWithoutAddress(t *testing.T) {
	members := Members{}
	for _, p := range []repertoire.Person{{ID: "U1", Name: "RatkoD"}, {ID: "dave"}, {Name: "Ann Lee"}, {ID: "erin_x", Name: "Erin"}} {
		members.Add(p)
	}
	for _, c := range []struct{ in, want string }{
		{"RatkoD: did the parallel framework work with ios 10 ?", "did the parallel framework work with ios 10 ?"},
		{"ratkod, did it work?", "did it work?"},
		{"@dave the build fails on arm64", "the build fails on arm64"},
		{"@dave: the build fails", "the build fails"},
		{"  dave, erin: how do I rotate the cert?", "how do I rotate the cert?"},
		{"@dave @Erin why is staging down", "why is staging down"},
		{"Ann Lee: where is the runbook?", "where is the runbook?"},
		{"erin_x: where is the runbook?", "where is the runbook?"},
		{"U1:what broke", "what broke"},
		// Unknown words at the start stay: they may be what it is about.
		{"docker: how do I prune images?", "docker: how do I prune images?"},
		{"Hi dave, how do I prune images?", "Hi dave, how do I prune images?"},
		{"@docker prune images", "@docker prune images"},
		{"mallory: @dave did it work?", "mallory: @dave did it work?"},
		// A name in the middle is not an address.
		{"how do I give dave: access", "how do I give dave: access"},
		// A name only ("dave") is no address when nothing follows it.
		{"dave:", "dave:"},
		{"@dave", "@dave"},
		{"dave: thanks!", "dave: thanks!"},
		// A name starts the word, not the address: "daveed" is not dave.
		{"daveed: why is it slow", "daveed: why is it slow"},
		{"", ""},
		// A platform's mention is an address whoever it names.
		{"<@U0123ABC> how do I rotate the cert?", "how do I rotate the cert?"},
		{"<@U0123ABC|ann>: how do I rotate the cert?", "how do I rotate the cert?"},
		{"<@!80351110224678912>, <@U1> dave: why is staging down", "why is staging down"},
		{"<@&5550001> why is staging down", "why is staging down"},
		{"<@U0123ABC>", "<@U0123ABC>"},
		{"see <@U0123ABC>: the cert", "see <@U0123ABC>: the cert"},
		{"<#C123|general>: how do I rotate the cert?", "<#C123|general>: how do I rotate the cert?"},
	} {
		if got := WithoutAddress(c.in, members); got != c.want {
			t.Errorf("WithoutAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := WithoutAddress("dave: how do I prune?", nil); got != "dave: how do I prune?" {
		t.Errorf("no members: %q", got)
	}
	if got := WithoutAddress("<@U1> dave: how do I prune?", nil); got != "dave: how do I prune?" {
		t.Errorf("no members, a mention: %q", got)
	}
}

// Only an address-shaped opening makes recall read the channel's members.
func TestMayBeAddressed(t *testing.T) {
	for in, want := range map[string]bool{
		"dave: how":                  true,
		"@dave how":                  true,
		"Ann Lee, where":             true,
		"how do I prune: images":     false,
		"why is the build slow?":     false,
		"what does this do, and why": false,
	} {
		if got := mayBeAddressed.MatchString(in); got != want {
			t.Errorf("mayBeAddressed(%q) = %v, want %v", in, got, want)
		}
	}
}

// A greeting or "quick question:" in front of a question is cut; a
// question about them, or one that is nothing else, stays.
func TestWithoutOpener(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Quick question: how do I clear the npm cache?", "how do I clear the npm cache?"},
		{"quick q - where are the logs?", "where are the logs?"},
		{"Q: where are the logs?", "where are the logs?"},
		{"Hi, how do I clear the npm cache?", "how do I clear the npm cache?"},
		{"hey all! where are the logs?", "where are the logs?"},
		{"hi dave, how do I prune?", "dave, how do I prune?"},
		{"Good morning team, is staging down?", "is staging down?"},
		{"hello", "hello"},
		{"Hi!", "Hi!"},
		{"question: ", "question: "},
		{"highlight the errors in the logs?", "highlight the errors in the logs?"},
		{"hey is not a command, is it?", "is not a command, is it?"},
		{"quick question about the npm cache?", "quick question about the npm cache?"},
		{"how do I say hi in the chat?", "how do I say hi in the chat?"},
	} {
		if got := withoutOpener(c.in); got != c.want {
			t.Errorf("withoutOpener(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
