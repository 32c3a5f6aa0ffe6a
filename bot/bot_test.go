package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// chat is an in-process chat platform for the core's tests: it holds
// messages, answers Thread from them and records what the bot posts.
type chat struct {
	mu       sync.Mutex
	msgs     []bot.Message
	posts    []bot.Outgoing
	reacts   []bot.MessageRef
	onThread func() // called inside Thread, to inject failures
}

func (c *chat) Name() string                                 { return "test" }
func (c *chat) Run(ctx context.Context, h bot.Handler) error { <-ctx.Done(); return nil }

func (c *chat) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts = append(c.posts, out)
	return bot.MessageRef{Channel: out.Channel, ID: fmt.Sprintf("post%d", len(c.posts))}, nil
}

func (c *chat) Thread(ctx context.Context, ref bot.MessageRef) ([]bot.Message, error) {
	if c.onThread != nil {
		c.onThread()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	root := ref.Root()
	var out []bot.Message
	for _, m := range c.msgs {
		if m.Ref.Channel == root.Channel && (m.Ref.ID == root.ID || m.Ref.Thread == root.ID) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no message %s", ref.ID)
	}
	return out, nil
}

func (c *chat) React(ctx context.Context, ref bot.MessageRef, e bot.Emoji) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reacts = append(c.reacts, ref)
	return nil
}

func (c *chat) add(channel, id, thread, author, text string, private bool) bot.Message {
	m := bot.Message{Ref: bot.MessageRef{Channel: bot.ChannelRef{Platform: "test", Space: "s", ID: channel}, ID: id, Thread: thread},
		Author: bot.User{ID: "U-" + author, Name: author}, Text: text, Time: time.Now(), Private: private,
		Link: "https://chat.example/" + channel + "/" + id, ChannelName: channel}
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
	return m
}

func (c *chat) lastPost(t *testing.T) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.posts) == 0 {
		t.Fatal("the bot posted nothing")
	}
	return c.posts[len(c.posts)-1].Text()
}

func newBot(t *testing.T) (*bot.Bot, *chat, *sqlite.Store) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &chat{}
	return bot.New(s, nil, bot.Config{}, c), c, s
}

func user(name string) bot.User { return bot.User{ID: "U-" + name, Name: name} }

var bulb = bot.Emoji{Unicode: "💡"}

func TestSaveCommandPicksBestReplyAndTags(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	c.add("dev", "1", "", "ann", "Why does `go test` hang in CI?", false)
	c.add("dev", "2", "1", "ben", "no idea", false)
	best := c.add("dev", "3", "1", "cat", "It waits on stdin:\n1. run with `-count=1`\n2. close stdin: `go test < /dev/null`", false)
	best.Reactions = []bot.Reaction{{User: user("ann"), Emoji: bot.Emoji{Unicode: "🙏"}}}
	c.msgs[2] = best
	c.add("dev", "4", "1", "ann", "thanks!", false)
	cmd := c.add("dev", "5", "1", "dan", "@repertoire save #ci #go", false)
	err := b.Handle(ctx, bot.Mentioned{ID: "d1", Message: cmd, Text: "save #ci #go", Via: bot.ViaMention})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.EntryBySource(ctx, repertoire.Source{Platform: "test", Space: "s", Channel: "dev", Message: "3"})
	if err != nil {
		t.Fatalf("best reply not saved: %v (bot said %q)", err, c.lastPost(t))
	}
	if e.Author.Name != "cat" || e.Savers[0].Name != "dan" || e.Kind != repertoire.Solution || strings.Join(e.Tags, ",") != "ci,go" {
		t.Errorf("entry %+v", e)
	}
	if got := c.lastPost(t); !strings.Contains(got, "credited to cat") || !strings.Contains(got, "#ci #go") {
		t.Errorf("confirmation %q", got)
	}
}

