package storetest

import (
	"context"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// An exchange detection kept, confirmed by a member's save, goes back to
// detected when that member takes the save back: it was the bot's before
// it was theirs. An entry nobody but the member kept is still deleted.
func testUnsaveOfAConfirmedDetectionUnconfirmsIt(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	p := saveParams("m1", "run npm cache clean --force in the pre-build hook", "")
	p.Saver, p.Status = repertoire.Person{}, repertoire.Detected
	e, _, err := s.Save(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := s.RecordDetection(ctx, repertoire.Detection{Channel: general, ThreadID: "qm1", QuestionID: "qm1", AnswerID: "m1",
		Kind: repertoire.Tip, Score: 4, Action: repertoire.ActionSaved, At: e.CreatedAt})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetDetectionOutcome(ctx, id, "", e.ID); err != nil {
		t.Fatal(err)
	}
	confirm := saveParams("m1", p.Answer, "U-erin")
	if e, _, err = s.Save(ctx, confirm); err != nil || e.Status != repertoire.Saved {
		t.Fatalf("confirm: %+v %v", e.Status, err)
	}
	src := repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m1"}
	out, err := s.Unsave(ctx, "", src, "U-erin")
	if err != nil || out != repertoire.Unconfirmed {
		t.Fatalf("unsave of the confirming save: %v %v, want Unconfirmed", out, err)
	}
	if e, err := s.EntryBySource(ctx, src); err != nil || e.Status != repertoire.Detected || len(e.Savers) != 0 {
		t.Errorf("after the unsave: %+v %v, want it detected, saved by nobody", e, err)
	}
	if _, _, err := s.Save(ctx, saveParams("m2", "a tip only carol kept", "U-carol")); err != nil {
		t.Fatal(err)
	}
	src.Message = "m2"
	if out, err := s.Unsave(ctx, "", src, "U-carol"); err != nil || out != repertoire.Deleted {
		t.Errorf("unsave of a member's own entry: %v %v, want Deleted", out, err)
	}
}
