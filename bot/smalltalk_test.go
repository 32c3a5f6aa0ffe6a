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