func TestMentionDeliveredTwiceIsAnsweredOnce(t *testing.T) {
	b, c, _ := newBot(t)
	m := c.add("dev", "1", "", "ann", "@repertoire help", false)
	for range 2 {
		if err := b.Handle(context.Background(), bot.Mentioned{ID: "same", Message: m, Text: "help"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.posts) != 1 {
		t.Errorf("answered %d times", len(c.posts))
	}
}

func TestPanicIsAnsweredNotFatal(t *testing.T) {
	b, c, _ := newBot(t)
	c.add("dev", "1", "", "ann", "question", false)
	cmd := c.add("dev", "2", "1", "ben", "@repertoire save", false)
	c.onThread = func() { panic("adapter bug") }
	err := b.Handle(context.Background(), bot.Mentioned{ID: "p", Message: cmd, Text: "save"})
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Errorf("err = %v, want the panic reported", err)
	}
	if got := c.lastPost(t); !strings.Contains(got, "went wrong on my side") {
		t.Errorf("member told %q", got)
	}
}

func TestCaptureIgnoresOtherEmojiBotsAndBotPosts(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	m := c.add("dev", "1", "", "ann", "A tip worth keeping", false)
	c.add("dev", "2", "", "repertoire", "Here is what the repertoire has…", false)
	c.msgs[1].Author.Bot = true
	events := []bot.ReactionAdded{
		{ID: "a", Target: m.Ref, User: user("ben"), Emoji: bot.Emoji{Unicode: "🎉"}},
		{ID: "b", Target: m.Ref, User: bot.User{ID: "B1", Bot: true}, Emoji: bulb},
		{ID: "c", Target: c.msgs[1].Ref, User: user("ben"), Emoji: bulb},
	}
	for _, ev := range events {
		if err := b.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if es, _ := s.Entries(ctx, repertoire.ListParams{}); len(es) != 0 {
		t.Errorf("saved %d entries", len(es))
	}
	// Slack shortcodes with skin tones and Discord unicode with a variation selector both capture.
	for i, e := range []bot.Emoji{{Shortcode: ":white_check_mark::skin-tone-3:"}, {Unicode: "💡\uFE0F"}} {
		if err := b.Handle(ctx, bot.ReactionAdded{ID: fmt.Sprint("k", i), Target: m.Ref, User: user(fmt.Sprint("u", i)), Emoji: e}); err != nil {
			t.Fatal(err)
		}
	}
	es, _ := s.Entries(ctx, repertoire.ListParams{})
	if len(es) != 1 || es[0].Votes != 2 || es[0].Kind != repertoire.Solution {
		t.Errorf("entries %+v", es)
	}
	if len(c.reacts) != 1 {
		t.Errorf("acknowledged %d times, want once", len(c.reacts))
	}
}

func TestRecallInDMAndPrivacy(t *testing.T) {
	b, c, _ := newBot(t)
	ctx := context.Background()
	secret := c.add("ops", "1", "", "ann", "The break-glass password rotates on Fridays", true)
	if err := b.Handle(ctx, bot.ReactionAdded{ID: "r", Target: secret.Ref, User: user("ben"), Emoji: bulb, Private: true}); err != nil {
		t.Fatal(err)
	}
	dm := c.add("dm-ben", "1", "", "ben", "break-glass password", true)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m", Message: dm, Text: "break-glass password", Via: bot.ViaDM}); err != nil {
		t.Fatal(err)
	}
	if got := c.lastPost(t); strings.Contains(got, "Fridays") {
		t.Errorf("private entry reached a DM: %q", got)
	}
	if c.posts[len(c.posts)-1].Thread != "" {
		t.Errorf("a DM answer should not open a thread")
	}
	q := c.add("ops", "2", "", "cat", "@repertoire break-glass password?", true)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m2", Message: q, Text: "break-glass password?"}); err != nil {
		t.Fatal(err)
	}
	if got := c.lastPost(t); !strings.Contains(got, "Fridays") || !strings.Contains(got, "https://chat.example/ops/1") {
		t.Errorf("own channel should find it: %q", got)
	}
}

func TestSlashCommandIsEphemeral(t *testing.T) {
	b, c, _ := newBot(t)
	m := bot.Message{Ref: bot.MessageRef{Channel: bot.ChannelRef{Platform: "test", Space: "s", ID: "dev"}}, Author: user("ann")}
	if err := b.Handle(context.Background(), bot.Mentioned{ID: "x", Message: m, Text: "ask anything", Via: bot.ViaCommand, Interaction: "tok"}); err != nil {
		t.Fatal(err)
	}
	p := c.posts[0]
	if !p.Ephemeral || p.To.ID != "U-ann" || p.Interaction != "tok" {
		t.Errorf("post %+v", p)
	}
}
