package shell_test

import (
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// A capture emoji on the bot's recall answer or digest saved nothing and
// said nothing. The member who reacted is now told, to them alone, that
// the bot's posts are not saved and, on an answer, how to say it helped:
// once per member and message, across another capture emoji, a
// redelivery and a restart; nothing is posted in the channel and nothing
// is saved.
func TestScenarioCaptureEmojiOnTheBotsPostSaysWhy(t *testing.T) {
	w := newWhisperingWorld(t)
	w.play(
		"/as alice", "How do I flush the redis cache on staging?",
		"/as dave", "/reply 1 run redis-cli FLUSHALL on the staging cache host",
		"/as alice", "/react 2 ✅",
	)
	out := w.play(
		"/as bob", "@repertoire how do I flush the redis cache?", // [1], answered in [2]
		"/react 2", "/react 2 ✅", "/redeliver",
		"/as carol", "/react 2",
		"@repertoire digest now", // [3], the digest [4]
		"/react 4 📖",
	)
	if !strings.Contains(out, "FLUSHALL") && !strings.Contains(out, "redis cache on staging") {
		t.Fatalf("no recall answer:\n%s", out)
	}
	for _, who := range []string{"bob", "carol"} {
		if n := strings.Count(out, "(only "+who+" sees this) repertoire: Not saved: my answers"); n != 1 {
			t.Errorf("%s was told %d times about the answer, want once:\n%s", who, n, out)
		}
	}
	if a := answerTo(out, "bob reacted 💡 to [2]"); !strings.Contains(a, "“This helped”") || !strings.Contains(a, "👍") {
		t.Errorf("the answer's note does not say how to say it helped:\n%s", a)
	}
	if n := strings.Count(out, "(only carol sees this) repertoire: Not saved: posts by bots"); n != 1 {
		t.Errorf("the digest's note told carol %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "\n[5]") {
		t.Errorf("something was posted in the channel:\n%s", out)
	}
	if n := len(w.entries()); n != 1 {
		t.Errorf("%d entries, want the one saved before", n)
	}

	w.bot = bot.New(w.store, nil, bot.Config{Now: func() time.Time { return w.now }}, whisperingWorld{w}) // a restart
	again := w.play("/as bob", "/react 2 📖")
	if strings.Contains(again, "Not saved") {
		t.Errorf("told again after a restart:\n%s", again)
	}
}

// Where the platform cannot whisper, the note goes in the answer's thread
// once, for the first member with that emoji (the others saw it).
func TestScenarioCaptureEmojiOnTheBotsPostInTheThread(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as alice", "How do I flush the redis cache on staging?",
		"/as dave", "/reply 1 run redis-cli FLUSHALL on the staging cache host",
		"/as alice", "/react 2 ✅",
	)
	out := w.play(
		"/as bob", "@repertoire how do I flush the redis cache?",
		"/react 2", "/react 2 ✅",
		"/as carol", "/react 2",
	)
	if n := strings.Count(out, "repertoire: Not saved: my answers"); n != 1 || !strings.Contains(out, "[3] #general ↳1 repertoire: Not saved") {
		t.Errorf("told %d times, want once in the thread:\n%s", n, out)
	}
}
