package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// An archived digest quotes its entries as posted; when an entry's source
// is deleted or its text edited, the archived digests of its channel that
// quote it (by its permalink, on a line of its own) leave the archive, so
// what the member took back is not readable on the web page. A digest
// quoting an entry whose permalink only starts the same, another channel's
// and an edit that changes no text keep theirs.
func testArchivedDigestsWithdrawWhatWasTakenBack(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	ops := repertoire.Channel{Platform: "shell", Space: "local", ID: "ops", Name: "ops"}
	link := func(src string) string { return "shell:#general/" + src }
	for _, src := range []string{"m1", "m2", "m10"} {
		p := saveParams(src, "The guest wifi password is printed on the fridge "+src, "U3")
		p.Permalink = link(src)
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	archive := func(id string, ch repertoire.Channel, quotes ...string) {
		text := "📚 What #" + ch.Name + " learned"
		for _, q := range quotes {
			text += "\n\n1. The guest wifi\n   “…”\n   tip by answerer\n   " + link(q)
		}
		if _, err := s.ArchiveDigest(ctx, repertoire.ArchivedDigest{Channel: ch, Start: at.Add(-7 * 24 * time.Hour), End: at,
			MessageID: id, Text: text + "\n\n🙏 Thanks", PostedAt: at}); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Hour)
	}
	archive("d-m1", general, "m1")
	archive("d-m2", general, "m2")
	archive("d-m10", general, "m10")
	archive("d-both", general, "m10", "m1")
	archive("d-ops", ops, "m1")
	left := func() []string {
		ds, _, err := s.ArchivedDigests(ctx, repertoire.Audience{Platform: "shell", Spaces: []string{"local"}}, 20, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.MessageID)
		}
		slices.Sort(out)
		return out
	}
	src := func(m string) repertoire.Source {
		return repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: m}
	}
	if _, err := s.EditSource(ctx, "e0", src("m2"), "The guest wifi password is printed on the fridge m2", at); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(left()); got != "[d-both d-m1 d-m10 d-m2 d-ops]" {
		t.Fatalf("an edit that changed nothing withdrew digests: %s", got)
	}
	if _, err := s.DeleteSource(ctx, "e1", src("m1")); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(left()); got != "[d-m10 d-m2 d-ops]" {
		t.Errorf("after m1's source was deleted, the archive holds %s, want [d-m10 d-m2 d-ops]", got)
	}
	if _, err := s.EditSource(ctx, "e2", src("m2"), "The guest wifi password changed, ask at the desk", at); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(left()); got != "[d-m10 d-ops]" {
		t.Errorf("after m2 was edited, the archive holds %s, want [d-m10 d-ops]", got)
	}
}
