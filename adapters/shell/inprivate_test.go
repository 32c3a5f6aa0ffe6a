package shell_test

import (
	"strings"
	"testing"
)

// A member who saved a tip in a private channel and looks for it with
// in:#staff from #general or a DM got a bare "nothing yet", as if it were
// lost. The answer now says a private channel's entries are found only
// inside it, without saying whether the channel exists or is private (the
// same words for a channel that does not exist), and still shows nothing.
func TestScenarioInAPrivateChannelFromOutsideSaysWhereToAsk(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as carol", "/private staff",
		"the staging vpn password is in the ops vault under vpn-staging", // [1]
		"/react 1",
		"/channel general", "@repertoire in:#staff vpn password",
		"@repertoire in:#nosuch vpn password",
		"@repertoire in:#general vpn password",
		"/dm", "vpn password in:#staff",
		"/private staff", "@repertoire in:#staff vpn password",
	)
	const note = "found only by asking in it"
	for _, q := range []string{"#general carol: @repertoire in:#staff", "carol: @repertoire in:#nosuch", "carol: vpn password in:#staff"} {
		a := answerTo(out, q)
		if !strings.Contains(a, note) || strings.Contains(a, "ops vault") {
			t.Errorf("%q:\n%s", q, a)
		}
	}
	if a := answerTo(out, "carol: @repertoire in:#general"); strings.Contains(a, note) {
		t.Errorf("in:#general asked in #general:\n%s", a)
	}
	if a := answerTo(out, "#staff carol: @repertoire in:#staff"); !strings.Contains(a, "ops vault") {
		t.Errorf("in:#staff inside #staff:\n%s", a)
	}
}
