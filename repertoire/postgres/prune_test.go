package postgres_test

import (
	"context"
	"fmt"
	"math"
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

// TestChunkPruningIsExact ranks a repertoire whose words follow a Zipf law
// (a few common, most rare, as in a real one) with small chunks: the
// search must return exactly the exhaustive ranking's top k, and the SQLite
// store's hits for the same repertoire, while reading well under all the
// chunks of the question's words, so that the bounds decide what is read
// (a bound set too low loses hits and fails here; checked with the chunk
// bounds halved, or taken from a chunk's first posting only).
func TestChunkPruningIsExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var read, total int
	s := open(t, postgres.WithChunkSize(8), postgres.WithChunkReads(2), postgres.WithBulkBuildAt(300),
		postgres.WithChunksRead(func(r, n int) { read, total = read+r, total+n }))
	r := rand.New(rand.NewPCG(19, 2))
	zw := storetest.NewZipfWords(r, 400)
	vocab, text := zw.Vocab, zw.Text
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lite.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	ch := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "ops"}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 1200
	if testing.Short() {
		n = 800
	}
	t0 := time.Now()
	for b := 0; b < n; b += 400 {
		var recs []repertoire.Record
		for i := b; i < min(n, b+400); i++ {
			rec := repertoire.Record{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: kinds[r.IntN(len(kinds))],
				Question: text(r.IntN(10)), Answer: text(3 + r.IntN(40)), Author: repertoire.Person{ID: "U1"},
				CreatedAt: at.Add(time.Duration(i) * time.Minute)}
			for v := range r.IntN(4) * r.IntN(3) {
				rec.Voters = append(rec.Voters, repertoire.Endorsement{Person: repertoire.Person{ID: fmt.Sprint("V", v)}, At: rec.CreatedAt})
			}
			recs = append(recs, rec)
		}
		for _, st := range []repertoire.Store{s, lite} {
			if _, err := st.ImportBatch(ctx, repertoire.Batch{Records: append([]repertoire.Record(nil), recs...)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("imported in %s", time.Since(t0))
	t0 = time.Now()
	for q := range 120 {
		var words []string
		for range 1 + r.IntN(3) {
			w := zw.Word()
			if r.IntN(10) == 0 {
				w = vocab[r.IntN(len(vocab))] // rare
			}
			words = append(words, w)
		}
		if q%5 == 0 {
			words = append([]string{"how do I"}, words...)
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
			t.Errorf("%+v:\n search     %v\n exhaustive %v", p, g, w)
		}
		other, err := lite.Search(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := hitKeys(got), hitKeys(other); !reflect.DeepEqual(g, w) {
			t.Errorf("%+v:\n postgres %v\n   sqlite %v", p, g, w)
		}
	}
	share := float64(read) / math.Max(float64(total), 1)
	t.Logf("read %d of %d chunks (%.0f%%); searched in %s", read, total, 100*share, time.Since(t0))
	if total == 0 || share > 0.6 {
		t.Errorf("searches read %d of %d chunks: the bounds did not decide", read, total)
	}
}
