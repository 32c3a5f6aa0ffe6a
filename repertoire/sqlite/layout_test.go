package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestOptimizeLaysOutChunks folds a bulk of entries (the fold interleaves
// the stems' chunks), optimizes, and checks that the chunks of every stem
// found scattered then lie on consecutive rowids in ID order (none is left
// scattered), that the chunks themselves are
// byte for byte the same, and that recall still equals the exhaustive
// ranking, also after more saves and merges.
func TestOptimizeLaysOutChunks(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "lay.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.chunk = 3
	r := rand.New(rand.NewPCG(3, 3))
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
			question, answer, author_id, tags, created_at, updated_at) VALUES ('p', 's', 'c1', 0, ?, 'tip', ?, ?, 'U1', '', 0, 0)`,
			fmt.Sprint("m", i), randomText(r, r.IntN(8)), randomText(r, 1+r.IntN(30))); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.tx(ctx, "", func(tx *sql.Tx) error { return foldAll(ctx, tx, s.chunk) }); err != nil {
		t.Fatal(err)
	}
	scattered, _, err := scatteredStems(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	if len(scattered) == 0 {
		t.Fatal("the fold interleaved no stem's chunks: nothing to lay out")
	}
	before := layoutChunks(t, s)
	if err := s.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if after := layoutChunks(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("the chunks changed: %d before, %d after", len(before), len(after))
	}
	rows, err := s.r.QueryContext(ctx, `SELECT term, id FROM search_postings ORDER BY term, first`)
	if err != nil {
		t.Fatal(err)
	}
	moved := map[string]bool{}
	for _, stem := range scattered {
		moved[stem] = true
	}
	prev, last := "", int64(0)
	for rows.Next() {
		var term string
		var id int64
		if err := rows.Scan(&term, &id); err != nil {
			t.Fatal(err)
		}
		if term == prev && moved[term] && id != last+1 {
			t.Errorf("stem %q: chunk at rowid %d after %d", term, id, last)
		}
		prev, last = term, id
	}
	rows.Close()
	if left, _, err := scatteredStems(ctx, s.r); err != nil || len(left) > 0 {
		t.Errorf("stems still scattered: %v (%v)", left, err)
	}
	search := func() {
		t.Helper()
		checkIndex(t, s)
		for range 40 {
			p := repertoire.SearchParams{Text: randomQuery(r), From: exactChannels[0], Limit: 1 + r.IntN(10)}
			checkExhaustive(t, s, p, fmt.Sprintf("%+v", p))
		}
	}
	search()
	// Saves and merges go on from the new rowids.
	for i := range 60 {
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: exactChannels[0], SourceID: fmt.Sprint("n", i), Kind: repertoire.Tip,
			Question: randomText(r, r.IntN(8)), Answer: randomText(r, 1+r.IntN(30)), Author: repertoire.Person{ID: "U1"},
			Saver: repertoire.Person{ID: "S"}, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.mergePending(ctx); err != nil {
		t.Fatal(err)
	}
	search()
}

// layoutChunks is every chunk, header and postings, in stem and ID order.
func layoutChunks(t *testing.T, s *Store) [][5]any {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), `SELECT term, first, last, bound, data FROM search_postings ORDER BY term, first`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][5]any
	for rows.Next() {
		var term string
		var first, last int64
		var bound float64
		var data []byte
		if err := rows.Scan(&term, &first, &last, &bound, &data); err != nil {
			t.Fatal(err)
		}
		out = append(out, [5]any{term, first, last, bound, string(data)})
	}
	return out
}
