package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// detectRig is a bot on a real store with a clock the test moves.
type detectRig struct {
	t   *testing.T
	b   *bot.Bot
	c   *chat
	s   *sqlite.Store
	dir string
	now time.Time
	n   int // deliveries so far, for unique IDs
}

func newRig(t *testing.T) *detectRig {
	t.Helper()
	r := &detectRig{t: t, c: &chat{}, dir: t.TempDir(), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s, err := sqlite.Open(context.Background(), filepath.Join(r.dir, "bot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r.s = s
	r.b = bot.New(s, nil, bot.Config{Now: func() time.Time { return r.now }}, r.c)
	return r
}

// say posts a message in channel ch (in thread when not empty) a minute
// after the last one and delivers it to the bot.
func (r *detectRig) say(ch, id, thread, who, text string) bot.Message {
	r.t.Helper()
	r.now = r.now.Add(time.Minute)
	m := r.c.add(ch, id, thread, who, text, false)
	m.Time = r.now
	r.c.mu.Lock()
	r.c.msgs[len(r.c.msgs)-1] = m
	r.c.mu.Unlock()
	r.handle(bot.MessagePosted{ID: "posted-" + ch + "-" + id, Message: m})
	return m
}

func (r *detectRig) handle(ev bot.Event) {
	r.t.Helper()
	if err := r.b.Handle(context.Background(), ev); err != nil {
		r.t.Fatalf("handle %T: %v", ev, err)
	}
}

// mention addresses the bot in a channel (in thread when not empty) and
// returns what it answered.
func (r *detectRig) mention(ch, thread, who, text string) string {
	r.t.Helper()
	r.n++
	m := r.c.add(ch, fmt.Sprint("cmd", r.n), thread, who, "@repertoire "+text, false)
	r.handle(bot.Mentioned{ID: fmt.Sprint("mention", r.n), Message: m, Text: text})
	return r.c.lastPost(r.t)
}

func (r *detectRig) react(target bot.MessageRef, who string, e bot.Emoji) {
	r.t.Helper()
	r.n++
	r.handle(bot.ReactionAdded{ID: fmt.Sprint("reaction", r.n), Target: target, User: user(who), Emoji: e})
}

func (r *detectRig) posts() []bot.Outgoing {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	return append([]bot.Outgoing(nil), r.c.posts...)
}

func (r *detectRig) suggestions() []bot.Outgoing {
	var out []bot.Outgoing
	for _, p := range r.posts() {
		if p.Text() == bot.SuggestionText {
			out = append(out, p)
		}
	}
	return out
}

// exchange plays a question, an answer with code and the asker's thanks in a thread.
func (r *detectRig) exchange(ch, root string) (q, a bot.Message) {
	q = r.say(ch, root, "", "ann", "How do I make `go test` stop hanging in CI?")
	a = r.say(ch, root+"-a", root, "bob", "It waits on stdin: run `go test ./... < /dev/null` #ci")
	r.say(ch, root+"-t", root, "ann", "that worked, thanks bob!")
	return q, a
}

func src(m bot.Message) repertoire.Source {
	return repertoire.Source{Platform: m.Ref.Channel.Platform, Space: m.Ref.Channel.Space, Channel: m.Ref.Channel.ID, Message: m.Ref.ID}
}

func TestSuggestOnceThenCaptureFromTheSuggestion(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, a := r.exchange("dev", "q1")
	sugg := r.suggestions()
	if len(sugg) != 1 || sugg[0].Thread != "q1" {
		t.Fatalf("suggestions %+v", sugg)
	}
	// More talk in the thread never brings a second suggestion.
	r.say("dev", "q1-more", "q1", "cat", "nice, thanks for sharing")
	if n := len(r.suggestions()); n != 1 {
		t.Fatalf("suggested %d times", n)
	}
	if es, _ := r.s.Entries(ctx, repertoire.ListParams{}); len(es) != 0 {
		t.Fatalf("suggest mode saved %d entries", len(es))
	}
	why := r.mention("dev", "q1", "cat", "why")
	// A post waits for the asker's confirmation: a solution.
	for _, want := range []string{"I suggested", "solution", "opens with a question", "bob answered", "has code", "confirmed it worked"} {
		if !strings.Contains(why, want) {
			t.Errorf("why says %q, lacking %q", why, want)
		}
	}
	// A 💡 on the bot's suggestion saves the exchange it was about.
	suggestion := bot.MessageRef{Channel: a.Ref.Channel, ID: "post1", Thread: "q1"}
	r.react(suggestion, "cat", bulb)
	e, err := r.s.EntryBySource(ctx, src(a))
	if err != nil {
		t.Fatalf("the suggested exchange was not saved: %v", err)
	}
	if e.Author.Name != "bob" || e.QuestionAuthor.Name != "ann" || len(e.Savers) != 1 || e.Savers[0].Name != "cat" ||
		e.Status != repertoire.Saved || e.Kind != repertoire.Solution {
		t.Errorf("entry %+v", e)
	}
	tags := strings.Join(e.AllTags(), ",")
	if !strings.HasPrefix(tags, "ci,") || strings.Join(e.Tags, ",") != "ci" || len(e.Terms) < 2 {
		t.Errorf("tags %q: want the hashtag and distinctive terms, not the channel", tags)
	}
}

// An edit that turns "still trying" into "that worked" is looked at again.
func TestEditCanCompleteAnExchange(t *testing.T) {
	r := newRig(t)
	r.say("dev", "q1", "", "ann", "How do I make `go test` stop hanging in CI?")
	r.say("dev", "q1-a", "q1", "bob", "It waits on stdin: run `go test ./... < /dev/null` #ci")
	thanks := r.say("dev", "q1-t", "q1", "ann", "trying it now")
	if n := len(r.suggestions()); n != 0 {
		t.Fatalf("suggested before the asker confirmed: %d", n)
	}
	thanks.Text = "that worked, thanks bob!"
	r.handle(bot.MessageEdited{ID: "edit-q1-t", Message: thanks})
	if sugg := r.suggestions(); len(sugg) != 1 || sugg[0].Thread != "q1" {
		t.Fatalf("suggestions after the edit: %+v", sugg)
	}
	r.handle(bot.MessageEdited{ID: "edit-q1-t-2", Message: thanks})
	if n := len(r.suggestions()); n != 1 {
		t.Fatalf("a second edit suggested again: %d", n)
	}
}

func TestSuggestionsAreRateLimitedPerChannel(t *testing.T) {
	r := newRig(t)
	r.exchange("dev", "q1")
	r.exchange("dev", "q2")
	if n := len(r.suggestions()); n != 1 {
		t.Fatalf("two suggestions within minutes: %d", n)
	}
	r.exchange("ops", "q3") // another channel has its own allowance
	if n := len(r.suggestions()); n != 2 {
		t.Fatalf("the other channel was not suggested: %d", n)
	}
	r.now = r.now.Add(bot.DefaultSuggestEvery)
	r.say("dev", "q2-late", "q2", "cat", "+1, same fix here")
	if n := len(r.suggestions()); n != 3 {
		t.Fatalf("after the pause the waiting exchange should be suggested: %d", n)
	}
}

func TestAutoModeSavesDetectedUntilAMemberConfirms(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if got := r.mention("dev", "", "ann", "detect auto"); !strings.Contains(got, "now `auto`") {
		t.Fatalf("mode reply %q", got)
	}
	before := len(r.posts())
	_, a := r.exchange("dev", "q1")
	if len(r.posts()) != before {
		t.Errorf("auto mode should stay quiet, posted %+v", r.posts()[before:])
	}
	e, err := r.s.EntryBySource(ctx, src(a))
	// Kept on the answer, then the asker's "that worked" made it a solution.
	if err != nil || e.Status != repertoire.Detected || len(e.Savers) != 0 || e.Kind != repertoire.Solution {
		t.Fatalf("detected entry %+v %v", e, err)
	}
	if got := r.mention("dev", "q1", "cat", "why"); !strings.Contains(got, "saved this exchange as detected") {
		t.Errorf("why %q", got)
	}
	r.react(a.Ref, "cat", bulb)
	if e, _ = r.s.EntryBySource(ctx, src(a)); e.Status != repertoire.Saved || len(e.Savers) != 1 {
		t.Errorf("a member's capture should confirm it: %+v", e)
	}
}

func TestDetectOffAndModeCommand(t *testing.T) {
	r := newRig(t)
	if got := r.mention("dev", "", "ann", "detect"); !strings.Contains(got, "`suggest`") {
		t.Errorf("default mode reply %q", got)
	}
	if got := r.mention("dev", "", "ann", "detect loudly"); !strings.Contains(got, "detect suggest") {
		t.Errorf("bad mode reply %q", got)
	}
	r.mention("dev", "", "ann", "detect off")
	r.exchange("dev", "q1")
	if n := len(r.suggestions()); n != 0 {
		t.Errorf("off suggested %d times", n)
	}
	if got := r.mention("dev", "q1", "ann", "why"); !strings.Contains(got, "haven't picked out anything") {
		t.Errorf("why with no detection %q", got)
	}
}

func TestUnthreadedExchangeIsAssembledAndCaptured(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.say("irc", "1", "", "ann", "anyone know why npm install hangs behind the proxy?")
	r.say("irc", "2", "", "dan", "lunch at noon?")
	a := r.say("irc", "3", "", "bob", "ann: set `npm config set proxy http://proxy:3128` first")
	r.say("irc", "4", "", "eve", "dan: sure")
	r.say("irc", "5", "", "ann", "bob: thanks, that worked")
	sugg := r.suggestions()
	if len(sugg) != 1 || sugg[0].Thread != "1" {
		t.Fatalf("suggestions %+v", sugg)
	}
	// A 💡 on the unthreaded answer itself finds its question through the log.
	r.react(a.Ref, "cat", bulb)
	e, err := r.s.EntryBySource(ctx, src(a))
	if err != nil || !strings.Contains(e.Question, "npm install hangs") || e.QuestionAuthor.Name != "ann" {
		t.Fatalf("entry %+v %v", e, err)
	}
}

func TestReactingToAQuestionSavesItsBestAnswer(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	q := r.say("dev", "q", "", "ann", "Which flag shows the SQL a migration runs?")
	r.say("dev", "r1", "q", "bob", "no idea")
	best := r.say("dev", "r2", "q", "cat", "`migrate -verbose` prints every statement, see https://example.com/migrate")
	r.say("dev", "r3", "q", "ann", "thanks cat!")
	r.react(q.Ref, "dan", bulb)
	e, err := r.s.EntryBySource(ctx, src(best))
	if err != nil || e.Author.Name != "cat" || e.QuestionID != "q" {
		t.Fatalf("entry %+v %v", e, err)
	}
}

func TestLogFollowsEditsDeletesAndForgetMe(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	const secret = "wombatlighthouse"
	m := r.say("dev", "1", "", "bob", "the trick is the "+secret+" flag")
	edited := m
	edited.Text = "the trick is a flag"
	r.handle(bot.MessageEdited{ID: "e1", Message: edited})
	lm, err := r.s.LoggedMessageBySource(ctx, src(m))
	if err != nil || lm.Text != "the trick is a flag" {
		t.Fatalf("edit not in the log: %+v %v", lm, err)
	}
	gone := r.say("dev", "2", "", "ann", "delete me")
	r.handle(bot.MessageDeleted{ID: "d1", Ref: gone.Ref})
	if _, err := r.s.LoggedMessageBySource(ctx, src(gone)); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("deleted message still in the log: %v", err)
	}
	r.say("dev", "3", "", "bob", "and "+secret+" again, how about that?")
	r.say("dev", "4", "", "ann", "bob: interesting, thanks")
	if !bytes.Contains(dbFiles(t, r.dir), []byte(secret)) {
		t.Fatal("test is blind: the word is not in the files")
	}
	if got := r.mention("dev", "", "bob", "forget me"); !strings.Contains(got, "again within 5 minutes") {
		t.Fatalf("forget me without confirmation: %q", got)
	}
	if got := r.mention("dev", "", "bob", "forget me"); !strings.Contains(got, "Nothing of yours") {
		t.Fatalf("forget reply %q", got)
	}
	// Deliveries still pending at the forget are applied after it: bob's
	// message posted before it, an edit of his old one, ann's 💡 on it.
	// They log and save nothing of his.
	late := r.c.add("dev", "5", "", "bob", "one more "+secret+" word", false)
	late.Time = m.Time
	r.handle(bot.MessagePosted{ID: "posted-dev-5", Message: late})
	r.handle(bot.MessageEdited{ID: "e2", Message: m})
	r.react(m.Ref, "ann", bulb)
	if e, err := r.s.EntryBySource(ctx, src(m)); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("ann's capture of bob's earlier message saved it again: %+v %v", e, err)
	}
	msgs, _ := r.s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: repertoire.Channel{Platform: "test", Space: "s", ID: "dev"}})
	for _, lm := range msgs {
		if lm.Author.Name == "bob" {
			t.Errorf("bob's message %s is still logged", lm.ID)
		}
	}
	if len(msgs) == 0 {
		t.Error("ann's messages should stay")
	}
	if bytes.Contains(dbFiles(t, r.dir), []byte(secret)) {
		t.Error("the forgotten text is still in the database files")
	}
}

