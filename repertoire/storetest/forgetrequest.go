package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// A "forget me" awaiting its confirmation is kept by the store: per member,
// the same request again keeps its time, another replaces it, the forget
// removes it, and a day-old one goes when another member asks.
func testForgetRequestsAwaitConfirmation(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if _, err := s.ForgetAsked(ctx, "shell", "U-bob"); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("no request yet: %v", err)
	}
	ask := func(user, req string, when time.Time) {
		t.Helper()
		if err := s.AskForget(ctx, "shell", user, repertoire.ForgetRequest{Request: req, At: when}); err != nil {
			t.Fatal(err)
		}
	}
	want := func(user string, w repertoire.ForgetRequest) {
		t.Helper()
		r, err := s.ForgetAsked(ctx, "shell", user)
		if err != nil || r.Request != w.Request || !r.At.Equal(w.At) {
			t.Fatalf("ForgetAsked(%s) = %+v, %v; want %+v", user, r, err, w)
		}
	}
	ask("U-bob", "m1", at)
	ask("U-bob", "m1", at.Add(time.Minute)) // a redelivery
	want("U-bob", repertoire.ForgetRequest{Request: "m1", At: at})
	ask("U-bob", "m2", at.Add(2*time.Minute))
	want("U-bob", repertoire.ForgetRequest{Request: "m2", At: at.Add(2 * time.Minute)})
	if _, err := s.ForgetAsked(ctx, "discord", "U-bob"); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("another platform's member: %v", err)
	}
	ask("U-carol", "m3", at)
	if _, err := s.ForgetUser(ctx, "shell", "U-bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetAsked(ctx, "shell", "U-bob"); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("the forget left its request: %v", err)
	}
	want("U-carol", repertoire.ForgetRequest{Request: "m3", At: at})
	ask("U-dave", "m4", at.Add(25*time.Hour))
	if _, err := s.ForgetAsked(ctx, "shell", "U-carol"); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("a day-old request stayed: %v", err)
	}
	// Pruning with the delivery IDs drops the requests asked before.
	if _, err := s.PruneEvents(ctx, at.Add(26*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetAsked(ctx, "shell", "U-dave"); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("pruning left a request: %v", err)
	}
}
