package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// A "web" request still pending (in the inbox) when its member asked to be
// forgotten gives no sign-in link once applied; the member is told to ask
// again.
func TestWebLinkAskedBeforeTheForget(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := &chat{}
	b := bot.New(s, nil, bot.Config{WebURL: "https://web.example/"}, c)
	b.Web(bot.WebOptions{})
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
