package shell_test

import (
	"strings"
	"testing"
)

// A long tip whose matches sit in its first line: the title shows that
// line, and the quote goes on with what follows it, as long as a quote
// is, instead of the few words of the match window the title left.
func TestScenarioLongTipQuoteGoesOnAfterTheTitle(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as bob", "heads up: to restart the VPN gateway after a kernel upgrade you need to run sudo systemctl restart openvpn@server "+
			"on both gateway hosts, then check the tunnel status with ip a and watch the logs for a minute because the routes come back slowly",
		"/react 1",
		"@repertoire how do I restart the vpn gateway?",
	)
	a := answerTo(out, "restart the vpn gateway?")
	var quote string
	for _, line := range strings.Split(a, "\n") {
		if q := strings.TrimSpace(line); strings.HasPrefix(q, "“") {
			quote = q
		}
	}
	if n := len(strings.Fields(quote)); n < 10 || !strings.Contains(quote, "check the tunnel status") {
		t.Errorf("the quote is %d words: %q\n%s", n, quote, a)
	}
	if strings.Count(a, "systemctl restart") != 1 {
		t.Errorf("the title's words are quoted again:\n%s", a)
	}
}
