package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// testKeepOpenQuestion: keeping a question open is one write applied once
// per event. The same message is kept once however often it is asked for,
// and a redelivered event does not reopen a question closed since.
func testKeepOpenQuestion(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	ann := repertoire.Person{ID: "U1", Name: "ann"}
	at := time.Date(2026, 4, 6, 10, 0, 0, 0, time.UTC)
	q := repertoire.OpenQuestion{Channel: general, MessageID: "k1", Asker: ann, Text: "How do we rotate keys?", AskedAt: at}
	count := func() int {
		t.Helper()
		qs, err := s.OpenQuestions(ctx, general, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return len(qs)
	}
	if was, err := s.KeepOpenQuestion(ctx, "ev1", q); err != nil || was {
		t.Fatalf("first keep: %v %v", was, err)
	}
	if was, err := s.KeepOpenQuestion(ctx, "ev2", q); err != nil || !was || count() != 1 {
		t.Errorf("second keep of the same message: was %v, %d open, %v", was, count(), err)
	}
	if n, err := s.CloseOpenQuestions(ctx, general, []string{"k1"}, nil); err != nil || n != 1 {
		t.Fatalf("close: %d %v", n, err)
	}
	if _, err := s.KeepOpenQuestion(ctx, "ev1", q); !errors.Is(err, repertoire.ErrAlreadyApplied) || count() != 0 {
		t.Errorf("a redelivered event reopened the question: %d open, %v", count(), err)
	}
	if was, err := s.KeepOpenQuestion(ctx, "", q); err != nil || was || count() != 1 {
		t.Errorf("keep with no event: was %v, %d open, %v", was, count(), err)
	}
	long := q
	long.MessageID, long.Text = "k2", strings.Repeat("x", repertoire.MaxTextBytes+1)
	if _, err := s.KeepOpenQuestion(ctx, "ev3", long); !errors.Is(err, repertoire.ErrTooLong) {
		t.Errorf("too long: %v", err)
	}
	if _, err := s.ForgetUser(ctx, general.Platform, ann.ID); err != nil {
		t.Fatal(err)
	}
	if was, err := s.KeepOpenQuestion(ctx, "ev4", q); err != nil || was || count() != 0 {
		t.Errorf("a forgotten asker's earlier question was kept: %d open, %v", count(), err)
	}
}
