package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// testEntryCountsFollowWrites: EntryCounts equals a count of what Export
// holds after saves (public, private, detected), kind changes, deletions
// and a forget; Stats agrees.
func testEntryCountsFollowWrites(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	check := func(step string) {
		t.Helper()
		got, err := s.EntryCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := map[repertoire.EntryCount]int64{}
		var total, private, detected int64
		err = s.Export(ctx, repertoire.ExportParams{Private: true}, func(r repertoire.Record) error {
			n[repertoire.EntryCount{Kind: r.Kind, Private: r.Channel.Private, Status: r.Status}]++
			total++
			if r.Channel.Private {
				private++
			}
			if r.Status == repertoire.Detected {
				detected++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []repertoire.EntryCount
		for c, k := range n {
			c.N = k
			want = append(want, c)
		}
		key := func(c repertoire.EntryCount) string { return fmt.Sprint(c.Kind, c.Private, c.Status) }
		sortCounts := func(cs []repertoire.EntryCount) {
			slices.SortFunc(cs, func(a, b repertoire.EntryCount) int {
				if key(a) < key(b) {
					return -1
				}
				if key(a) > key(b) {
					return 1
				}
				return 0
			})
		}
		sortCounts(got)
		sortCounts(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: counts %+v, the export holds %+v", step, got, want)
		}
		if st, err := s.Stats(ctx); err != nil || st.Entries != total || st.Private != private || st.Detected != detected {
			t.Errorf("%s: stats %+v %v; the export holds %d, %d private, %d detected", step, st, err, total, private, detected)
		}
	}
	kinds := []repertoire.Kind{repertoire.Tip, repertoire.Solution, repertoire.Story, repertoire.HowWeDo}
	priv := repertoire.Channel{Platform: "shell", Space: "local", ID: "secret", Name: "secret", Private: true}
	var ids []int64
	for i := range 24 {
		p := saveParams(fmt.Sprint("m", i), fmt.Sprint("answer ", i), "U3")
		p.Kind = kinds[i%4]
		p.Author = repertoire.Person{ID: fmt.Sprint("U", i%5), Name: "x"}
		if i%3 == 0 {
			p.Channel = priv
		}
		if i%5 == 4 {
			p.Status, p.Saver = repertoire.Detected, repertoire.Person{}
		}
		e, _, err := s.Save(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	check("after saves")
	for _, id := range ids[:3] {
		if _, err := s.SetEntryKind(ctx, id, repertoire.Solution); err != nil {
			t.Fatal(err)
		}
	}
	check("after kind changes")
	for _, src := range []string{"m1", "m2", "m4"} {
		if _, err := s.DeleteSource(ctx, "", repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: src}); err != nil {
			t.Fatal(err)
		}
	}
	check("after deletes")
	if _, err := s.ForgetUser(ctx, "shell", "U1"); err != nil {
		t.Fatal(err)
	}
	check("after forget")
}
