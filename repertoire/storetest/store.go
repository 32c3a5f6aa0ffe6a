package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

var general = repertoire.Channel{Platform: "shell", Space: "local", ID: "general", Name: "general"}

func saveParams(src, answer string, saver string) repertoire.SaveParams {
	return repertoire.SaveParams{
		Channel: general, SourceID: src, Kind: repertoire.Tip,
		Question: "How do I rotate the TLS certificate?", QuestionID: "q" + src,
		QuestionAuthor: repertoire.Person{ID: "U1", Name: "asker"},
		Answer:         answer, Author: repertoire.Person{ID: "U2", Name: "answerer"},
		Saver: repertoire.Person{ID: saver, Name: saver},
	}
}

func testSaveVoteUnsave(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	p := saveParams("m1", "Run certbot renew then reload nginx #tls", "U3")
	p.Event = "ev1"
	p.Tags = []string{"TLS", "#ops"}
	e, out, err := s.Save(ctx, p)
	if err != nil || out != repertoire.Created {
		t.Fatalf("save: %v %v", out, err)
	}
	if len(e.Savers) != 1 || e.Savers[0].ID != "U3" || e.Author.Name != "answerer" {
		t.Fatalf("entry: %+v", e)
	}
	if _, _, err := s.Save(ctx, p); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Fatalf("replayed save: %v", err)
	}
	p.Event = "ev2"
	if _, out, _ := s.Save(ctx, p); out != repertoire.Unchanged {
		t.Fatalf("same saver again: %v", out)
	}
	p.Event, p.Saver = "ev3", repertoire.Person{ID: "U4", Name: "dora"}
	e, out, err = s.Save(ctx, p)
	if err != nil || out != repertoire.AddedVote || e.Votes != 2 {
		t.Fatalf("vote: %v %v %d", out, err, e.Votes)
	}
	src := repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m1"}
	if o, err := s.Unsave(ctx, "", src, "U3"); err != nil || o != repertoire.RemovedSaver {
		t.Fatalf("unsave saver: %v %v", o, err)
	}
	e, _ = s.EntryBySource(ctx, src)
	if len(e.Savers) != 1 || e.Savers[0].ID != "U4" || e.Savers[0].Name != "dora" || e.Votes != 1 {
		t.Fatalf("voter should take over: %+v", e)
	}
	if o, err := s.Unsave(ctx, "", src, "U4"); err != nil || o != repertoire.Deleted {
		t.Fatalf("unsave last: %v %v", o, err)
	}
	if _, err := s.EntryBySource(ctx, src); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("entry should be gone: %v", err)
	}
}

func testSearchStemsAndSnippets(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, _, err := s.Save(ctx, saveParams("m1", "Run certbot renew, then reload nginx.", "U3")); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, repertoire.SearchParams{Text: "rotating certificates?", From: general})
	if err != nil || len(hits) != 1 {
		t.Fatalf("hits %v err %v", hits, err)
	}
	if hits[0].Snippet == "" {
		t.Fatal("no snippet")
	}
	_ = time.Now
}

func testVoteOncePerMember(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	e, _, err := s.Save(ctx, saveParams("m1", "Pin the toolchain in go.mod", "U3"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user string
		want bool
	}{{"U3", false}, {"U4", true}, {"U4", false}} {
		if added, err := s.Vote(ctx, "", e.ID, tc.user); err != nil || added != tc.want {
			t.Errorf("Vote(%s) = %v, %v; want %v", tc.user, added, err, tc.want)
		}
	}
	if _, err := s.Vote(ctx, "", 999, "U4"); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("vote for a missing entry: %v", err)
	}
	if e, _ = s.Entry(ctx, e.ID); e.Votes != 2 {
		t.Errorf("votes %d, want 2 (saver and one voter)", e.Votes)
	}
	if removed, err := s.Unvote(ctx, "", e.ID, "U4"); err != nil || !removed {
		t.Errorf("unvote: %v %v", removed, err)
	}
	if e, _ = s.Entry(ctx, e.ID); e.Votes != 1 {
		t.Errorf("votes %d after unvote, want 1", e.Votes)
	}
}
