package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// TestEntryCountsFollowWrites checks that the counts kept by triggers equal a
// full count after inserts, kind, status and visibility changes, deletes and
// a forget.
func TestEntryCountsFollowWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/counts.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check := func(step string) {
		t.Helper()
		got, err := s.EntryCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var want []repertoire.EntryCount
		rows, err := s.r.QueryContext(ctx, `SELECT kind, private, status, count(*) FROM entries GROUP BY kind, private, status ORDER BY kind, private, status`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c repertoire.EntryCount
			if err := rows.Scan(&c.Kind, &c.Private, &c.Status, &c.N); err != nil {
				t.Fatal(err)
			}
			want = append(want, c)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: counts %+v, a full count says %+v", step, got, want)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := s.tx(ctx, "", func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	kinds := []string{"tip", "solution", "story", "how-we-do"}
	for i := range 40 {
		exec(`INSERT INTO entries (platform, space, channel_id, private, source_id, kind, status, answer, author_id, created_at, updated_at)
			VALUES ('p', 's', 'c', ?, ?, ?, ?, 'answer', ?, 1, 1)`, i%3 == 0, fmt.Sprint("m", i), kinds[i%4], []string{"saved", "detected"}[i%5/4], fmt.Sprint("U", i%6))
	}
	check("after inserts")
	exec(`UPDATE entries SET kind = 'solution' WHERE source_id IN ('m0', 'm1', 'm2')`)
	exec(`UPDATE entries SET status = 'saved' WHERE status = 'detected' AND source_id <> 'm4'`)
	exec(`UPDATE entries SET private = 1 - private WHERE source_id IN ('m5', 'm6')`)
	exec(`UPDATE entries SET answer = 'edited' WHERE source_id = 'm7'`)
	check("after updates")
	exec(`DELETE FROM entries WHERE source_id IN ('m8', 'm9', 'm10')`)
	check("after deletes")
	if _, err := s.ForgetUser(ctx, "p", "U1"); err != nil {
		t.Fatal(err)
	}
	check("after forget")
	exec(`DELETE FROM entries`)
	if got, _ := s.EntryCounts(ctx); len(got) != 0 {
		t.Errorf("after deleting everything: %+v", got)
	}
}
