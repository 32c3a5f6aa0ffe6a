package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// The skip byte bounds a posting's bound from above, never below, and is
// tight to 1/skipScale where it does not defer to the chunk's bound.
func TestSkipByteBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bs := []float64{0, 1e-12, 1.0 / skipScale, 2.0 / skipScale, 1, 2.2, (skipTop-1)/skipScale - 1e-12, (skipTop - 1) / skipScale, 5, 1e6}
	for range 10_000 {
		bs = append(bs, r.Float64()*5)
	}
	for _, b := range bs {
		chunk := b * (1 + r.Float64())
		q := skipQ(b)
		got := skipBound(q, chunk)
		if got < b {
			t.Fatalf("skipBound(skipQ(%g)) = %g, below", b, got)
		}
		if q != skipTop && got-b > 1.0/skipScale+1e-12 {
			t.Fatalf("skipBound(skipQ(%g)) = %g, looser than 1/%d", b, got, skipScale)
		}
		if q == skipTop && got != chunk {
			t.Fatalf("skipQ(%g) defers, bound %g, chunk %g", b, got, chunk)
		}
	}
	if q := skipQ(math.NaN()); q != skipTop {
		t.Fatalf("skipQ(NaN) = %d", q)
	}
}

// TestFillSkipsResumes: a store whose chunks have no skip lists (as one
// from before migration 0030) gets them in steps, each in its own
// transaction going on from where the last stopped, with searches equal
// to the exhaustive ranking before, between and after.
func TestFillSkipsResumes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "fill.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.chunk = 3
	r := rand.New(rand.NewPCG(5, 5))
	for i := range 150 {
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: exactChannels[0], SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Question: randomText(r, r.IntN(8)), Answer: randomText(r, 1+r.IntN(30)), Author: repertoire.Person{ID: "U1"},
			Saver: repertoire.Person{ID: "S"}, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.mergePending(ctx); err != nil {
		t.Fatal(err)
	}
	missing := func() (n int) {
		t.Helper()
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM search_postings WHERE skip IS NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var chunks int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM search_postings`).Scan(&chunks); err != nil {
		t.Fatal(err)
	}
	if n := missing(); n != 0 || chunks < 40 {
		t.Fatalf("%d of %d chunks written without a skip list", n, chunks)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE search_postings SET skip = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT OR REPLACE INTO search_skip_fill (id, after) VALUES (1, ?)`, math.MinInt64); err != nil {
		t.Fatal(err)
	}
	search := func() {
		t.Helper()
		checkIndex(t, s)
		for range 20 {
			p := repertoire.SearchParams{Text: randomQuery(r), From: exactChannels[0], Limit: 1 + r.IntN(10)}
			checkExhaustive(t, s, p, fmt.Sprintf("%+v", p))
		}
	}
	search()
	// Steps of 7 chunks, each its own transaction, as fillSkips takes them.
	after, steps := int64(math.MinInt64), 0
	for after != math.MaxInt64 {
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			_, _, a, err := fillSomeSkips(ctx, tx, after, 7)
			after = a
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if steps++; steps == 3 {
			search() // part filled
		}
	}
	if n := missing(); n != 0 || steps < chunks/7 {
		t.Fatalf("%d chunks left without a skip list after %d steps", n, steps)
	}
	search()
	// fillSkips itself: nothing left, and it says so.
	if _, err := s.w.ExecContext(ctx, `UPDATE search_postings SET skip = NULL WHERE id % 2 = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT OR REPLACE INTO search_skip_fill (id, after) VALUES (1, ?)`, math.MinInt64); err != nil {
		t.Fatal(err)
	}
	if n, err := s.fillSkips(ctx); err != nil || n == 0 || missing() != 0 {
		t.Fatalf("fillSkips wrote %d (%v), %d left", n, err, missing())
	}
	if n, err := s.fillSkips(ctx); err != nil || n != 0 {
		t.Fatalf("a second fillSkips wrote %d (%v)", n, err)
	}
	search()
}
