package bot

import "testing"

func TestSmallTalk(t *testing.T) {
	for text, want := range map[string]string{
		"thanks!": talkThanks, "thank you so much": talkThanks, "ok": talkAck, "great, that worked": talkAck,
		"👍": talkAck, "hi": talkHello, "got it, makes sense": talkAck, "thanks, that fixed the nginx reload": talkThanks,
		// searches and questions
		"how do I reset the cache": "", "reset the redis cache": "", "nginx reload": "", "redis cache flush": "",
		"ok so how do I restart the vpn gateway": "", "thanks! and how do I restart it?": "", "great": talkAck,
		"is that it?": "", "thanks, how do I also restart nginx": "", "thanks so much, how do I restart it": "",
		"Thanks Alex. Actually my data are stored in a database, and I planned to load and convert them to CSV files so I am wondering there are other built-in methods": "",
		"thanks! I'll try that on the staging box tomorrow": talkThanks, "k8s": "", "ok tag:tls": "",
		// saying it did not help
		"ok thanks anyway": talkNotHelped, "no luck, thanks anyway": talkNotHelped, "that didn't help": talkNotHelped,
		"didn't work": talkNotHelped, "still broken": talkNotHelped, "nope, doesn’t work": talkNotHelped,
		"no": talkAck, "nvm": talkAck, "no worries": talkAck, "np": "", "nginx still doesn't work": "", "why didn't it work?": "",
	} {
		if got := smallTalk(text); got != want {
			t.Errorf("smallTalk(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestSaysNothing(t *testing.T) {
	for text, want := range map[string]bool{
		"ok": true, "nvm": true, "": true, "never mind, found it": true, "👍": true, "Fixed.": true,
		"see https://wiki.example.com/redis": false, "ccache": false, "run redis-cli FLUSHALL": false, "nvm, use ccache": false,
	} {
		if got := saysNothing(text); got != want {
			t.Errorf("saysNothing(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestSaysHelped(t *testing.T) {
	for _, tc := range []struct {
		text           string
		mention, plain bool // to the bot by name; a plain reply
	}{
		{"thanks, that helped", true, true},
		{"great, that worked!", true, true},
		{"thanks so much, that did the trick", true, true},
		{"thanks, that fixed the nginx reload", true, false}, // a plain reply naming things may be to a member
		{"thanks bob, that worked", true, false},
		{"thanks @bob, that worked", false, false},
		{"thanks!", false, false},       // polite, not a verdict
		{"ok", false, false},            // nor is an acknowledgement
		{"thanks anyway", false, false}, // it did not help
		{"thanks, but it still doesn't work", false, false},
		{"thanks, that didn’t work", false, false}, // curly apostrophe
		{"that worked, and how do I restart nginx?", false, false},
	} {
		if got := saysHelped(tc.text, false); got != tc.mention {
			t.Errorf("saysHelped(%q) = %v, want %v", tc.text, got, tc.mention)
		}
		if got := saysHelped(tc.text, true); got != tc.plain {
			t.Errorf("saysHelped(%q, strict) = %v, want %v", tc.text, got, tc.plain)
		}
	}
}

func TestSaysNotHelped(t *testing.T) {
	for text, want := range map[string]bool{
		"thanks anyway": true, "no luck": true, "nope, didn't help": true, "thanks, but it still fails": true,
		"thanks, no worries": false, "thanks!": false, "no": false, "nvm": false, "never mind": false,
		"thanks, that helped": false, "thanks, but": false,
	} {
		if got := saysNotHelped(text); got != want {
			t.Errorf("saysNotHelped(%q) = %v, want %v", text, got, want)
		}
	}
}
