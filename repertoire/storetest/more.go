package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// testOpenQuestions: questions are listed per channel, oldest first, since
// a time; closing by message or by ID removes exactly those.
func testOpenQuestions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	other := repertoire.Channel{Platform: "shell", Space: "local", ID: "random", Name: "random"}
	asker := repertoire.Person{ID: "U1", Name: "ann"}
	base := time.Date(2026, 4, 6, 10, 0, 0, 0, time.UTC)
	for i, q := range []repertoire.OpenQuestion{
		{Channel: general, MessageID: "q1", Asker: asker, Text: "How do we rotate keys?", AskedAt: base.Add(2 * time.Hour)},
		{Channel: general, MessageID: "q2", Asker: asker, Text: "Who owns the VPN?", AskedAt: base},
		{Channel: other, MessageID: "q3", Asker: asker, Text: "Lunch?", AskedAt: base.Add(time.Hour)},
		{Channel: general, MessageID: "q4", Asker: asker, Text: "Old question", AskedAt: base.Add(-48 * time.Hour)},
	} {
		if err := s.AddOpenQuestion(ctx, q); err != nil {
			t.Fatalf("question %d: %v", i, err)
		}
	}
	texts := func(qs []repertoire.OpenQuestion) string {
		var out []string
		for _, q := range qs {
			out = append(out, q.MessageID)
		}
		return fmt.Sprint(out)
	}
	qs, err := s.OpenQuestions(ctx, general, base.Add(-time.Hour))
	if err != nil || texts(qs) != "[q2 q1]" {
		t.Fatalf("open questions of general: %s %v", texts(qs), err)
	}
	if q := qs[0]; q.Text != "Who owns the VPN?" || q.Asker != asker || !q.AskedAt.Equal(base) || q.Channel.ID != "general" || q.ID == 0 {
		t.Errorf("question kept as %+v", q)
	}
	if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: general, Text: strings.Repeat("x", repertoire.MaxTextBytes+1)}); !errors.Is(err, repertoire.ErrTooLong) {
		t.Errorf("too long: %v", err)
	}
	n, err := s.CloseOpenQuestions(ctx, general, []string{"q1", "q3"}, nil)
	if err != nil || n != 1 {
		t.Errorf("close q1 (q3 is another channel's): %d %v", n, err)
	}
	all, _ := s.OpenQuestions(ctx, general, time.Time{})
	if texts(all) != "[q4 q2]" {
		t.Errorf("after closing q1: %s", texts(all))
	}
	if n, err := s.CloseOpenQuestions(ctx, general, nil, []int64{all[0].ID}); err != nil || n != 1 {
		t.Errorf("close by ID: %d %v", n, err)
	}
	if qs, _ := s.OpenQuestions(ctx, other, time.Time{}); texts(qs) != "[q3]" {
		t.Errorf("random: %s", texts(qs))
	}
	if st, err := s.Stats(ctx); err != nil || st.OpenQuestions != 2 {
		t.Errorf("stats %+v %v", st, err)
	}
}

// testDigestLeaseTakeover: a claim still posting after its lease is taken
// over (once per attempt); a finished one never is.
func testDigestLeaseTakeover(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	start := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	end := start.Add(7 * 24 * time.Hour)
	c, err := s.ClaimDigestLease(ctx, general, start, end, "a", time.Hour)
	if err != nil || !c.Claimed || c.TakenOver {
		t.Fatalf("first claim %+v %v", c, err)
	}
	if c, _ := s.ClaimDigestLease(ctx, general, start, end, "b", time.Hour); c.Claimed {
		t.Fatal("claimed within a live lease")
	}
	// With a lease of a millisecond, a's claim expires at once.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err = s.ClaimDigestLease(ctx, general, start, end, "b", time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if c.Claimed || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if !c.Claimed || !c.TakenOver || c.PrevClaimedAt.IsZero() {
		t.Fatalf("takeover %+v", c)
	}
	recs, err := s.Digests(ctx, general, 10)
	if err != nil || len(recs) != 1 || recs[0].ClaimedBy != "b" || recs[0].Attempts != 2 || recs[0].Status != repertoire.DigestPosting {
		t.Fatalf("record after takeover %+v %v", recs, err)
	}
	if err := s.FinishDigest(ctx, general, end, repertoire.DigestOutcome{Status: repertoire.DigestSent, MessageID: "d1", Entries: 3}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ClaimDigestLease(ctx, general, start, end, "c", time.Millisecond); c.Claimed {
		t.Error("a sent digest was taken over")
	}
	recs, _ = s.Digests(ctx, general, 10)
	if r := recs[0]; r.Status != repertoire.DigestSent || r.MessageID != "d1" || r.Entries != 3 || r.FinishedAt.IsZero() || !r.End.Equal(end) || !r.Start.Equal(start) {
		t.Errorf("finished record %+v", r)
	}
}

