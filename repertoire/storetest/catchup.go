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

// testCatchUpReadsAnswersAndThreads: what catch-up compares a channel's
// history with besides the log: the recall answers posted there with the
// 👍/👎 held on each (a vote taken back is gone), and the threads with
// replies logged recently, most recently replied first.
func testCatchUpReadsAnswersAndThreads(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	ids := saveAll(t, s, entrySpec{src: "e1", question: "Rotate the certificate", answer: "Run certbot renew."})
	before := time.Now().Add(-time.Minute)
	src := func(ch, msg string) repertoire.Source {
		return repertoire.Source{Platform: general.Platform, Space: general.Space, Channel: ch, Message: msg}
	}
	for _, a := range []repertoire.Source{src("general", "bot-1"), src("general", "bot-2"), src("other", "bot-3")} {
		if err := s.RecordRecall(ctx, a, []int64{ids["e1"]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		msg, user string
		helpful   bool
	}{{"bot-1", "U2", true}, {"bot-1", "U1", true}, {"bot-1", "U3", false}, {"bot-1", "U4", true}, {"bot-3", "U1", true}} {
		if _, err := s.Feedback(ctx, "", src(map[bool]string{true: "other", false: "general"}[f.msg == "bot-3"], f.msg), f.user, f.helpful, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Unfeedback(ctx, "", src("general", "bot-1"), "U4", true); err != nil {
		t.Fatal(err)
	}
	got, err := s.AnswerFeedbackSince(ctx, general, before)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[{bot-1 [U1 U2] [U3]} {bot-2 [] []}]" {
		t.Errorf("answers and their feedback in #general: %v", got)
	}
	if got, err := s.AnswerFeedbackSince(ctx, general, time.Now().Add(time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("answers posted after now: %v, %v", got, err)
	}

	// Threads: t1 replied to last, t2 earlier, t3 only before since; a
	// message with no replies is no thread; another channel's are not listed.
	at := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	for i, m := range []repertoire.LoggedMessage{
		{Channel: general, ID: "t1", At: at.Add(-72 * time.Hour)},
		{Channel: general, ID: "t1r1", Thread: "t1", At: at.Add(-2 * time.Hour)},
		{Channel: general, ID: "t2r1", Thread: "t2", At: at.Add(-3 * time.Hour)},
		{Channel: general, ID: "t2r2", Thread: "t2", At: at.Add(-4 * time.Hour)},
		{Channel: general, ID: "t3r1", Thread: "t3", At: at.Add(-50 * time.Hour)},
		{Channel: general, ID: "lone", At: at.Add(-time.Hour)},
		{Channel: repertoire.Channel{Platform: "shell", Space: "local", ID: "other"}, ID: "x1", Thread: "x", At: at},
	} {
		m.Author, m.Text = repertoire.Person{ID: "U1"}, "words "+m.ID
		if err := s.LogMessage(ctx, fmt.Sprint("log", i), m); err != nil {
			t.Fatal(err)
		}
	}
	threads, err := s.ActiveThreads(ctx, general, at.Add(-24*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(threads) != "[t1 t2]" {
		t.Errorf("active threads: %v, want [t1 t2]", threads)
	}
	if threads, err := s.ActiveThreads(ctx, general, at.Add(-100*time.Hour), 1); err != nil || fmt.Sprint(threads) != "[t1]" {
		t.Errorf("active threads, at most one: %v, %v", threads, err)
	}
}
