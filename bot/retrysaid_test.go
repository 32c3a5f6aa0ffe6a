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

// busyStore is the real store whose next saves fail as a database busy
// with another writer does: an error its Transient says may pass.
type busyStore struct {
	repertoire.Store
	mu   sync.Mutex
	busy int // how many saves fail
}

var errBusy = errors.New("database is locked")

func (s *busyStore) Save(ctx context.Context, p repertoire.SaveParams) (repertoire.Entry, repertoire.SaveOutcome, error) {
	s.mu.Lock()
	fail := s.busy > 0
	s.busy--
	s.mu.Unlock()
	if fail {
		return repertoire.Entry{}, 0, errBusy
	}
	return s.Store.Save(ctx, p)
}

func (s *busyStore) Transient(err error) bool {
	return errors.Is(err, errBusy) || s.Store.Transient(err)
}

// mentionDecoder is a platform whose payloads are requests to the bot.
type mentionDecoder struct{}

func (mentionDecoder) Name() string { return "test" }

func (mentionDecoder) Decode(_ context.Context, d bot.Delivery) ([]bot.Event, error) {
	var m bot.Message
	if err := json.Unmarshal(d.Payload, &m); err != nil {
		return nil, err
	}
	return []bot.Event{bot.Mentioned{ID: d.ID, Message: m, Text: "save", Via: bot.ViaMention}}, nil
}

// A `save` that meets a busy database, which the inbox tries again, leaves
// one answer in the thread: "Saved", not "something went wrong" and then
// "Saved". When every attempt fails, the member is told.
func TestSaveRetriedAfterABusyStoreSaysOnlySaved(t *testing.T) {
	for _, tc := range []struct {
		busy      int
		saved     bool
		wantWords string
	}{{busy: 1, saved: true, wantWords: "Saved"}, {busy: 100, saved: false, wantWords: "went wrong"}} {
		raw, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		s := &busyStore{Store: raw, busy: tc.busy}
		c := &chat{}
		b := bot.New(s, nil, bot.Config{}, c)
		ctx := context.Background()
		c.add("dev", "1", "", "ann", "How do I clear the npm cache?", false)
		c.add("dev", "2", "1", "ben", "npm cache clean --force, then delete node_modules", false)
		cmd := c.add("dev", "3", "1", "cat", "@repertoire save", false)
		in := bot.NewInbox(s, b, nil, bot.InboxOptions{Workers: 1})
		in.Register(mentionDecoder{})
		payload, _ := json.Marshal(cmd)
		if err := in.Accept(ctx, bot.Delivery{Platform: "test", Kind: "mention", ID: "d1", Channel: "dev", Payload: payload}); err != nil {
			t.Fatal(err)
		}
		runInbox(t, in, s)
		in.Close()
		_, err = raw.EntryBySource(ctx, repertoire.Source{Platform: "test", Space: "s", Channel: "dev", Message: "2"})
		if (err == nil) != tc.saved {
			t.Errorf("busy %d: saved %v, want %v", tc.busy, err == nil, tc.saved)
		}
		var said []string
		for _, p := range c.posts {
			said = append(said, p.Text())
		}
		if len(said) != 1 || !strings.Contains(said[0], tc.wantWords) {
			t.Errorf("busy %d: the thread reads %q, want one answer with %q", tc.busy, said, tc.wantWords)
		}
	}
}
