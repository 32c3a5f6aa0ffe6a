package storetest

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// testVisibilityIsTheRule: over entries in public and private channels of
// two spaces on two platforms, every way of asking (a channel, a DM with
// more spaces, the terminal, each web audience) gets from Search, from
// BrowseEntries and from VisibleEntry exactly the entries the privacy rule
// (SearchParams.Sees, Audience.Sees) allows: never one more, never one less.
func testVisibilityIsTheRule(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var chans []repertoire.Channel
	for _, pl := range []string{"slack", "discord"} {
		for _, sp := range []string{"A", "B"} {
			chans = append(chans,
				repertoire.Channel{Platform: pl, Space: sp, ID: "pub1", Name: "general"},
				repertoire.Channel{Platform: pl, Space: sp, ID: "pub2", Name: "random"},
				repertoire.Channel{Platform: pl, Space: sp, ID: "priv", Name: "secret", Private: true})
		}
	}
	dm := repertoire.Channel{Platform: "discord", Space: "", ID: "dm1", Name: "dm", Private: true}
	chans = append(chans, dm)
	byID := map[int64]repertoire.Channel{}
	for i, ch := range chans {
		e, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Answer: fmt.Sprintf("deploy notes number %d", i), Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "U2"}})
		if err != nil {
			t.Fatal(err)
		}
		byID[e.ID] = ch
	}
	want := func(sees func(repertoire.Channel) bool) string {
		var ids []int64
		for id, ch := range byID {
			if sees(ch) {
				ids = append(ids, id)
			}
		}
		return idList(ids)
	}
	var askers []repertoire.SearchParams
	for _, ch := range chans {
		askers = append(askers, repertoire.SearchParams{From: ch}, repertoire.SearchParams{From: ch, Spaces: []string{"A", "B"}})
	}
	askers = append(askers, repertoire.SearchParams{}) // the terminal
	audiences := []repertoire.Audience{
		{}, {Anyone: true},
		{Platform: "slack", Spaces: []string{"A"}},
		{Platform: "discord", Spaces: []string{"A", "B"}, Channels: []repertoire.Channel{{Space: "B", ID: "priv"}, {Space: "", ID: "dm1"}}},
		{Platform: "slack", Channels: []repertoire.Channel{{Space: "A", ID: "priv"}}},
	}
	for i := range audiences {
		askers = append(askers, repertoire.SearchParams{Audience: &audiences[i]})
	}
	for _, p := range askers {
		p.Text, p.Limit = "deploy notes", 50
		hits, err := s.Search(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, h := range hits {
			got = append(got, h.ID)
		}
		if g, w := idList(got), want(p.Sees); g != w {
			t.Errorf("Search from %+v spaces %v audience %+v:\n got %s\nwant %s", p.From, p.Spaces, p.Audience, g, w)
		}
	}
	for _, a := range audiences {
		es, more, err := s.BrowseEntries(ctx, a, repertoire.Browse{Limit: 100})
		if err != nil || more {
			t.Fatalf("browse %+v: %v %v", a, more, err)
		}
		var got []int64
		for _, e := range es {
			got = append(got, e.ID)
		}
		if g, w := idList(got), want(a.Sees); g != w {
			t.Errorf("BrowseEntries for %+v:\n got %s\nwant %s", a, g, w)
		}
		for id, ch := range byID {
			_, err := s.VisibleEntry(ctx, a, id)
			if (err == nil) != a.Sees(ch) {
				t.Errorf("VisibleEntry(%d in %+v) for %+v: %v", id, ch, a, err)
			}
		}
	}
}

func idList(ids []int64) string {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return fmt.Sprint(ids)
}
