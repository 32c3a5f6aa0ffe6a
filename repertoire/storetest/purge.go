package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

func testPurgeSpace(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	gone := repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1"}
	kept := repertoire.Channel{Platform: "slack", Space: "T2", ID: "C1"}
	for i, ch := range []repertoire.Channel{gone, kept} {
		p := saveParams("m1", "Run certbot renew then reload nginx", "U3")
		p.Channel = ch
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(i, err)
		}
		p.Saver, p.Event = repertoire.Person{ID: "U9"}, ""
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(i, err)
		}
		if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: ch, Asker: repertoire.Person{ID: "U1"}, Text: "how do we deploy?"}); err != nil {
			t.Fatal(err)
		}
		if err := s.LogMessage(ctx, "", repertoire.LoggedMessage{Channel: ch, ID: "m2", Author: repertoire.Person{ID: "U1"}, Text: "how do we deploy?"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDetectMode(ctx, ch, repertoire.DetectAuto, "U1"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.PurgeSpace(ctx, "ev-uninstall", "slack", "T1")
	if err != nil || p.Entries != 1 || p.OpenQuestions != 1 || p.Messages != 1 {
		t.Fatalf("purge: %+v %v", p, err)
	}
	if _, err := s.PurgeSpace(ctx, "ev-uninstall", "slack", "T1"); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Fatalf("redelivered purge: %v", err)
	}
	if _, err := s.EntryBySource(ctx, repertoire.Source{Platform: "slack", Space: "T1", Channel: "C1", Message: "m1"}); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("purged entry still there: %v", err)
	}
	hits, err := s.Search(ctx, repertoire.SearchParams{Text: "certbot", From: gone})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Channel.Space == "T1" {
			t.Fatalf("purged entry still searchable: %+v", h)
		}
	}
	if qs, _ := s.OpenQuestions(ctx, gone, time.Time{}); len(qs) != 0 {
		t.Fatalf("open questions left: %v", qs)
	}
	if _, err := s.EntryBySource(ctx, repertoire.Source{Platform: "slack", Space: "T2", Channel: "C1", Message: "m1"}); err != nil {
		t.Fatalf("other workspace's entry purged: %v", err)
	}
	if qs, _ := s.OpenQuestions(ctx, kept, time.Time{}); len(qs) != 1 {
		t.Fatalf("other workspace's open question purged: %v", qs)
	}
	for ch, want := range map[repertoire.Channel]int{gone: 0, kept: 1} {
		src := repertoire.Source{Platform: ch.Platform, Space: ch.Space, Channel: ch.ID, Message: "m2"}
		_, err := s.LoggedMessageBySource(ctx, src)
		if got := map[bool]int{true: 1, false: 0}[err == nil]; got != want {
			t.Errorf("%s: logged message kept = %d, want %d (%v)", ch.Space, got, want, err)
		}
		if mode, err := s.DetectModeOf(ctx, ch); err != nil || (mode == repertoire.DetectAuto) != (want == 1) {
			t.Errorf("%s: detect mode %q after purge (%v)", ch.Space, mode, err)
		}
	}
	if _, err := s.PurgeSpace(ctx, "", "slack", ""); !errors.Is(err, repertoire.ErrInvalid) {
		t.Fatalf("empty space: %v", err)
	}
}
