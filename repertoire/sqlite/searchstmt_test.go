package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// TestSearchStatementsAreNotRecompiled: no statement a search keeps
// prepared takes a bare parameter as its LIMIT, which SQLite would
// compile again each time it is bound (noReprepare). The searches read
// chunk headers in batches of growing size and expand a prefix, so each
// kept statement with a limit is prepared.
func TestSearchStatementsAreNotRecompiled(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/stmts.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.chunk = 4 // many headers a stem, fetched in several batches
	r := rand.New(rand.NewPCG(3, 7))
	vocab := []string{"alpha", "bravo", "charlie", "delta", "kubernetes", "kubectl"}
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		for i := range 300 {
			w := make([]string, 8)
			for j := range w {
				w[j] = vocab[r.IntN(len(vocab))]
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
				question, answer, author_id, tags, created_at, updated_at) VALUES ('p', 's', 'c1', 0, ?, 'tip', ?, ?, 'U1', '', ?, ?)`,
				fmt.Sprint("m", i), strings.Join(w[:3], " "), strings.Join(w[3:], " "), i, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	from := repertoire.Channel{Platform: "p", Space: "s", ID: "c1"}
	for range 2 { // the second time from the statements kept
		for _, q := range []string{"alpha bravo", "charlie delta alpha", "kube", "kind:tip"} {
			hits, err := s.Search(ctx, repertoire.SearchParams{Text: q, From: from, Limit: 10})
			if err != nil || len(hits) == 0 {
				t.Fatalf("Search(%q): %d hits, %v", q, len(hits), err)
			}
		}
		s.stmts.wg.Wait()
	}
	bare := regexp.MustCompile(`(?i)\bLIMIT\s+\?`)
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	limits := 0
	for query := range s.stmts.m {
		if bare.MatchString(query) {
			t.Errorf("a kept statement's LIMIT is a bare parameter:\n%s", query)
		}
		if strings.Contains(query, noReprepare) {
			limits++
		}
	}
	if limits < 2 {
		t.Errorf("%d kept statements with a limit, want the headers' and the prefix's", limits)
	}
}