func TestMessageLogIsPrunedAfterRetention(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	old := r.say("dev", "1", "", "ann", "an old message")
	r.now = r.now.Add(bot.DefaultRetention + 2*time.Hour)
	r.say("dev", "2", "", "ann", "a new one")
	if _, err := r.s.LoggedMessageBySource(ctx, src(old)); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("a message past retention is still logged: %v", err)
	}
}

// dbFiles reads the database file and its WAL, where deleted text could linger.
func dbFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestAskersReactionConfirmsAndIsLogged(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.say("dev", "q", "", "ann", "How do I list the biggest tables in postgres?")
	// A question back is no answer yet; the asker's 🙏 on it makes it one.
	a := r.say("dev", "a", "q", "bob", "pg_stat_user_tables maybe?")
	if n := len(r.suggestions()); n != 0 {
		t.Fatalf("suggested before any confirmation: %d", n)
	}
	pray := bot.Emoji{Unicode: "🙏"}
	r.react(a.Ref, "ann", pray)
	if n := len(r.suggestions()); n != 1 {
		t.Fatalf("the asker's 🙏 should confirm the answer: %d suggestions", n)
	}
	lm, _ := r.s.LoggedMessageBySource(ctx, src(a))
	if len(lm.Reactions) != 1 || lm.Reactions[0].Emoji != "🙏" {
		t.Fatalf("reaction not logged: %+v", lm.Reactions)
	}
	r.n++
	r.handle(bot.ReactionRemoved{ID: fmt.Sprint("unreact", r.n), Target: a.Ref, User: user("ann"), Emoji: pray})
	if lm, _ = r.s.LoggedMessageBySource(ctx, src(a)); len(lm.Reactions) != 0 {
		t.Errorf("removed reaction still logged: %+v", lm.Reactions)
	}
}

