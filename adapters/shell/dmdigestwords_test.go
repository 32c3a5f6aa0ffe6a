package shell_test

import (
	"strings"
	"testing"
)

// A DM's digest holds the member's own notes, but read as a channel's:
// "What #dm-alice learned …", "🙏 Thanks to everyone who shared and
// saved: alice (1 shared, 1 saved)", and setting it said "this channel
// gets its digest". It is now worded for the member and thanks nobody.
func TestScenarioDirectMessageDigestIsWordedForTheMember(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "/dm", "digest now",
		"the staging vpn profile lives in 1password under ops-shared", "/react 3",
		"digest daily 17:00", "digest now",
	)
	for _, want := range []string{
		"A quiet period here: you kept no new note",
		"Done: you get a digest of your notes here daily at 17:00",
		"📚 Your notes kept here from",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"Thanks to everyone", "#dm-alice learned", "this channel"} {
		if strings.Contains(out, not) {
			t.Errorf("says %q:\n%s", not, out)
		}
	}
}
