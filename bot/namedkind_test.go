package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// A platform that returns messages without their reactions (Discord's
// thread fetch): the ✅ on the open question is read back from the
// message log, and the answer's 💡 saves a solution.
func TestCheckOnOpenQuestionFromTheMessageLog(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	q := c.add("dev", "1", "", "ann", "Anyone know how to clear the npm cache?", false)
	if err := b.Handle(ctx, bot.MessagePosted{ID: "p1", Message: q}); err != nil {
		t.Fatal(err)
	}
	check := bot.Emoji{Unicode: "✅"}
	for i, e := range []bot.Emoji{bulb, check} {
		if err := b.Handle(ctx, bot.ReactionAdded{ID: "r" + string(rune('a'+i)), Target: q.Ref, User: user("ben"), Emoji: e, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	a := c.add("dev", "2", "1", "cat", "npm cache clean --force, then delete node_modules", false)
	if err := b.Handle(ctx, bot.ReactionAdded{ID: "r9", Target: a.Ref, User: user("dan"), Emoji: bulb, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e, err := s.EntryBySource(ctx, repertoire.Source{Platform: "test", Space: "s", Channel: "dev", Message: "2"})
	if err != nil || e.Kind != repertoire.Solution {
		t.Errorf("entry %+v, %v: want a solution", e, err)
	}
}
