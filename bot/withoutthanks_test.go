package bot

import "testing"

func TestWithoutThanks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"thanks, and how do I rotate the vpn keys?", "how do I rotate the vpn keys?"},
		{"Thanks so much! How do I rotate the vpn keys?", "How do I rotate the vpn keys?"},
		{"thx for that. also, is there a way to pin the node version?", "is there a way to pin the node version?"},
		{"thanks!", "thanks!"},
		{"thanks, the staging cluster is fine now", "thanks, the staging cluster is fine now"},
		{"how do I thank the on-call team?", "how do I thank the on-call team?"},
		{"thanks bob, how do I rotate the keys?", "thanks bob, how do I rotate the keys?"}, // a name may be anyone's: kept
		{"", ""},
		{"thanks and how", "thanks and how"}, // no question follows
	} {
		if got := withoutThanks(c.in); got != c.want {
			t.Errorf("withoutThanks(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