// A moderator clearing reactions undoes the saves made by them, from the
// reactions the message log recorded; clearing another emoji keeps them.
func TestClearedReactionsUndoTheirSaves(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.say("dev", "q", "", "ann", "How do I list the biggest tables in postgres?")
	a := r.say("dev", "a", "q", "bob", "SELECT relname FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC")
	r.react(a.Ref, "cat", bulb)
	r.react(a.Ref, "dan", bulb)
	r.react(a.Ref, "eve", bot.Emoji{Unicode: "🎉"})
	if e, err := r.s.EntryBySource(ctx, src(a)); err != nil || e.Votes != 2 {
		t.Fatalf("entry %+v %v", e, err)
	}
	r.handle(bot.ReactionsCleared{ID: "clear-party", Target: a.Ref, Emoji: &bot.Emoji{Unicode: "🎉"}})
	if e, err := r.s.EntryBySource(ctx, src(a)); err != nil || e.Votes != 2 {
		t.Fatalf("clearing 🎉 changed the entry: %+v %v", e, err)
	}
	r.handle(bot.ReactionsCleared{ID: "clear-all", Target: a.Ref})
	if _, err := r.s.EntryBySource(ctx, src(a)); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("entry after all reactions were cleared: %v", err)
	}
	// A message the log does not hold keeps its saves.
	r.handle(bot.ReactionsCleared{ID: "clear-unknown", Target: bot.MessageRef{Channel: a.Ref.Channel, ID: "nope"}})
}
