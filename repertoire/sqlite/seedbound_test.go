package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// zipfStore is a store of 3,000 entries (1,200 short or under race) of
// Zipf-drawn words over a vocabulary of 400 (the commonest first), with top
// lists, 16-posting chunks, and every seventh entry private to channel c3.
func zipfStore(ctx context.Context, t *testing.T, name string) (*Store, []string, *rand.Rand) {
	t.Helper()
	n := 3000
	if testing.Short() || raceOn {
		n = 1200
	}
	s, err := Open(ctx, t.TempDir()+"/"+name+".db", nil, withTopLists(n/10, 16))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.chunk = 16 // many chunks per list, some of them passed over
	r := rand.New(rand.NewPCG(15, 5))
	z := rand.NewZipf(r, 1.1, 1, 399)
	vocab := make([]string, 400)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%c%c", 'a'+i/26, 'a'+i%26)
	}
	text := func(lo, hi int) string {
		w := make([]string, lo+r.IntN(hi-lo+1))
		for i := range w {
			w[i] = vocab[z.Uint64()]
		}
		return strings.Join(w, " ")
	}
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
			question, answer, author_id, tags, votes, created_at, updated_at) VALUES ('p', 's', ?, ?, ?, 'tip', ?, ?, 'U1', '', ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			ch, private := "c1", 0
			if i%7 == 0 {
				ch, private = "c3", 1 // seen from c3 only
			}
			if _, err := stmt.ExecContext(ctx, ch, private, fmt.Sprint("m", i), text(3, 10), text(10, 40), r.IntN(4), i, i); err != nil {
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
	var tops int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM search_top`).Scan(&tops); err != nil || tops < 4 {
		t.Fatalf("%d top lists (%v): the test needs some", tops, err)
	}
	return s, vocab, r
}

// TestSeedBoundsOnCommonWords: queries of a few words most entries hold,
// the case where the walk after a seed passes over the top lists' entries
// by their seed bounds (seedbound.go), return the exhaustive ranking's top
// k, for an asker who sees every entry (the seed keeps only the entries
// that may still reach the k-th score) and one who does not (it keeps all).
// Words are drawn from a Zipf law, as in recall-bench's workload, so that
// the commonest have top lists much shorter than their long lists.
func TestSeedBoundsOnCommonWords(t *testing.T) {
	ctx := context.Background()
	s, vocab, r := zipfStore(ctx, t, "seedbound")
	askers := []repertoire.Channel{
		{Platform: "p", Space: "s", ID: "c3", Private: true}, // sees every entry
		{Platform: "p", Space: "s", ID: "c1"},                // not the private ones
	}
	for i := range 80 {
		words := make([]string, 2+r.IntN(3))
		for j := range words {
			words[j] = vocab[r.IntN(6)]
		}
		p := repertoire.SearchParams{Text: strings.Join(words, " "), From: askers[i%2], Limit: 1 + r.IntN(10)}
		if i%5 == 0 {
			p.Text = "how do I " + p.Text // a how-to question: the kind's prior
		}
		checkExhaustive(t, s, p, fmt.Sprintf("%+v", p))
	}
}