// testTryLock: a named lock has one holder at a time; release hands it
// on, twice is harmless; names are independent.
func testTryLock(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	release, ok, err := s.TryLock(ctx, repertoire.LockRetention)
	if err != nil || !ok || release == nil {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if _, ok, err := s.TryLock(ctx, repertoire.LockRetention); ok || err != nil {
		t.Fatalf("second holder: %v %v", ok, err)
	}
	other, ok, err := s.TryLock(ctx, repertoire.LockDigests)
	if !ok || err != nil {
		t.Fatalf("another name: %v %v", ok, err)
	}
	release()
	release()
	again, ok, err := s.TryLock(ctx, repertoire.LockRetention)
	if !ok || err != nil {
		t.Fatalf("after release: %v %v", ok, err)
	}
	again()
	other()
}

// testSignInTokensAndSessions: a sign-in link works once and only before
// it expires; a session lasts until it ends or expires.
func testSignInTokensAndSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	m := repertoire.WebMember{Platform: "slack", Space: "T1", Spaces: []string{"T2"}, ID: "U1", Name: "ann"}
	now := time.Now()
	if err := s.AddSignInToken(ctx, "tok-1", m, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSignInToken(ctx, "tok-old", m, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemSignInToken(ctx, "tok-old", "sess-0", now.Add(time.Hour)); !errors.Is(err, repertoire.ErrExpired) {
		t.Errorf("expired link: %v", err)
	}
	if _, err := s.RedeemSignInToken(ctx, "tok-unknown", "sess-0", now.Add(time.Hour)); !errors.Is(err, repertoire.ErrExpired) {
		t.Errorf("unknown link: %v", err)
	}
	got, err := s.RedeemSignInToken(ctx, "tok-1", "sess-1", now.Add(time.Hour))
	if err != nil || got.ID != "U1" || got.Name != "ann" || got.Space != "T1" || fmt.Sprint(got.Spaces) != "[T2]" || got.Platform != "slack" {
		t.Fatalf("redeem: %+v %v", got, err)
	}
	if _, err := s.RedeemSignInToken(ctx, "tok-1", "sess-2", now.Add(time.Hour)); !errors.Is(err, repertoire.ErrExpired) {
		t.Errorf("a link works once: %v", err)
	}
	if got, err := s.Session(ctx, "sess-1"); err != nil || got.ID != "U1" {
		t.Errorf("session: %+v %v", got, err)
	}
	if _, err := s.Session(ctx, "sess-2"); !errors.Is(err, repertoire.ErrExpired) {
		t.Errorf("unknown session: %v", err)
	}
	if err := s.EndSession(ctx, "sess-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "sess-1"); !errors.Is(err, repertoire.ErrExpired) {
		t.Errorf("ended session: %v", err)
	}
	if err := s.AddSignInToken(ctx, "tok-2", m, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemSignInToken(ctx, "tok-2", "sess-3", now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "sess-3"); !errors.Is(err, repertoire.ErrExpired) {
		t.Errorf("expired session: %v", err)
	}
}

// testArchivedDigestsUnderAudience: the archive shows a channel's digests
// to whom may see the channel.
func testArchivedDigestsUnderAudience(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	priv := repertoire.Channel{Platform: "shell", Space: "local", ID: "secret", Name: "secret", Private: true}
	t1 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for i, ch := range []repertoire.Channel{general, priv, general} {
		at := t1.Add(time.Duration(i) * 7 * 24 * time.Hour)
		if _, err := s.ArchiveDigest(ctx, repertoire.ArchivedDigest{Channel: ch, Start: at.Add(-7 * 24 * time.Hour), End: at,
			MessageID: fmt.Sprint("d", i), Text: fmt.Sprint("digest ", i), PostedAt: at, People: []string{"U1"}}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(a repertoire.Audience) string {
		ds, more, err := s.ArchivedDigests(ctx, a, 10, 0)
		if err != nil || more {
			t.Fatalf("archive: %v %v", more, err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.MessageID)
		}
		return fmt.Sprint(out)
	}
	member := repertoire.Audience{Platform: "shell", Spaces: []string{"local"}}
	insider := repertoire.Audience{Platform: "shell", Spaces: []string{"local"}, Channels: []repertoire.Channel{priv}}
	if got := ids(member); got != "[d2 d0]" {
		t.Errorf("member sees %s", got)
	}
	if got := ids(insider); got != "[d2 d1 d0]" {
		t.Errorf("insider sees %s", got)
	}
	if got := ids(repertoire.Audience{}); got != "[]" {
		t.Errorf("nobody sees %s", got)
	}
	if ds, more, _ := s.ArchivedDigests(ctx, insider, 1, 1); !more || len(ds) != 1 || ds[0].MessageID != "d1" || ds[0].Text != "digest 1" {
		t.Errorf("second page: %+v %v", ds, more)
	}
	chans, err := s.PrivateChannels(ctx, "shell")
	if err != nil || len(chans) != 1 || chans[0].ID != "secret" {
		t.Errorf("private channels %+v %v", chans, err)
	}
}
