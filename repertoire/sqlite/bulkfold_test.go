package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// TestBulkFoldKeepsLayout folds entries written by direct SQL (as an
// older binary or recall-bench writes them) in many small passes whose
// open chunks outgrow a tiny memory budget, and checks the result against
// one pass over all of them: the same chunks byte for byte (their bounds
// aside), every chunk of
// a stem but its last full, and the postings, totals and searches those of
// the entries, also after edits, deletions and votes folded in passes.
func TestBulkFoldKeepsLayout(t *testing.T) {
	ctx := context.Background()
	open := func(name string) *Store {
		s, err := Open(ctx, filepath.Join(t.TempDir(), name), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.chunk = 3
		return s
	}
	small, whole := open("small.db"), open("whole.db")
	// write runs fn on each store's writer with no fold.
	write := func(fn func(tx *sql.Tx) error) {
		for _, s := range []*Store{small, whole} {
			tx, err := s.w.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := fn(tx); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	fold := func(s *Store, step, budget int) {
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			tc := newTailCache(s.chunk)
			tc.step, tc.budget = step, budget
			n, err := foldPasses(ctx, tx, tc, -1)
			if err == nil && n == 0 {
				err = fmt.Errorf("nothing folded")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	insert := func(r *rand.Rand, from, to int) {
		texts := make([][2]string, to-from)
		for i := range texts {
			texts[i] = [2]string{randomText(r, r.IntN(8)), randomText(r, 1+r.IntN(30))}
		}
		write(func(tx *sql.Tx) error {
			for i, tx2 := range texts {
				if _, err := tx.ExecContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
					question, answer, author_id, tags, created_at, updated_at) VALUES ('p', 's', 'c1', 0, ?, 'tip', ?, ?, 'U1', '', 0, 0)`,
					fmt.Sprint("m", from+i), tx2[0], tx2[1]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	r := rand.New(rand.NewPCG(7, 7))
	insert(r, 0, 400)
	fold(small, 40, 200) // 10 passes of 40 (a pass under bulkFold would go to search_pending)
	fold(whole, 1_000_000, tailBudget)
	chunks := func(s *Store) [][5]any {
		rows, err := s.w.QueryContext(ctx, `SELECT term, first, last, bound, data FROM search_postings ORDER BY term, first`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][5]any
		for rows.Next() {
			var c [5]any
			var term string
			var first, last int64
			var bound float64
			var data []byte
			if err := rows.Scan(&term, &first, &last, &bound, &data); err != nil {
				t.Fatal(err)
			}
			// Bounds differ: the first pass fixes the averages they are
			// computed at (checkIndex checks them against the postings).
			c = [5]any{term, first, last, 0, string(data)}
			out = append(out, c)
		}
		return out
	}
	terms := func(s *Store) [][4]any {
		rows, err := s.w.QueryContext(ctx, `SELECT term, df, ub, pmax FROM search_terms ORDER BY term`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][4]any
		for rows.Next() {
			var term string
			var df int64
			var ub, pmax float64
			if err := rows.Scan(&term, &df, &ub, &pmax); err != nil {
				t.Fatal(err)
			}
			out = append(out, [4]any{term, df, 0, pmax})
		}
		return out
	}
	a, b := chunks(small), chunks(whole)
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Logf("first difference: %v/%v-%v %v %q against %v/%v-%v %v %q", a[i][0], a[i][1], a[i][2], a[i][3], a[i][4], b[i][0], b[i][1], b[i][2], b[i][3], b[i][4])
			break
		}
	}
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("chunks folded in passes (%d) differ from one pass's (%d)", len(a), len(b))
	}
	if !reflect.DeepEqual(terms(small), terms(whole)) {
		t.Fatalf("search_terms folded in passes differ from one pass's")
	}
	for i, c := range a {
		ps, err := decodeChunk(c[1].(int64), []byte(c[4].(string)), nil)
		if err != nil {
			t.Fatal(err)
		}
		lastOfStem := i == len(a)-1 || a[i+1][0] != c[0]
		if len(ps) > small.chunk || (!lastOfStem && len(ps) != small.chunk) {
			t.Fatalf("chunk %v/%v holds %d postings (chunk size %d, last of its stem %v)", c[0], c[1], len(ps), small.chunk, lastOfStem)
		}
	}
	checkIndex(t, small)

	// More entries, edits, deletions and votes, folded in passes.
	insert(r, 400, 600)
	write(func(tx *sql.Tx) error {
		r := rand.New(rand.NewPCG(8, 8)) // the same changes in both stores
		for range 60 {
			id := 1 + r.IntN(600)
			var err error
			switch r.IntN(3) {
			case 0:
				_, err = tx.ExecContext(ctx, `UPDATE entries SET answer = ? WHERE id = ?`, randomText(r, 1+r.IntN(20)), id)
			case 1:
				_, err = tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, id)
			default:
				_, err = tx.ExecContext(ctx, `UPDATE entries SET votes = votes + 1 WHERE id = ?`, id)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	fold(small, bulkFold+3, 100)
	fold(whole, 1_000_000, tailBudget)
	for _, s := range []*Store{small, whole} {
		checkIndex(t, s)
		for range 40 {
			p := repertoire.SearchParams{Text: randomQuery(r), From: repertoire.Channel{Platform: "p", Space: "s", ID: "c1"}, Limit: 1 + r.IntN(10)}
			checkExhaustive(t, s, p, fmt.Sprintf("%+v", p))
		}
	}
}
