package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// testSignInAskedBeforeForget: a sign-in link asked for before the member's
// forget (a request still pending then) is not created; one asked for
// afterwards is, as anyone's.
func testSignInAskedBeforeForget(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	m := repertoire.WebMember{Platform: general.Platform, Space: general.Space, ID: "U-ann", Name: "ann", Asked: time.Now().Add(-time.Minute)}
	if _, err := s.ForgetUser(ctx, m.Platform, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSignInToken(ctx, "tok-before", m, time.Now().Add(time.Hour)); !errors.Is(err, repertoire.ErrForgotten) {
		t.Errorf("a link asked for before the forget: %v", err)
	}
	if _, err := s.RedeemSignInToken(ctx, "tok-before", "sess-1", time.Now().Add(time.Hour)); !errors.Is(err, repertoire.ErrExpired) {
		t.Errorf("the link asked for before the forget signs in: %v", err)
	}
	m.Asked = time.Now().Add(time.Minute)
	if err := s.AddSignInToken(ctx, "tok-after", m, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("a link asked for after the forget: %v", err)
	}
	if got, err := s.RedeemSignInToken(ctx, "tok-after", "sess-2", time.Now().Add(time.Hour)); err != nil || got.ID != m.ID {
		t.Errorf("the link asked for after the forget: %+v %v", got, err)
	}
}
