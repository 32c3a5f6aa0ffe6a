package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// unsaveBusyStore is the real store whose unsave number failAt (1 the
// first) fails as a database busy with another writer does.
type unsaveBusyStore struct {
	repertoire.Store
	mu     sync.Mutex
	calls  int
	failAt int
}

func (s *unsaveBusyStore) Unsave(ctx context.Context, event string, src repertoire.Source, userID string) (repertoire.UnsaveOutcome, error) {
	s.mu.Lock()
	s.calls++
	fail := s.calls == s.failAt
	s.mu.Unlock()
	if fail {
		return repertoire.NotSaved, errBusy
	}
	return s.Store.Unsave(ctx, event, src, userID)
}

func (s *unsaveBusyStore) Transient(err error) bool {
	return errors.Is(err, errBusy) || s.Store.Transient(err)
}

// unsaveDecoder is a platform whose payloads are "unsave" requests.
type unsaveDecoder struct{}

func (unsaveDecoder) Name() string { return "test" }

func (unsaveDecoder) Decode(_ context.Context, d bot.Delivery) ([]bot.Event, error) {
	var m bot.Message
	if err := json.Unmarshal(d.Payload, &m); err != nil {
		return nil, err
	}
	return []bot.Event{bot.Mentioned{ID: d.ID, Message: m, Text: "unsave", Via: bot.ViaMention}}, nil
}

// An unsave in a thread with two entries whose second write meets a busy
// database: the inbox tries it again, the first (done already) is not
// undone twice, and the thread reads one answer naming both.
func TestUnsaveRetriedAfterABusyStoreCompletesOnce(t *testing.T) {
	raw, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	s := &unsaveBusyStore{Store: raw, failAt: 2}
	c := &chat{}
	b := bot.New(s, nil, bot.Config{}, c)
	ctx := context.Background()
	c.add("dev", "1", "", "ann", "How do I clear the npm cache?", false)
	c.add("dev", "2", "1", "ben", "npm cache clean --force, then delete node_modules", false)
	c.add("dev", "3", "1", "dan", "or pin npm to 10.2 where the EINTEGRITY bug is fixed", false)
	for _, id := range []string{"2", "3"} {
		target := bot.MessageRef{Channel: bot.ChannelRef{Platform: "test", Space: "s", ID: "dev"}, ID: id, Thread: "1"}
		for i, who := range []string{"cat", "eve"} { // cat saves, eve votes
			if err := b.Handle(ctx, bot.ReactionAdded{ID: "r" + id + who, Target: target, User: bot.User{ID: "U-" + who, Name: who}, Emoji: bot.Emoji{Unicode: "💡"}}); err != nil {
				t.Fatal(i, err)
			}
		}
	}
	c.mu.Lock()
	c.posts = nil
	c.mu.Unlock()
	cmd := c.add("dev", "4", "1", "eve", "@repertoire unsave", false)
	in := bot.NewInbox(s, b, nil, bot.InboxOptions{Workers: 1})
	in.Register(unsaveDecoder{})
	payload, _ := json.Marshal(cmd)
	if err := in.Accept(ctx, bot.Delivery{Platform: "test", Kind: "mention", ID: "d1", Channel: "dev", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	runInbox(t, in, s)
	in.Close()
	for _, id := range []string{"2", "3"} {
		e, err := raw.EntryBySource(ctx, repertoire.Source{Platform: "test", Space: "s", Channel: "dev", Message: id})
		if err != nil || e.Votes != 1 {
			t.Errorf("entry of %s after eve's unsave: %+v, %v", id, e, err)
		}
	}
	var said []string
	for _, p := range c.posts {
		said = append(said, p.Doc.Text())
	}
	if len(said) != 1 || strings.Count(said[0], "I took back your") != 2 || strings.Contains(said[0], "went wrong") {
		t.Errorf("the thread reads %q, want one answer taking back both", said)
	}
}
