package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestSearchShowsATipWithoutQuestionOnce: a tip saved on its own is known
// by its first line; the search page shows that line once, as the title,
// not again as the snippet under it.
func TestSearchShowsATipWithoutQuestionOnce(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.say(
		"/as bob", "/channel general", "heads up: restart the VPN gateway with sudo systemctl restart openvpn@server",
		"/as ana", "/react 1 💡",
	)
	ana := w.browser()
	ana.signIn(w.signInLink("ana"))
	p := ana.get("/search?q=" + url.QueryEscape("vpn gateway"))
	if n := strings.Count(p.Body, "openvpn@server"); n != 1 {
		t.Errorf("the tip is shown %d times, want once:\n%s", n, p.Body)
	}
	if !strings.Contains(p.Body, `class="title"`) || !strings.Contains(p.Body, "by <a") {
		t.Errorf("no title or credit:\n%s", p.Body)
	}
}
