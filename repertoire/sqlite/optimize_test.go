package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/repertoire"
)

// TestOptimizeMergesInSteps saves entries one by one (many full-text
// segments; long answers after short ones, so the averages the bounds were
// computed at drift), optimizes, and checks that recall answers as before
// and as the exhaustive ranking does, that the full-text index is whole
// and fully merged (one more merge step finds nothing to do), though
// Optimize merged it in bounded steps.
func TestOptimizeMergesInSteps(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "opt.db")
	s, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	words := strings.Fields("restart reload nginx certbot queue worker pool socket cache token backup bucket driver kernel proxy")
	for i := range 120 {
		answer := fmt.Sprintf("%s the %s", words[i%len(words)], words[(i*7)%len(words)])
		if i >= 20 {
			answer += strings.Repeat(" then check the "+words[(i*3)%len(words)]+" logs", 1+i%4)
		}
		if _, _, err := s.Save(ctx, saveParams(fmt.Sprintf("m%03d", i), answer, "U3")); err != nil {
			t.Fatal(err)
		}
	}
	queries := []string{"restart nginx", "queue worker logs", "backup bucket", "kernel", "proxy token cache"}
	search := func() [][]int64 {
		var out [][]int64
		for _, q := range queries {
			p := repertoire.SearchParams{Text: q, From: general, Limit: 10}
			hits, err := s.Search(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			all, err := s.SearchExhaustive(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			var ids, want []int64
			for i := range hits {
				ids = append(ids, hits[i].ID)
			}
			for i := range all {
				want = append(want, all[i].ID)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("%q: search %v, exhaustive %v", q, ids, want)
			}
			out = append(out, ids)
		}
		return out
	}
	before := search()
	if err := s.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if after := search(); !slices.EqualFunc(before, after, slices.Equal) {
		t.Errorf("recall changed with Optimize: %v, then %v", before, after)
	}
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("full-text index after Optimize: %v", err)
	}
	var n0, n1 int64
	conn.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&n0)
	if _, err := conn.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', -200)`); err != nil {
		t.Fatal(err)
	}
	conn.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&n1)
	if n1-n0 >= 2 {
		t.Errorf("a merge step after Optimize still changed %d rows: the index was not fully merged", n1-n0)
	}
}
