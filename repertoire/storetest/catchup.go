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
