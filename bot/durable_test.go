package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// failFirstWrite is the real store whose next Save or forget fails once
// armed, as a full disk or a lost connection would.
type failFirstWrite struct {
	repertoire.Store
	mu            sync.Mutex
	saved, forgot bool // true: the next one fails
}

func (f *failFirstWrite) first(armed *bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := *armed
	*armed = false
	return fail
}

func (f *failFirstWrite) Save(ctx context.Context, p repertoire.SaveParams) (repertoire.Entry, repertoire.SaveOutcome, error) {
	if f.first(&f.saved) {
		return repertoire.Entry{}, 0, errDiskFull
	}
	return f.Store.Save(ctx, p)
}

func (f *failFirstWrite) ForgetUserWith(ctx context.Context, platform, userID string, tags func(q, a string) []string) (repertoire.Forgotten, error) {
	if f.first(&f.forgot) {
		return repertoire.Forgotten{}, errDiskFull
	}
	return f.Store.ForgetUserWith(ctx, platform, userID, tags)
}

func newFailingBot(t *testing.T) (*bot.Bot, *chat, *sqlite.Store, *failFirstWrite) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, f := &chat{}, &failFirstWrite{Store: s}
	return bot.New(f, nil, bot.Config{}, c), c, s, f
}

// A `save` whose write fails is not acknowledged: the member is told it
// failed, the delivery's retry saves the exchange and says so, and a
// redelivery after that says and changes nothing.
func TestSaveMentionSurvivesAFailedWrite(t *testing.T) {
	b, c, s, f := newFailingBot(t)
	f.saved = true
	ctx := context.Background()
	c.add("dev", "1", "", "ann", "How do I clear the npm cache?", false)
	c.add("dev", "2", "1", "ben", "npm cache clean --force, then delete node_modules", false)
	cmd := c.add("dev", "3", "1", "cat", "@repertoire save", false)
	save := bot.Mentioned{ID: "d1", Message: cmd, Text: "save", Via: bot.ViaMention}
	if err := b.Handle(ctx, save); err == nil {
		t.Fatal("the failed write was not reported, so the delivery is not retried")
	}
	if got := c.lastPost(t); !strings.Contains(got, "went wrong") {
		t.Errorf("after the failed write the member read %q", got)
	}
	if err := b.Handle(ctx, save); err != nil {
		t.Fatal(err)
	}
	src := repertoire.Source{Platform: "test", Space: "s", Channel: "dev", Message: "2"}
	e, err := s.EntryBySource(ctx, src)
	if err != nil {
		t.Fatalf("the retried save kept nothing: %v (bot said %q)", err, c.lastPost(t))
	}
	if got := c.lastPost(t); !strings.Contains(got, "Saved") {
		t.Errorf("after the retry the member read %q", got)
	}
	posts := len(c.posts)
	if err := b.Handle(ctx, save); err != nil {
		t.Fatal(err)
	}
	if len(c.posts) != posts {
		t.Errorf("a redelivery after the save said %q", c.lastPost(t))
	}
	if again, _ := s.EntryBySource(ctx, src); again.Votes != e.Votes {
		t.Errorf("a redelivery changed the votes: %d, then %d", e.Votes, again.Votes)
	}
}

// A confirmed "forget me" whose write fails is not acknowledged either:
// its retry forgets, without asking for a third confirmation.
func TestForgetSurvivesAFailedWrite(t *testing.T) {
	b, c, s, f := newFailingBot(t)
	ctx := context.Background()
	c.add("dev", "1", "", "ann", "How do I clear the npm cache?", false)
	c.add("dev", "2", "1", "ben", "npm cache clean --force, then delete node_modules", false)
	if err := b.Handle(ctx, bot.ReactionAdded{ID: "r1", Target: c.msgs[1].Ref, User: user("ann"), Emoji: bulb}); err != nil {
		t.Fatal(err)
	}
	src := repertoire.Source{Platform: "test", Space: "s", Channel: "dev", Message: "2"}
	if _, err := s.EntryBySource(ctx, src); err != nil {
		t.Fatal(err)
	}
	ask := c.add("dev", "3", "", "ben", "@repertoire forget me", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "f1", Message: ask, Text: "forget me"}); err != nil {
		t.Fatal(err)
	}
	f.forgot = true
	confirm := bot.Mentioned{ID: "f2", Message: c.add("dev", "4", "", "ben", "@repertoire forget me", false), Text: "forget me"}
	if err := b.Handle(ctx, confirm); err == nil {
		t.Fatal("the failed forget was not reported")
	}
	if got := c.lastPost(t); !strings.Contains(got, "went wrong") {
		t.Errorf("after the failed forget the member read %q", got)
	}
	if err := b.Handle(ctx, confirm); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EntryBySource(ctx, src); err == nil {
		t.Errorf("the retried forget kept ben's entry (bot said %q)", c.lastPost(t))
	}
	if got := c.lastPost(t); strings.Contains(got, "again within") {
		t.Errorf("the retry asked for confirmation again: %q", got)
	}
	posts := len(c.posts)
	if err := b.Handle(ctx, confirm); err != nil {
		t.Fatal(err)
	}
	if len(c.posts) != posts {
		t.Errorf("a redelivery after the forget said %q", c.lastPost(t))
	}
}
