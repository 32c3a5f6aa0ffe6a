package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestWebCountsFollowEntries: the count tables behind the home page follow
// saves, tag changes, deletions and a re-import that moves an entry to
// private, and are read under the audience's visibility.
func testWebCountsFollowEntries(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // a Wednesday
	pub := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "general"}
	priv := repertoire.Channel{Platform: "p", Space: "s", ID: "g1", Name: "secret", Private: true}
	save := func(ch repertoire.Channel, src string, kind repertoire.Kind, tags []string, at time.Time) {
		t.Helper()
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: src, Kind: kind, Answer: "answer " + src, Tags: tags,
			Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "U2"}, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	save(pub, "m1", repertoire.Tip, []string{"tls", "ops"}, now)
	save(pub, "m2", repertoire.Solution, []string{"tls"}, now.AddDate(0, 0, -7))
	save(priv, "m3", repertoire.Tip, []string{"tls", "vault"}, now)
	member := repertoire.Audience{Platform: "p", Spaces: []string{"s"}}
	insider := repertoire.Audience{Platform: "p", Spaces: []string{"s"}, Channels: []repertoire.Channel{priv}}
	overview := func(a repertoire.Audience) repertoire.Overview {
		t.Helper()
		o, err := s.WebOverview(ctx, a, now, now.AddDate(0, 0, -24), 3)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := overview(member)
	if o.Entries != 2 || len(o.TopTags) != 2 || o.TopTags[0] != (repertoire.Count{Name: "tls", N: 2}) {
		t.Errorf("member: %d entries, tags %v", o.Entries, o.TopTags)
	}
	if g := o.Growth; len(g) != 3 || g[2].Counts["tip"] != 1 || g[1].Counts["solution"] != 1 || !g[2].Week.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("growth %+v", g)
	}
	if o := overview(insider); o.Entries != 3 || o.TopTags[0] != (repertoire.Count{Name: "tls", N: 3}) {
		t.Errorf("insider: %d entries, tags %v", o.Entries, o.TopTags)
	}
	if o := overview(repertoire.Audience{}); o.Entries != 0 || len(o.TopTags) != 0 {
		t.Errorf("nobody: %+v", o)
	}
	// A deleted entry leaves the counts; a retag moves them.
	if _, err := s.DeleteSource(ctx, "", repertoire.Source{Platform: "p", Space: "s", Channel: "c1", Message: "m2"}); err != nil {
		t.Fatal(err)
	}
	save(pub, "m1", repertoire.Tip, []string{"certs"}, now)
	o = overview(member)
	if o.Entries != 1 || len(o.Kinds) != 1 || o.Kinds[0] != (repertoire.Count{Name: "tip", N: 1}) {
		t.Errorf("after delete: %d entries, kinds %v", o.Entries, o.Kinds)
	}
	tags := map[string]int{}
	for _, c := range o.TopTags {
		tags[c.Name] = c.N
	}
	if tags["tls"] != 1 || tags["certs"] != 1 || tags["ops"] != 1 || len(tags) != 3 {
		t.Errorf("after retag: %v", o.TopTags)
	}
	// The tag page and the private channels list read the same tables.
	if es, _, err := s.BrowseEntries(ctx, member, repertoire.Browse{Tag: "tls"}); err != nil || len(es) != 1 || es[0].SourceID != "m1" {
		t.Errorf("tag page: %v %v", es, err)
	}
	if chs, err := s.PrivateChannels(ctx, "p"); err != nil || len(chs) != 1 || chs[0].ID != "g1" {
		t.Errorf("private channels: %v %v", chs, err)
	}
	if _, err := s.ForgetUser(ctx, "p", "U1"); err != nil {
		t.Fatal(err)
	}
	if o := overview(insider); o.Entries != 0 || len(o.TopTags) != 0 {
		t.Errorf("after forget: %+v", o)
	}
}
