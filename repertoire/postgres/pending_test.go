package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
	"github.com/repertoire/repertoire/repertoire/sqlite"
	"github.com/repertoire/repertoire/repertoire/storetest"
)

// TestPendingPostingsAreExact saves entries one by one on top of an
// imported repertoire, so that their postings wait in search_pending, then
// votes on some of them and edits and deletes others (which folds those
// into the chunks, inside ranges that pending postings also fall in), and
// merges part of the rest: at each stage the search must return the
// exhaustive ranking's top k and the SQLite store's hits.
func TestPendingPostingsAreExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, postgres.WithChunkSize(8), postgres.WithChunkReads(2), postgres.WithMergeAt(-1))
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lite.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	r := rand.New(rand.NewPCG(19, 3))
	zw := storetest.NewZipfWords(r, 150)
	text := zw.Text
	stores := []repertoire.Store{s, lite}
	ch := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "ops"}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []repertoire.Record
	for i := range 300 {
		recs = append(recs, repertoire.Record{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: kinds[r.IntN(len(kinds))],
			Question: text(r.IntN(8)), Answer: text(3 + r.IntN(30)), Author: repertoire.Person{ID: "U1"},
			CreatedAt: at.Add(time.Duration(i) * time.Minute)})
	}
	for _, st := range stores {
		if _, err := st.ImportBatch(ctx, repertoire.Batch{Records: append([]repertoire.Record(nil), recs...)}); err != nil {
			t.Fatal(err)
		}
	}
	var saved [2][]int64
	for i := range 60 {
		p := repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("s", i), Kind: kinds[r.IntN(len(kinds))],
			Question: text(1 + r.IntN(8)), Answer: text(3 + r.IntN(30)), Author: repertoire.Person{ID: "U1"},
			Saver: repertoire.Person{ID: "U2"}, At: at.Add(time.Duration(400+i) * time.Minute)}
		for j, st := range stores {
			e, _, err := st.Save(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			saved[j] = append(saved[j], e.ID)
		}
	}
	pending := func() int64 {
		var n int64
		if err := s.QueryRowForTest(ctx, `SELECT count(*) FROM search_pending`, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if pending() == 0 {
		t.Fatal("saves left no pending postings")
	}
	check := func(stage string, withLite bool) {
		t.Helper()
		for range 40 {
			var words []string
			for range 1 + r.IntN(3) {
				words = append(words, zw.Word())
			}
			p := repertoire.SearchParams{Text: strings.Join(words, " "), From: ch, Limit: 1 + r.IntN(10)}
			got, err := s.Search(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.SearchExhaustive(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := hitKeys(got), hitKeys(want); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %+v:\n search     %v\n exhaustive %v", stage, p, g, w)
			}
			if !withLite {
				continue
			}
			other, err := lite.Search(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := hitKeys(got), hitKeys(other); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %+v:\n postgres %v\n   sqlite %v", stage, p, g, w)
			}
		}
	}
	check("pending", true)
	// Votes re-index an entry: its postings leave search_pending for the
	// chunks, with later entries' still pending. An edit does too; a
	// deletion takes them out.
	for k, i := range []int{3, 10, 11, 25, 40} {
		for j, st := range stores {
			if _, err := st.Vote(ctx, fmt.Sprint("v", k), saved[j][i], fmt.Sprint("V", k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	check("voted", true)
	// (On PostgreSQL only: the SQLite store's document frequencies drift
	// when a pending entry is edited; see the closing note.)
	src := repertoire.Source{Platform: ch.Platform, Space: ch.Space, Channel: ch.ID, Message: "s7"}
	if _, err := s.EditSource(ctx, "e1", src, text(12), at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	src.Message = "s30"
	if _, err := s.DeleteSource(ctx, "d1", src); err != nil {
		t.Fatal(err)
	}
	before := pending()
	check("re-indexed", false)
	if _, err := s.MergeStepForTest(ctx, int(before/3)); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n == 0 || n >= before {
		t.Fatalf("a merge step of %d left %d pending postings of %d", before/3, n, before)
	}
	check("merged in part", false)
	if err := s.MergeForTest(ctx); err != nil {
		t.Fatal(err)
	}
	var counted int64
	if err := s.QueryRowForTest(ctx, `SELECT pending FROM search_stats`, &counted); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != 0 || counted != 0 {
		t.Fatalf("after the merge: %d pending postings, %d counted", n, counted)
	}
	check("merged", false)
}
