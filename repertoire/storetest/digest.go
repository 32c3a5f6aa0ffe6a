package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

var week0 = time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC)

func saveAt(t *testing.T, s repertoire.Store, ch repertoire.Channel, src, author, answer string, at time.Time, savers ...string) repertoire.Entry {
	t.Helper()
	var e repertoire.Entry
	for i, sv := range savers {
		var err error
		e, _, err = s.Save(context.Background(), repertoire.SaveParams{
			Channel: ch, SourceID: src, Kind: repertoire.Tip, Answer: answer,
			Author: repertoire.Person{ID: "U-" + author, Name: author},
			Saver:  repertoire.Person{ID: "U-" + sv, Name: sv}, At: at.Add(time.Duration(i) * time.Minute),
			Permalink: "https://chat.example/" + ch.ID + "/" + src,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func testDigestDataIsThePeriodOfOneChannel(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	secret := repertoire.Channel{Platform: "shell", Space: "local", ID: "secret", Name: "secret", Private: true}
	end := week0.Add(7 * 24 * time.Hour)
	old := saveAt(t, s, general, "old", "ann", "An old tip from last month", week0.Add(-30*24*time.Hour), "bob", "carol", "dan")
	saveAt(t, s, general, "old2", "ann", "A weaker old tip", week0.Add(-20*24*time.Hour), "bob")
	saveAt(t, s, general, "a", "bob", "First of the week", week0.Add(time.Hour), "carol")
	saveAt(t, s, general, "b", "carol", "Best of the week", week0.Add(48*time.Hour), "bob", "dan", "erin")
	saveAt(t, s, general, "late", "dan", "Saved after the period", end, "bob")
	saveAt(t, s, secret, "p", "erin", "Private to #secret", week0.Add(time.Hour), "frank")
	if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: general, Asker: repertoire.Person{ID: "U-gus", Name: "gus"},
		Text: "Who owns DNS?", AskedAt: week0.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: secret, Asker: repertoire.Person{ID: "U-gus", Name: "gus"},
		Text: "Private question", AskedAt: week0.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}

	d, err := s.DigestData(ctx, general, week0, end, repertoire.DigestLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if d.TotalEntries != 2 || len(d.Entries) != 2 || d.Entries[0].SourceID != "b" || d.Entries[1].SourceID != "a" {
		t.Fatalf("entries %d %+v", d.TotalEntries, d.Entries)
	}
	if len(d.Entries[0].Savers) != 1 || d.Entries[0].Savers[0].Name != "bob" || d.Entries[0].Votes != 3 {
		t.Errorf("best entry savers/votes: %+v %d", d.Entries[0].Savers, d.Entries[0].Votes)
	}
	var names []string
	for _, c := range d.Contributors {
		names = append(names, fmt.Sprintf("%s:%d/%d", c.Name, c.Authored, c.Saved))
	}
	if fmt.Sprint(names) != "[bob:1/1 carol:1/1]" {
		t.Errorf("contributors %v", names)
	}
	if d.TotalOpen != 1 || len(d.OpenQuestions) != 1 || d.OpenQuestions[0].Text != "Who owns DNS?" {
		t.Errorf("open questions %+v", d.OpenQuestions)
	}
	if d.Rediscover == nil || d.Rediscover.ID != old.ID {
		t.Errorf("rediscover %+v, want the best old entry", d.Rediscover)
	}
	if d.Channel.Name != "general" {
		t.Errorf("channel %+v", d.Channel)
	}

	p, err := s.DigestData(ctx, secret, week0, end, repertoire.DigestLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalEntries != 1 || p.Entries[0].SourceID != "p" || p.TotalOpen != 1 || p.Rediscover != nil || !p.Channel.Private {
		t.Errorf("#secret's data: %+v", p)
	}

	lim, err := s.DigestData(ctx, general, week0, end, repertoire.DigestLimits{Entries: 1})
	if err != nil || len(lim.Entries) != 1 || lim.TotalEntries != 2 {
		t.Errorf("limited: %d of %d, %v", len(lim.Entries), lim.TotalEntries, err)
	}
}

func testRediscoverRotates(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := saveAt(t, s, general, "a", "ann", "Old tip A", week0.Add(-40*24*time.Hour), "bob", "carol")
	b := saveAt(t, s, general, "b", "ann", "Old tip B", week0.Add(-30*24*time.Hour), "bob")
	var featured []int64
	for i := range 4 {
		start := week0.Add(time.Duration(i) * 7 * 24 * time.Hour)
		end := start.Add(7 * 24 * time.Hour)
		d, err := s.DigestData(ctx, general, start, end, repertoire.DigestLimits{})
		if err != nil || d.Rediscover == nil {
			t.Fatalf("week %d: %+v %v", i, d.Rediscover, err)
		}
		featured = append(featured, d.Rediscover.ID)
		if ok, err := claim(s, general, start, end, "t"); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if err := s.FinishDigest(ctx, general, end, repertoire.DigestOutcome{Status: repertoire.DigestSent, RediscoverID: d.Rediscover.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int64{a.ID, b.ID, a.ID, b.ID}; fmt.Sprint(featured) != fmt.Sprint(want) {
		t.Errorf("featured %v, want %v", featured, want)
	}
}

func testClaimDigestOncePerPeriod(t *testing.T, open Opener) {
	ctx := context.Background()
	end := week0.Add(7 * 24 * time.Hour)
	// Twenty claimers at once; replicas sharing one database are the
	// stores' own tests.
	s := open(t)
	var wg sync.WaitGroup
	wins := make(chan bool, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := claim(s, general, week0, end, fmt.Sprint("p", i))
			if err != nil {
				t.Error(err)
			}
			wins <- ok
		}()
	}
	wg.Wait()
	close(wins)
	n := 0
	for ok := range wins {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d claims won, want 1", n)
	}
	// A failed attempt may be claimed again, up to MaxDigestAttempts in all.
	for i := 1; i < repertoire.MaxDigestAttempts; i++ {
		if err := s.FinishDigest(ctx, general, end, repertoire.DigestOutcome{Status: repertoire.DigestFailed, Error: "down"}); err != nil {
			t.Fatal(err)
		}
		if ok, err := claim(s, general, week0, end, "retry"); !ok || err != nil {
			t.Fatalf("retry %d: %v %v", i, ok, err)
		}
	}
	if err := s.FinishDigest(ctx, general, end, repertoire.DigestOutcome{Status: repertoire.DigestFailed}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := claim(s, general, week0, end, "again"); ok {
		t.Error("claimed after MaxDigestAttempts failures")
	}
	// A sent period is never claimed again; another period is.
	if ok, _ := claim(s, general, end, end.Add(7*24*time.Hour), "p"); !ok {
		t.Error("next period not claimable")
	}
	if err := s.FinishDigest(ctx, general, end.Add(7*24*time.Hour), repertoire.DigestOutcome{Status: repertoire.DigestSent}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := claim(s, general, end, end.Add(7*24*time.Hour), "p"); ok {
		t.Error("sent period claimed again")
	}
	if err := s.FinishDigest(ctx, general, end.Add(time.Hour), repertoire.DigestOutcome{Status: repertoire.DigestSent}); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("finishing an unclaimed period: %v", err)
	}
}

func testDigestSchedules(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.GetDigestSchedule(ctx, general); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("no row yet: %v", err)
	}
	d := repertoire.DigestSchedule{Channel: general, Spec: "0 9 * * 1", Zone: "Europe/Berlin", Enabled: true, UpdatedBy: "U1"}
	if err := s.SetDigestSchedule(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Enabled, d.Quiet = false, repertoire.QuietSkip
	if err := s.SetDigestSchedule(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDigestSchedule(ctx, general)
	if err != nil || got.Enabled || got.Quiet != repertoire.QuietSkip || got.Zone != "Europe/Berlin" || got.Channel.Name != "general" {
		t.Errorf("got %+v %v", got, err)
	}
	all, err := s.DigestSchedules(ctx)
	if err != nil || len(all) != 1 {
		t.Errorf("all %+v %v", all, err)
	}
	if err := s.SetDigestSchedule(ctx, repertoire.DigestSchedule{Channel: general, Spec: "x", Zone: "UTC", Quiet: "loud"}); !errors.Is(err, repertoire.ErrInvalid) {
		t.Errorf("bad quiet accepted: %v", err)
	}
	saveAt(t, s, general, "a", "ann", "tip", week0, "bob")
	if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: repertoire.Channel{Platform: "shell", Space: "local", ID: "q-only"},
		Asker: repertoire.Person{ID: "U1"}, Text: "?"}); err != nil {
		t.Fatal(err)
	}
	saveAt(t, s, repertoire.Channel{Platform: "shell", Space: "other", ID: "general"}, "b", "ann", "tip", week0, "bob")
	saveAt(t, s, repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1"}, "c", "ann", "tip", week0, "bob")
	saveAt(t, s, repertoire.Channel{Platform: "slack", Space: "T1", ID: "C2"}, "d", "ann", "tip", week0, "bob")
	saveAt(t, s, repertoire.Channel{Platform: "slack", Space: "T1", ID: "C2"}, "e", "ann", "tip", week0, "bob")
	chs, err := s.ActiveChannels(ctx)
	var keys []string
	for _, c := range chs {
		keys = append(keys, c.Platform+"/"+c.Space+"/"+c.ID)
	}
	if err != nil || fmt.Sprint(keys) != "[shell/local/general shell/local/q-only shell/other/general slack/T1/C1 slack/T1/C2]" {
		t.Errorf("active channels %v %v", keys, err)
	}
}

// Detected entries are kept apart until a member confirms them, and "this
// helped" feedback and recall hits reach the digest's data.
func testDigestDataDetectedAndFeedback(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	end := week0.Add(7 * 24 * time.Hour)
	a := saveAt(t, s, general, "a", "bob", "One vote, but it helped twice", week0.Add(time.Hour), "carol")
	saveAt(t, s, general, "b", "carol", "Two votes", week0.Add(2*time.Hour), "bob", "dan")
	det, _, err := s.Save(ctx, repertoire.SaveParams{Channel: general, SourceID: "d", Kind: repertoire.Solution,
		Question: "Why is the VPN slow?", Answer: "Switch to the EU gateway.", Status: repertoire.Detected,
		Author: repertoire.Person{ID: "U-erin", Name: "erin"}, At: week0.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	answer := repertoire.Source{Platform: general.Platform, Space: general.Space, Channel: general.ID, Message: "bot-1"}
	if err := s.RecordRecall(ctx, answer, []int64{a.ID}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"U-x", "U-y"} {
		if _, err := s.Feedback(ctx, "", answer, u, true, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.DigestData(ctx, general, week0, end, repertoire.DigestLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if d.TotalEntries != 2 || len(d.Entries) != 2 || d.Entries[0].ID != a.ID || d.Entries[0].Helpful != 2 || d.Hits[a.ID] != 1 {
		t.Fatalf("entries %+v hits %v", d.Entries, d.Hits)
	}
	if d.TotalDetected != 1 || len(d.Detected) != 1 || d.Detected[0].ID != det.ID {
		t.Fatalf("detected %d %+v", d.TotalDetected, d.Detected)
	}
	for _, c := range d.Contributors {
		if c.Name == "erin" {
			t.Errorf("an unconfirmed detection's author thanked: %+v", c)
		}
	}
	// A member's save confirms it: it joins the period's entries.
	if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: general, SourceID: "d", Kind: repertoire.Solution,
		Answer: "Switch to the EU gateway.", Author: repertoire.Person{ID: "U-erin", Name: "erin"},
		Saver: repertoire.Person{ID: "U-bob", Name: "bob"}, At: week0.Add(4 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d, err = s.DigestData(ctx, general, week0, end, repertoire.DigestLimits{})
	if err != nil || d.TotalEntries != 3 || d.TotalDetected != 0 || len(d.Detected) != 0 {
		t.Fatalf("after confirming: %d entries, %d detected, %v", d.TotalEntries, d.TotalDetected, err)
	}
}

// claim claims a digest period with a lease far longer than any test.
func claim(s repertoire.Store, ch repertoire.Channel, start, end time.Time, by string) (bool, error) {
	c, err := s.ClaimDigestLease(context.Background(), ch, start, end, by, time.Hour)
	return c.Claimed, err
}
