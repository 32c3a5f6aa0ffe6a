package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
)

// TestBulkBuildMatchesFold imports the same records into two stores, one
// building its empty index in one pass (buildIndex) and one folding them
// in: the two indexes must be the same, row for row, before and after
// more records are folded in on top. (TestChunkPruningIsExact searches an
// index built in one pass.)
func TestBulkBuildMatchesFold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	built := open(t, postgres.WithChunkSize(8), postgres.WithBulkBuildAt(100))
	folded := open(t, postgres.WithChunkSize(8))
	r := rand.New(rand.NewPCG(19, 4))
	ch := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "ops"}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := func(from, n int) repertoire.Batch {
		var b repertoire.Batch
		for i := from; i < from+n; i++ {
			rec := repertoire.Record{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: kinds[r.IntN(len(kinds))],
				Question: randomText(r, r.IntN(10)), Answer: randomText(r, 3+r.IntN(30)), Author: repertoire.Person{ID: "U1"},
				CreatedAt: at.Add(time.Duration(i) * time.Minute)}
			for v := range r.IntN(3) {
				rec.Voters = append(rec.Voters, repertoire.Endorsement{Person: repertoire.Person{ID: fmt.Sprint("V", v)}, At: rec.CreatedAt})
			}
			b.Records = append(b.Records, rec)
		}
		return b
	}
	digest := func(s *postgres.Store) [4]string {
		var out [4]string
		for i, q := range []string{
			`SELECT md5(coalesce(string_agg(term || ' ' || first || ' ' || last || ' ' || bound || ' ' || encode(data, 'hex'), ';' ORDER BY term, first), '')) FROM search_chunks`,
			`SELECT md5(coalesce(string_agg(term || ' ' || df || ' ' || pmax, ';' ORDER BY term), '')) FROM search_terms`,
			`SELECT md5(coalesce(string_agg(id || ' ' || terms::text || ' ' || array_to_string(stems, ',') || ' ' || len_q || ' ' || len_a || ' ' || len_t, ';' ORDER BY id), '')) FROM search_docs`,
			`SELECT n || ' ' || sum_q || ' ' || sum_a || ' ' || sum_t || ' ' || bound_q || ' ' || bound_a || ' ' || bound_t || ' ' || pending FROM search_stats`,
		} {
			if err := s.QueryRowForTest(ctx, q, &out[i]); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	first, second := batch(0, 300), batch(300, 50)
	for _, s := range []*postgres.Store{built, folded} {
		if _, err := s.ImportBatch(ctx, first); err != nil {
			t.Fatal(err)
		}
	}
	if b, f := digest(built), digest(folded); b != f {
		t.Fatalf("built in one pass %v, folded %v", b, f)
	}
	var gin int
	if err := built.QueryRowForTest(ctx, `SELECT count(*) FROM pg_indexes WHERE indexname = 'search_docs_terms'`, &gin); err != nil || gin != 1 {
		t.Fatalf("phrase index after the build: %d (%v)", gin, err)
	}
	for _, s := range []*postgres.Store{built, folded} {
		if _, err := s.ImportBatch(ctx, second); err != nil {
			t.Fatal(err)
		}
	}
	if b, f := digest(built), digest(folded); b != f {
		t.Fatalf("after a fold on top: built in one pass %v, folded %v", b, f)
	}
	hits, err := built.Search(ctx, repertoire.SearchParams{Text: `"deploy the"`, From: ch, Limit: 5})
	if err != nil || len(hits) == 0 {
		t.Fatalf("phrase search after the build: %d hits, %v", len(hits), err)
	}
}
