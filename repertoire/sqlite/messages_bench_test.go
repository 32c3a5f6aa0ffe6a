package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// BenchmarkLoggedMessages reads the window the bot reads for every message
// and reaction it applies (100 messages of a busy channel, half of them
// with a reaction):
// go test ./repertoire/sqlite -run '^$' -bench LoggedMessages
func BenchmarkLoggedMessages(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "log.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ch := repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1", Name: "general"}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range 300 {
		m := repertoire.LoggedMessage{Channel: ch, ID: fmt.Sprintf("1700000000.%06d", i), Author: repertoire.Person{ID: fmt.Sprint("U", i%7), Name: "member"},
			Text: fmt.Sprintf("message %d: drain the queue before a deploy, then restart the worker", i), At: at.Add(time.Duration(i) * time.Second)}
		if err := s.LogMessage(ctx, fmt.Sprint("ev", i), m); err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.LogReaction(ctx, repertoire.Source{Platform: ch.Platform, Space: ch.Space, Channel: ch.ID, Message: m.ID}, "U9", "bulb", true, time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	q := repertoire.MessageQuery{Channel: repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID}, Since: at, Limit: 100}
	b.ResetTimer()
	for b.Loop() {
		msgs, err := s.LoggedMessages(ctx, q)
		if err != nil || len(msgs) != 100 {
			b.Fatal(len(msgs), err)
		}
	}
}
