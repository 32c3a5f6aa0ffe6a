package bot_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// failOnce is the real store whose first write of an open question fails,
// as a full disk or a lost connection would.
type failOnce struct {
	repertoire.Store
	mu     sync.Mutex
	failed bool
}

var errDiskFull = errors.New("disk full")

func (f *failOnce) fail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed {
		return false
	}
	f.failed = true
	return true
}

func (f *failOnce) AddOpenQuestion(ctx context.Context, q repertoire.OpenQuestion) error {
	if f.fail() {
		return errDiskFull
	}
	return f.Store.AddOpenQuestion(ctx, q)
}

func (f *failOnce) KeepOpenQuestion(ctx context.Context, event string, q repertoire.OpenQuestion) (bool, error) {
	if f.fail() {
		return false, errDiskFull
	}
	return f.Store.KeepOpenQuestion(ctx, event, q)
}

// A 💡 on a question nobody answered keeps it open even when the first
// write fails: the delivery's retry keeps it, and says so once. A 💡
// redelivered after the answer's save closed the question leaves it
// closed.
func TestReactedQuestionSurvivesAFailedWrite(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &chat{}
	b := bot.New(&failOnce{Store: s}, nil, bot.Config{}, c)
	q := c.add("dev", "1", "", "ann", "Anyone know how to clear the npm cache?", false)
	react := bot.ReactionAdded{ID: "r1", Target: q.Ref, User: user("ben"), Emoji: bulb, At: time.Now()}
	if err := b.Handle(ctx, react); err == nil {
		t.Fatal("the failed write was not reported, so the delivery is not retried")
	}
	if err := b.Handle(ctx, react); err != nil {
		t.Fatal(err)
	}
	open := func() int {
		t.Helper()
		qs, err := s.OpenQuestions(ctx, repertoire.Channel{Platform: "test", Space: "s", ID: "dev"}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return len(qs)
	}
	if n := open(); n != 1 {
		t.Fatalf("after the retry %d open questions, want 1", n)
	}
	if len(c.posts) != 1 {
		t.Errorf("the bot said %d things, want one reply", len(c.posts))
	}
	a := c.add("dev", "2", "1", "cat", "npm cache clean --force, then delete node_modules", false)
	if err := b.Handle(ctx, bot.ReactionAdded{ID: "r2", Target: a.Ref, User: user("ben"), Emoji: bulb, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if n := open(); n != 0 {
		t.Fatalf("the answer's save left %d open questions", n)
	}
	if err := b.Handle(ctx, react); err != nil {
		t.Fatal(err)
	}
	if n := open(); n != 0 {
		t.Errorf("the redelivered 💡 reopened the question: %d open", n)
	}
}
