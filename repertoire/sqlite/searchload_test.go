package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestSearchHitsCarrySavers: a hit's savers, read with its row
// (saversColumn), are the entry's as Entry reads them: every one, by time
// saved then user ID, names as written.
func TestSearchHitsCarrySavers(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ch := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "ops"}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Seven imported entries of many savers each; times collide, so the
	// user ID breaks ties.
	var records []repertoire.Record
	for m := range 7 {
		rec := repertoire.Record{Channel: ch, SourceID: fmt.Sprint("m", m), Kind: repertoire.Tip, Status: repertoire.Saved,
			Question: "how to rotate the vault token", Answer: fmt.Sprint("rotate the token with vault ", m),
			Author: repertoire.Person{ID: "A"}, CreatedAt: at}
		for i := range 5 + m {
			rec.Savers = append(rec.Savers, repertoire.Endorsement{
				Person: repertoire.Person{ID: fmt.Sprint("U", 40-i), Name: fmt.Sprintf(`Zoë "%d" \ O'Neil`, i)},
				At:     at.Add(time.Duration(i*7%5) * time.Hour)})
		}
		records = append(records, rec)
	}
	if _, err := s.ImportBatch(ctx, repertoire.Batch{Import: "imp", Unit: "u", Records: records}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"rotate vault token", "vault", `"vault token"`, "rotate -nothing"} {
		hits, err := s.Search(ctx, repertoire.SearchParams{Text: q, From: ch, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 7 {
			t.Fatalf("%q: %d hits, want 7", q, len(hits))
		}
		for _, h := range hits {
			e, err := s.Entry(ctx, h.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Savers) < 5 || !reflect.DeepEqual(h.Savers, e.Savers) {
				t.Errorf("%q: entry %d savers\n got %+v\nwant %+v", q, h.ID, h.Savers, e.Savers)
			}
		}
	}
}

// TestJSONListOfIDs: the list of IDs written without reflection is the
// text json.Marshal writes.
func TestJSONListOfIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	cases := [][]int64{nil, {}, {0}, {math.MinInt64, -1, math.MaxInt64}}
	for range 200 {
		ids := make([]int64, r.IntN(40))
		for i := range ids {
			ids[i] = r.Int64() >> r.IntN(64)
			if r.IntN(2) == 0 {
				ids[i] = -ids[i]
			}
		}
		cases = append(cases, ids)
	}
	for _, ids := range cases {
		want, _ := json.Marshal(ids)
		if got := jsonList(ids); got != string(want) {
			t.Fatalf("%v: got %s, want %s", ids, got, want)
		}
	}
}
