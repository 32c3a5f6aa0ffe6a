package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// A "web" request still pending (in the inbox) when its member asked to be
// forgotten gives no sign-in link once applied; the member is told to ask
// again.
func TestWebLinkAskedBeforeTheForget(t *testing.T) {
	ctx := context.Background()
	b, _, c, s := newWebBot(t)
	asked := c.add("dm-ann", "1", "", "ann", "web", true)
	asked.Time = time.Now().Add(-time.Minute)
	if _, err := s.ForgetUser(ctx, "test", "U-ann"); err != nil {
		t.Fatal(err)
	}
	if err := b.Handle(ctx, bot.Mentioned{ID: "ev1", Message: asked, Text: "web", Via: bot.ViaDM}); err != nil {
		t.Fatal(err)
	}
	if got := c.lastPost(t); tokenLink.MatchString(got) || !strings.Contains(got, "again") {
		t.Errorf("a request pending at the forget got %q", got)
	}
}
