package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// testCatchUpCheckpoints: the channels catch-up visits are those of the
// platform whose messages the log holds since a time, each with the
// checkpoint saved last (zero before any).
func testCatchUpCheckpoints(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	old := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	recent := old.Add(48 * time.Hour)
	priv := repertoire.Channel{Platform: "shell", Space: "local", ID: "secret", Name: "secret", Private: true}
	other := repertoire.Channel{Platform: "discord", Space: "9", ID: "91", Name: "chat"}
	for i, m := range []repertoire.LoggedMessage{
		{Channel: general, ID: "m1", Author: repertoire.Person{ID: "U1"}, Text: "hello", At: recent},
		{Channel: priv, ID: "m2", Author: repertoire.Person{ID: "U1"}, Text: "psst", At: recent.Add(time.Minute)},
		{Channel: repertoire.Channel{Platform: "shell", Space: "local", ID: "stale", Name: "stale"}, ID: "m3", Author: repertoire.Person{ID: "U1"}, Text: "old", At: old},
		{Channel: other, ID: "m4", Author: repertoire.Person{ID: "U2"}, Text: "salut", At: recent},
	} {
		if err := s.LogMessage(ctx, fmt.Sprint("ev", i), m); err != nil {
			t.Fatal(err)
		}
	}
	list := func() map[string]repertoire.CatchUpChannel {
		t.Helper()
		cs, err := s.CatchUpChannels(ctx, "shell", old.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]repertoire.CatchUpChannel{}
		for _, c := range cs {
			out[c.Channel.ID] = c
		}
		return out
	}
	cs := list()
	if len(cs) != 2 || cs["general"].Channel.Name != "general" || cs["general"].Channel.Space != "local" || !cs["secret"].Channel.Private {
		t.Fatalf("channels to catch up: %+v", cs)
	}
	if c := cs["general"]; !c.DoneAt.IsZero() || !c.PassAt.IsZero() || c.Cursor != "" || !c.CursorAt.IsZero() {
		t.Errorf("a channel never caught up has a checkpoint: %+v", c)
	}
	pass := recent.Add(time.Hour)
	cp := repertoire.CatchUpChannel{Channel: general, PassAt: pass, Cursor: "m1", CursorAt: recent}
	if err := s.SaveCatchUp(ctx, cp); err != nil {
		t.Fatal(err)
	}
	if c := list()["general"]; !c.PassAt.Equal(pass) || c.Cursor != "m1" || !c.CursorAt.Equal(recent) || !c.DoneAt.IsZero() {
		t.Errorf("checkpoint in a pass: %+v", c)
	}
	// The pass completes: the checkpoint is replaced.
	if err := s.SaveCatchUp(ctx, repertoire.CatchUpChannel{Channel: general, DoneAt: pass}); err != nil {
		t.Fatal(err)
	}
	if c := list()["general"]; !c.DoneAt.Equal(pass) || !c.PassAt.IsZero() || c.Cursor != "" {
		t.Errorf("checkpoint after the pass: %+v", c)
	}
	if c := list()["secret"]; !c.DoneAt.IsZero() {
		t.Errorf("another channel's checkpoint changed: %+v", c)
	}
}

// testPurgeSpaceForgetsCatchUp: purging a space removes its catch-up
// checkpoints with the rest, so a reinstall starts catch-up afresh
// instead of trusting a pass over a log that is gone; other spaces keep
// theirs.
func testPurgeSpaceForgetsCatchUp(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	gone := repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1", Name: "general"}
	kept := repertoire.Channel{Platform: "slack", Space: "T2", ID: "C1", Name: "general"}
	logAt := func(ev string, ch repertoire.Channel, id string) {
		t.Helper()
		if err := s.LogMessage(ctx, ev, repertoire.LoggedMessage{Channel: ch, ID: id, Author: repertoire.Person{ID: "U1"}, Text: "hello", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	logAt("ev1", gone, "m1")
	logAt("ev2", kept, "m1")
	for _, ch := range []repertoire.Channel{gone, kept} {
		if err := s.SaveCatchUp(ctx, repertoire.CatchUpChannel{Channel: ch, DoneAt: at.Add(time.Hour),
			PassAt: at.Add(2 * time.Hour), Cursor: "m1", CursorAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PurgeSpace(ctx, "ev-purge", "slack", "T1"); err != nil {
		t.Fatal(err)
	}
	// The bot is installed again and hears the channel.
	logAt("ev3", gone, "m2")
	cs, err := s.CatchUpChannels(ctx, "slack", at.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range cs {
		switch c.Channel.Space {
		case "T1":
			seen++
			if !c.DoneAt.IsZero() || !c.PassAt.IsZero() || c.Cursor != "" || !c.CursorAt.IsZero() {
				t.Errorf("a purged space's catch-up checkpoint survived: %+v", c)
			}
		case "T2":
			seen++
			if !c.DoneAt.Equal(at.Add(time.Hour)) || c.Cursor != "m1" {
				t.Errorf("another space's checkpoint changed: %+v", c)
			}
		}
	}
	if seen != 2 {
		t.Errorf("channels to catch up after the purge: %+v", cs)
	}
}
