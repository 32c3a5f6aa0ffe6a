package shell_test

import (
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// Where the platform whispers, the reply to a ✅ on an open question goes
// only to the member who reacted, to each of them: the thread keeps the
// conversation, not the bot's notes about emoji.
func TestScenarioCheckOnAnOpenQuestionIsWhispered(t *testing.T) {
	w := newWhisperingWorld(t)
	out := w.play(
		"/as erin", "Anyone know how to clear the npm cache?",
		"/as bob", "/react 1",
		"/as carol", "/react 1 ✅",
		"/as frank", "/react 1 ✅",
		"/as dave", "/reply 1 npm cache clean --force, then delete node_modules",
	)
	for _, who := range []string{"carol", "frank"} {
		if a := answerTo(out, who+" reacted ✅ to [1]"); !strings.Contains(a, "(only "+who+" sees this)") || !strings.Contains(a, "solution") {
			t.Errorf("%s was not told privately:\n%s", who, out)
		}
	}
	if n := strings.Count(out, "as a solution"); n != 2 {
		t.Errorf("the kind is said %d times, want once to each:\n%s", n, out)
	}
	if !strings.Contains(out, "[3] #general ↳1 dave:") {
		t.Errorf("the thread holds more than the bot's one note and the answer:\n%s", out)
	}
}

// whisperingWorld is the world with the shell's whispers: the bot may
// post a reply only one member sees.
type whisperingWorld struct{ *world }

func (w whisperingWorld) Whispers() bool { return w.sh.Whispers() }

func newWhisperingWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.bot = bot.New(w.store, nil, bot.Config{Now: func() time.Time { return w.now }}, whisperingWorld{w})
	return w
}
