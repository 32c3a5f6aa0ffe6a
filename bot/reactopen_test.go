package bot

import "testing"

func TestAsksOnly(t *testing.T) {
	for text, want := range map[string]bool{
		"Anyone know how to clear the npm cache?":              true,
		"How do I rotate the TLS certificate?  \n":             true,
		"Ping @everyone before a deploy? No: post in #deploys": false,
		"How to speed up builds: use ccache":                   false,
		"Tip: did you know git worktree exists?":               false,
		"run certbot renew":                                    false,
	} {
		if got := asksOnly(text); got != want {
			t.Errorf("asksOnly(%q) = %v, want %v", text, got, want)
		}
	}
}
